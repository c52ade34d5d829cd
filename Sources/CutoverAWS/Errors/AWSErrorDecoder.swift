/// Reads an error answer, whatever the protocol: the one place error bodies are decoded.
///
/// The shapes, by protocol:
/// - query (Auto Scaling, ELBv2, STS, IAM, CloudWatch query):
///   `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`;
/// - EC2: `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`;
/// - REST-XML (S3): `<Error><Code/><Message/><RequestId/></Error>`, and no body at all
///   for HEAD (the code then comes from the status);
/// - JSON 1.0/1.1 and REST-JSON: `{"__type": "prefix#Code", "message": …}` (or
///   `Message`), the code also in the `X-Amzn-ErrorType` header (`Code:url` form).
///
/// The body is read by what it is rather than by what the protocol promises: emulators
/// answer XML to a JSON service (moto's SignatureDoesNotMatch) or HTML for an
/// unimplemented operation.
public enum AWSErrorDecoder {
    /// The error a non-2xx `response` to `operation` stands for.
    public static func decode(_ response: HTTPResponse, service: AWSService, operation: String) -> AWSError {
        var code: String?
        var message: String?
        var requestID = response.headers["x-amzn-RequestId"] ?? response.headers["x-amz-request-id"]
            ?? response.headers["x-amzn-request-id"]

        if let header = response.headers["x-amzn-ErrorType"], !header.isEmpty {
            code = cleanCode(header)
        }
        let text = response.text.trimmingLeadingWhitespace()
        if text.hasPrefix("{"), let json = try? JSON(parsing: response.body) {
            if let type = json["__type"]?.string ?? json["code"]?.string ?? json["Code"]?.string {
                code = code ?? cleanCode(type)
            }
            message = json["message"]?.string ?? json["Message"]?.string ?? json["errorMessage"]?.string
        } else if isHTML(text) {
            message = "HTTP \(response.status) with an HTML page instead of an AWS error"
                + (response.status == 500 ? " (an emulator's unimplemented operation?)" : "")
        } else if text.hasPrefix("<"), let xml = try? XMLTree.parse(response.body) {
            // ErrorResponse/Error, Response/Errors/Error, ErrorResponse/Errors/Error or Error.
            let error = xml.name == "Error" ? xml : xml.first(named: "Error")
            if let error {
                code = error.text("Code").map(trimmed) ?? code
                message = error.text("Message").map(trimmed) ?? message
            }
            requestID = xml.text("RequestId") ?? xml.text("RequestID") ?? error?.text("RequestId") ?? requestID
        } else if !text.isEmpty {
            message = String(text.prefix(300))
        }
        if code == nil, text.isEmpty, service.wireProtocol == .restXML {
            code = s3StatusCodes[response.status]  // HEAD and other bodiless answers
        }
        return AWSError(kind: .service, service: service.name, operation: operation, status: response.status,
                        code: code, message: message ?? "", requestID: requestID.map(trimmed))
    }

    /// `aws.protocoltests#ValidationException`, `ValidationException:http://internal…`
    /// and `ValidationException` all mean `ValidationException`.
    static func cleanCode(_ raw: String) -> String {
        var code = Substring(raw)
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        return trimmed(String(code))
    }

    static func isHTML(_ text: String) -> Bool {
        let start = text.prefix(20).lowercased()
        return start.hasPrefix("<!doctype html") || start.hasPrefix("<html")
    }

    private static func trimmed(_ s: String) -> String {
        s.trimmingLeadingWhitespace().trimmingTrailingWhitespace()
    }

    /// What S3 means by a status when it sends no body.
    static let s3StatusCodes: [Int: String] = [
        301: "PermanentRedirect", 304: "NotModified", 400: "BadRequest", 403: "Forbidden",
        404: "NotFound", 412: "PreconditionFailed", 503: "SlowDown",
    ]
}
