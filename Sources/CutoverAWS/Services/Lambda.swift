import Foundation

/// Lambda over REST-JSON: published versions, alias routing (how a deployment moves
/// traffic from one version to another) and invocations of hook functions.
///
/// Idempotency, per operation (what a retry after a lost answer may do):
/// - GetFunction, GetAlias, ListVersionsByFunction: reads.
/// - UpdateAlias: sets the alias to a state; repeating it leaves the same state, so it
///   is retried — except with a `revisionID` guard, which the first attempt's success
///   invalidates (a repeat would answer PreconditionFailedException), so guarded calls
///   are not retried.
/// - PublishVersion: not idempotent in general (it makes a version from whatever
///   `$LATEST` is when it runs), so never retried once sent. Lambda does not publish
///   when nothing changed since the last version and answers that version instead:
///   a caller unsure whether a publish happened can publish again with the same
///   `codeSHA256` guard and gets the version back, or PreconditionFailedException.
/// - Invoke: runs the function; never retried once sent.
/// - CreateFunction (tests): a repeat answers ResourceConflictException; not retried.
/// - UpdateFunctionCode (tests): sets `$LATEST`'s code; retried.
public struct Lambda: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) { self.client = client }

    static let apiVersion = "2015-03-31"

    // MARK: - Results

    /// One version of a function (or `$LATEST`), as GetFunction, PublishVersion,
    /// ListVersionsByFunction, CreateFunction and UpdateFunctionCode describe it.
    public struct FunctionConfiguration: Sendable, Equatable {
        public var name: String
        /// The function's ARN, with `:VERSION` for a published version.
        public var arn: String
        /// `$LATEST` or a published version's number (`1`, `2`, …).
        public var version: String
        /// The base64 SHA-256 of the deployment package: PublishVersion's guard.
        public var codeSHA256: String
        /// Changes with every update: UpdateFunctionCode's and PublishVersion's guard.
        public var revisionID: String?
        public var description: String
        /// `Pending`, `Active`, `Inactive` or `Failed`.
        public var state: String?
        /// `InProgress`, `Successful` or `Failed`: whether the last update is done.
        public var lastUpdateStatus: String?
        public var lastModified: Date?
    }

    /// An alias: its primary version and at most one additional version with a weight.
    public struct Alias: Sendable, Equatable {
        public var name: String
        public var arn: String
        /// The primary version: it gets what the additional weights leave.
        public var functionVersion: String
        /// The additional version and its share of the traffic as a fraction in (0, 1);
        /// empty when everything goes to `functionVersion` (the answer had no routing
        /// configuration, a null one or an empty map: all three mean the same).
        public var additionalVersionWeights: [String: Double]
        public var revisionID: String?
        public var description: String

        public init(name: String, arn: String, functionVersion: String, additionalVersionWeights: [String: Double] = [:],
                    revisionID: String? = nil, description: String = "") {
            self.name = name
            self.arn = arn
            self.functionVersion = functionVersion
            self.additionalVersionWeights = additionalVersionWeights
            self.revisionID = revisionID
            self.description = description
        }

        /// The percentage of the traffic `version` receives: its weight × 100 for an
        /// additional version, 100 minus the additional weights for the primary one.
        ///
        /// An alias on 1 with `{"2": 0.1}`: `percent(on: "2")` is 10, `percent(on: "1")` is 90,
        /// `percent(on: "3")` is 0. Rounded to nine decimals, so a weight of 0.3 reads 30,
        /// not 30.000000000000004.
        public func percent(on version: String) -> Double {
            let fraction = version == functionVersion
                ? max(0, 1 - additionalVersionWeights.values.reduce(0, +))
                : additionalVersionWeights[version] ?? 0
            return (fraction * 100 * 1e9).rounded() / 1e9
        }
    }

    /// What an alias should be when `percent` of its traffic goes to `target` and the
    /// rest stays on `current`: the arithmetic of a traffic shift, written once.
    ///
    /// Lambda's rules: one additional version at most, its weight a fraction below 1,
    /// never the primary version itself, never `$LATEST`. So:
    /// - 0 % → primary `current`, no additional version (the routing is removed);
    /// - 10 % → primary `current`, `{target: 0.1}`;
    /// - 100 % → primary `target`, no additional version (the shift is complete).
    public struct Routing: Sendable, Equatable {
        public var functionVersion: String
        public var additionalVersionWeights: [String: Double]

        public init(functionVersion: String, additionalVersionWeights: [String: Double] = [:]) {
            self.functionVersion = functionVersion
            self.additionalVersionWeights = additionalVersionWeights
        }

        /// The routing for `percent` (0–100) on `target`, the rest on `current`. Throws
        /// `AWSError` (InvalidParameterValueException, checked before anything is sent)
        /// for a percentage outside 0–100, equal versions or `$LATEST`.
        public static func shift(from current: String, to target: String, percent: Double) throws -> Routing {
            func invalid(_ message: String) -> AWSError { Lambda.invalid("UpdateAlias", message) }
            guard percent.isFinite, (0...100).contains(percent) else {
                throw invalid("the share for version \(target) must be between 0 and 100 percent, not \(percent)")
            }
            guard current != target else {
                throw invalid("the current and target versions are both \(current): an alias splits traffic between two versions")
            }
            for version in [current, target] where version == "$LATEST" {
                throw invalid("an alias cannot route to $LATEST: publish a version first")
            }
            let weight = percent / 100
            if weight <= 0 { return Routing(functionVersion: current) }
            if weight >= 1 { return Routing(functionVersion: target) }
            return Routing(functionVersion: current, additionalVersionWeights: [target: weight])
        }
    }

    /// The answer to a synchronous invocation. A function that failed is an answer
    /// like any other (HTTP 200 with `X-Amz-Function-Error`), not a thrown error:
    /// `functionError` says so.
    public struct Invocation: Sendable, Equatable {
        public var status: Int
        /// What the function returned, or its error document when it failed.
        public var payload: [UInt8]
        public var functionError: FunctionError?
        /// The version that ran (for an alias, the one its weights chose).
        public var executedVersion: String?
        /// The last 4 KB of the execution log, when asked for with `logTail: true`.
        public var logTail: String?

        public var succeeded: Bool { functionError == nil }

        /// The payload as JSON, when it is JSON.
        public var json: JSON? { try? JSON(parsing: payload) }

        /// The payload as text (invalid UTF-8 replaced).
        public var text: String { String(decoding: payload, as: UTF8.self) }
    }

    /// Why an invocation failed: `X-Amz-Function-Error` and the error document
    /// (`{"errorType": …, "errorMessage": …}`) the runtime returned.
    public struct FunctionError: Sendable, Equatable, CustomStringConvertible {
        /// `Unhandled` (the runtime caught an exception, a timeout, a crash) or `Handled`.
        public var kind: String
        /// The runtime's error type (`Runtime.ExitError`, `Sandbox.Timedout`, an exception class).
        public var type: String?
        public var message: String

        public var description: String {
            "function error (\(kind))" + (type.map { " \($0)" } ?? "") + (message.isEmpty ? "" : ": \(message)")
        }
    }

    // MARK: - Versions

    /// `$LATEST` or one version (`qualifier`: a version number or an alias).
    public func getFunction(_ function: String, qualifier: String? = nil) throws -> FunctionConfiguration {
        let answer = try client.restJSON(AWSOperation(.lambda, "GetFunction"), method: "GET",
                                         path: URIEncoding.path(Self.apiVersion, "functions", function),
                                         query: qualifier.map { [QueryItem("Qualifier", $0)] } ?? [])
        return try Self.configuration(answer["Configuration"] ?? [:], "GetFunction")
    }

    /// Publishes `$LATEST` as a new version. `codeSHA256` and `revisionID` make Lambda
    /// refuse (PreconditionFailedException) when `$LATEST` is not what the caller saw.
    /// Not retried once sent (see the type's notes).
    public func publishVersion(_ function: String, codeSHA256: String? = nil, revisionID: String? = nil,
                               description: String? = nil) throws -> FunctionConfiguration {
        var body: [String: JSON] = [:]
        if let codeSHA256 { body["CodeSha256"] = .string(codeSHA256) }
        if let revisionID { body["RevisionId"] = .string(revisionID) }
        if let description { body["Description"] = .string(description) }
        let answer = try client.restJSON(AWSOperation(.lambda, "PublishVersion", idempotent: false), method: "POST",
                                         path: URIEncoding.path(Self.apiVersion, "functions", function, "versions"),
                                         body: .object(body))
        return try Self.configuration(answer, "PublishVersion")
    }

    /// Every version of `function`, `$LATEST` included, across every page.
    public func listVersionsByFunction(_ function: String, pageSize: Int = 50) throws -> [FunctionConfiguration] {
        let operation = AWSOperation(.lambda, "ListVersionsByFunction")
        var versions: [FunctionConfiguration] = []
        try client.paginate(operation) { marker in
            var query = [QueryItem("MaxItems", String(pageSize))]
            if let marker { query.append(QueryItem("Marker", marker)) }
            let page = try client.restJSON(operation, method: "GET",
                                           path: URIEncoding.path(Self.apiVersion, "functions", function, "versions"), query: query)
            versions += try (page["Versions"]?.array ?? []).map { try Self.configuration($0, operation.name) }
            return page["NextMarker"]?.string
        }
        return versions
    }

    // MARK: - Aliases

    public func getAlias(function: String, alias: String) throws -> Alias {
        let answer = try client.restJSON(AWSOperation(.lambda, "GetAlias"), method: "GET",
                                         path: URIEncoding.path(Self.apiVersion, "functions", function, "aliases", alias))
        return try Self.alias(answer, "GetAlias")
    }

    /// Points `alias` at `routing` (an empty weight map removes the routing
    /// configuration). With `revisionID`, Lambda refuses (PreconditionFailedException)
    /// when the alias changed since it was read.
    public func updateAlias(function: String, alias: String, routing: Routing, revisionID: String? = nil) throws -> Alias {
        if routing.additionalVersionWeights.count > 1 {
            throw Self.invalid("UpdateAlias", "an alias routes to one additional version at most, not \(routing.additionalVersionWeights.count)")
        }
        for (version, weight) in routing.additionalVersionWeights {
            guard version != routing.functionVersion else {
                throw Self.invalid("UpdateAlias", "version \(version) is both the primary and the additional version")
            }
            guard weight.isFinite, weight >= 0, weight < 1 else {
                throw Self.invalid("UpdateAlias", "the weight of version \(version) must be at least 0 and below 1, not \(weight)")
            }
        }
        var body: [String: JSON] = [
            "FunctionVersion": .string(routing.functionVersion),
            "RoutingConfig": ["AdditionalVersionWeights": .object(routing.additionalVersionWeights.mapValues(JSON.number))],
        ]
        if let revisionID { body["RevisionId"] = .string(revisionID) }
        let answer = try client.restJSON(AWSOperation(.lambda, "UpdateAlias", idempotent: revisionID == nil), method: "PUT",
                                         path: URIEncoding.path(Self.apiVersion, "functions", function, "aliases", alias),
                                         body: .object(body))
        return try Self.alias(answer, "UpdateAlias")
    }

    /// Sends `percent` (0–100) of `alias`'s traffic to version `target` and the rest to
    /// `current` (`Routing.shift`): 0 % puts it wholly back on `current`, 100 % wholly on
    /// `target`.
    public func shiftAlias(function: String, alias: String, from current: String, to target: String,
                           percent: Double, revisionID: String? = nil) throws -> Alias {
        try updateAlias(function: function, alias: alias, routing: Routing.shift(from: current, to: target, percent: percent),
                        revisionID: revisionID)
    }

    /// Creates `alias` on `version` (tests and first deployments). A repeat answers
    /// ResourceConflictException; not retried once sent.
    public func createAlias(function: String, alias: String, version: String, description: String = "") throws -> Alias {
        let answer = try client.restJSON(AWSOperation(.lambda, "CreateAlias"), method: "POST",
                                         path: URIEncoding.path(Self.apiVersion, "functions", function, "aliases"),
                                         body: ["Name": .string(alias), "FunctionVersion": .string(version),
                                                "Description": .string(description)])
        return try Self.alias(answer, "CreateAlias")
    }

    // MARK: - Invoking

    /// Runs `function` (`qualifier`: a version or an alias) synchronously with `payload`
    /// (a JSON document) and returns its answer; a function error is in the result, not
    /// thrown. Errors of the call itself (no such function, throttling, access) throw.
    ///
    /// Never retried once sent: a repeat runs the function again. The client's timeout
    /// bounds the wait, so it must exceed the function's own timeout (up to 15 minutes).
    public func invoke(_ function: String, qualifier: String? = nil, payload: [UInt8] = Array("{}".utf8),
                       logTail: Bool = false) throws -> Invocation {
        var headers: HTTPHeaders = ["X-Amz-Invocation-Type": "RequestResponse"]
        if logTail { headers.add("X-Amz-Log-Type", "Tail") }
        let response = try client.rest(AWSOperation(.lambda, "Invoke"), method: "POST",
                                       path: URIEncoding.path(Self.apiVersion, "functions", function, "invocations"),
                                       query: qualifier.map { [QueryItem("Qualifier", $0)] } ?? [],
                                       headers: headers, body: payload, contentType: "application/json")
        return Self.invocation(response)
    }

    /// `invoke` with a JSON payload.
    public func invoke(_ function: String, qualifier: String? = nil, event: JSON, logTail: Bool = false) throws -> Invocation {
        try invoke(function, qualifier: qualifier, payload: event.encoded(), logTail: logTail)
    }

    // MARK: - Functions (tests)

    /// Creates a function from a zip package (`Code.ZipFile`). `role` must exist (moto
    /// checks it in its own IAM too).
    public func createFunction(_ function: String, zip: [UInt8], role: String, runtime: String = "python3.12",
                               handler: String = "index.handler", timeout: Int = 3,
                               environment: [String: String] = [:]) throws -> FunctionConfiguration {
        var body: [String: JSON] = [
            "FunctionName": .string(function), "Runtime": .string(runtime), "Role": .string(role),
            "Handler": .string(handler), "Timeout": .number(Double(timeout)),
            "Code": ["ZipFile": .string(Data(zip).base64EncodedString())],
        ]
        if !environment.isEmpty { body["Environment"] = ["Variables": .object(environment.mapValues(JSON.string))] }
        let answer = try client.restJSON(AWSOperation(.lambda, "CreateFunction"), method: "POST",
                                         path: URIEncoding.path(Self.apiVersion, "functions"), body: .object(body))
        return try Self.configuration(answer, "CreateFunction")
    }

    /// Replaces `$LATEST`'s code with a zip package.
    public func updateFunctionCode(_ function: String, zip: [UInt8], revisionID: String? = nil) throws -> FunctionConfiguration {
        var body: [String: JSON] = ["ZipFile": .string(Data(zip).base64EncodedString())]
        if let revisionID { body["RevisionId"] = .string(revisionID) }
        let answer = try client.restJSON(AWSOperation(.lambda, "UpdateFunctionCode", idempotent: revisionID == nil), method: "PUT",
                                         path: URIEncoding.path(Self.apiVersion, "functions", function, "code"), body: .object(body))
        return try Self.configuration(answer, "UpdateFunctionCode")
    }

    // MARK: - Reading answers

    static func configuration(_ json: JSON, _ operation: String) throws -> FunctionConfiguration {
        guard let name = json["FunctionName"]?.string, let version = json["Version"]?.string else {
            throw malformed(operation, "no FunctionName or Version in \(json)")
        }
        return FunctionConfiguration(
            name: name, arn: json["FunctionArn"]?.string ?? "", version: version,
            codeSHA256: json["CodeSha256"]?.string ?? "", revisionID: json["RevisionId"]?.string,
            description: json["Description"]?.string ?? "", state: json["State"]?.string,
            lastUpdateStatus: json["LastUpdateStatus"]?.string, lastModified: WireTimestamp.date(json["LastModified"]))
    }

    static func alias(_ json: JSON, _ operation: String) throws -> Alias {
        guard let name = json["Name"]?.string, let version = json["FunctionVersion"]?.string else {
            throw malformed(operation, "no Name or FunctionVersion in \(json)")
        }
        var weights: [String: Double] = [:]
        for (additional, weight) in json["RoutingConfig"]?["AdditionalVersionWeights"]?.object ?? [:] {
            guard let fraction = weight.number else { throw malformed(operation, "the weight of version \(additional) is \(weight)") }
            weights[additional] = fraction
        }
        return Alias(name: name, arn: json["AliasArn"]?.string ?? "", functionVersion: version,
                     additionalVersionWeights: weights, revisionID: json["RevisionId"]?.string,
                     description: json["Description"]?.string ?? "")
    }

    static func invocation(_ response: HTTPResponse) -> Invocation {
        var error: FunctionError?
        if let kind = response.headers["X-Amz-Function-Error"], !kind.isEmpty {
            let document = try? JSON(parsing: response.body)
            error = FunctionError(kind: kind, type: document?["errorType"]?.string,
                                  message: document?["errorMessage"]?.string ?? (document == nil ? response.text : ""))
        }
        let tail = response.headers["X-Amz-Log-Result"]
            .flatMap { Data(base64Encoded: $0) }
            .map { String(decoding: $0, as: UTF8.self) }
        return Invocation(status: response.status, payload: response.body, functionError: error,
                          executedVersion: response.headers["X-Amz-Executed-Version"], logTail: tail)
    }

    /// A request refused before it was sent, with the code Lambda would have answered.
    static func invalid(_ operation: String, _ message: String) -> AWSError {
        AWSError(kind: .service, service: AWSService.lambda.name, operation: operation,
                 code: "InvalidParameterValueException", message: message + " (checked before sending)")
    }

    static func malformed(_ operation: String, _ message: String) -> AWSError {
        AWSError(kind: .malformedResponse, service: AWSService.lambda.name, operation: operation, message: message)
    }
}
