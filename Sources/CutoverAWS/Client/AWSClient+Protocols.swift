/// The five wire protocols, each encoded and decoded here and nowhere else.
extension AWSClient {
    // MARK: - Query and EC2

    /// Calls a query-protocol operation (Auto Scaling, ELBv2, STS, IAM) or an EC2 one:
    /// `Action`, `Version` and the flattened parameters as a form body. Returns the
    /// answer's `<ActionResult>` element (query) or its root element (EC2, which has no
    /// Result wrapper).
    ///
    /// ```swift
    /// let result = try client.query(AWSOperation(.elbv2, "DescribeTargetGroups"), ["Names": ["web"]])
    /// let groups = result.list("TargetGroups")
    /// ```
    public func query(_ operation: AWSOperation, _ parameters: KeyValuePairs<String, QueryValue> = [:]) throws -> XMLTree {
        try query(operation, parameters.map { ($0.key, $0.value) })
    }

    /// `query(_:_:)` with parameters built up in code, in order.
    public func query(_ operation: AWSOperation, _ parameters: [(String, QueryValue)]) throws -> XMLTree {
        let (version, ec2): (String, Bool)
        switch operation.service.wireProtocol {
        case .query(let v): (version, ec2) = (v, false)
        case .ec2(let v): (version, ec2) = (v, true)
        default: preconditionFailure("\(operation) is not a query-protocol operation")
        }
        let fields = [QueryItem("Action", operation.name), QueryItem("Version", version)]
            + QueryValue.flatten(parameters, ec2: ec2)
        let body = fields.map { URIEncoding.encode($0.name) + "=" + URIEncoding.encode($0.value) }.joined(separator: "&")
        let response = try send(operation, Request(
            headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"], body: Array(body.utf8)))
        let root = try xml(response, operation)
        return ec2 ? root : (root.child("\(operation.name)Result") ?? root)
    }

    // MARK: - JSON 1.0 and 1.1

    /// Calls a JSON-protocol operation (ECS, SSM, CloudWatch): the input POSTed to `/`
    /// with `X-Amz-Target`. Returns the answer's JSON (an empty object for an empty body).
    ///
    /// ```swift
    /// let answer = try client.json(AWSOperation(.ecs, "DescribeServices"), ["cluster": "c", "services": ["web"]])
    /// ```
    public func json(_ operation: AWSOperation, _ input: JSON = [:]) throws -> JSON {
        guard case .json(let version, let prefix) = operation.service.wireProtocol else {
            preconditionFailure("\(operation) is not a JSON-protocol operation")
        }
        let response = try send(operation, Request(
            headers: ["Content-Type": "application/x-amz-json-\(version)", "X-Amz-Target": "\(prefix).\(operation.name)"],
            body: input.encoded()))
        return try json(response, operation)
    }

    // MARK: - REST (JSON and XML)

    /// Calls a REST operation: the method, the encoded path (`URIEncoding.path`), query
    /// parameters, headers and a raw body. Returns the whole 2xx answer (headers
    /// included: S3's ETag, Lambda's X-Amz-Function-Error).
    ///
    /// `contentType` is sent when there is a body (S3 stores what it is told; moto
    /// stores an empty object for a form content type, which libcurl would otherwise send).
    public func rest(_ operation: AWSOperation, method: String, path: String, query: [QueryItem] = [],
                     headers: HTTPHeaders = [:], body: [UInt8] = [], contentType: String? = nil,
                     hostPrefix: String = "", payloadSigning: SigV4Signer.Payload = .hashed) throws -> HTTPResponse {
        var headers = headers
        if let contentType, !headers.contains("Content-Type") { headers.add("Content-Type", contentType) }
        return try send(operation, Request(method: method, path: path, query: query, headers: headers, body: body,
                                           hostPrefix: hostPrefix, payloadSigning: payloadSigning))
    }

    /// Calls a REST-JSON operation (Lambda) with an optional JSON body; returns the
    /// answer's JSON (an empty object for an empty body).
    ///
    /// ```swift
    /// let alias = try client.restJSON(AWSOperation(.lambda, "GetAlias"), method: "GET",
    ///                                  path: URIEncoding.path("2015-03-31", "functions", name, "aliases", alias))
    /// ```
    public func restJSON(_ operation: AWSOperation, method: String, path: String, query: [QueryItem] = [],
                         headers: HTTPHeaders = [:], body: JSON? = nil) throws -> JSON {
        let response = try rest(operation, method: method, path: path, query: query, headers: headers,
                                body: body?.encoded() ?? [], contentType: body == nil ? nil : "application/json")
        return try json(response, operation)
    }

    /// The root element of a REST-XML answer (S3 listings, CreateMultipartUpload…).
    public func restXML(_ operation: AWSOperation, method: String, path: String, query: [QueryItem] = [],
                        headers: HTTPHeaders = [:], body: [UInt8] = [], contentType: String? = nil,
                        hostPrefix: String = "") throws -> XMLTree {
        try xml(rest(operation, method: method, path: path, query: query, headers: headers, body: body,
                     contentType: contentType, hostPrefix: hostPrefix), operation)
    }

    // MARK: - Decoding successful answers

    private func xml(_ response: HTTPResponse, _ operation: AWSOperation) throws -> XMLTree {
        do {
            return try XMLTree.parse(response.body)
        } catch {
            throw malformed(response, operation, "\(error)")
        }
    }

    private func json(_ response: HTTPResponse, _ operation: AWSOperation) throws -> JSON {
        if response.text.trimmingLeadingWhitespace().isEmpty { return [:] }
        do {
            return try JSON(parsing: response.body)
        } catch {
            throw malformed(response, operation, "\(error)")
        }
    }

    private func malformed(_ response: HTTPResponse, _ operation: AWSOperation, _ reason: String) -> AWSError {
        AWSError(kind: .malformedResponse, service: operation.service.name, operation: operation.name,
                 status: response.status, message: reason,
                 requestID: response.headers["x-amzn-RequestId"] ?? response.headers["x-amz-request-id"])
    }
}
