/// A call to AWS that failed: the service answered with an error, could not be reached,
/// or answered something that could not be read.
///
/// Its description is what users see:
/// `ELBv2 DescribeTargetGroups: TargetGroupNotFound — One or more target groups not found (request 1234-…)`.
public struct AWSError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The service answered with an error status (its code and message are set).
        case service
        /// No answer: the connection failed or timed out (`transport` says how).
        case unreachable
        /// A success status with a body that could not be decoded.
        case malformedResponse
    }

    public var kind: Kind
    /// The service's short name, as messages show it (`EC2`, `ELBv2`, `Lambda`).
    public var service: String
    public var operation: String
    /// The HTTP status, when there was an answer.
    public var status: Int?
    /// AWS's error code (`ThrottlingException`, `InvalidInstanceID.NotFound`), when it said one.
    public var code: String?
    public var message: String
    public var requestID: String?
    /// How the request failed to get an answer, for `.unreachable`.
    public var transport: TransportFailure?
    /// Where the request went (`https://ec2.us-east-1.amazonaws.com`).
    public var endpoint: String?
    /// How many attempts were made (more than 1 after retries).
    public var attempts: Int

    public init(kind: Kind, service: String, operation: String, status: Int? = nil, code: String? = nil,
                message: String, requestID: String? = nil, transport: TransportFailure? = nil,
                endpoint: String? = nil, attempts: Int = 1) {
        self.kind = kind
        self.service = service
        self.operation = operation
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
        self.transport = transport
        self.endpoint = endpoint
        self.attempts = attempts
    }

    public var description: String {
        var text = "\(service) \(operation): "
        switch kind {
        case .service:
            text += code ?? "HTTP \(status.map(String.init) ?? "?")"
            if !message.isEmpty { text += " — " + message }
        case .unreachable:
            text += "could not reach \(endpoint ?? "the endpoint"): \(message)"
        case .malformedResponse:
            text += "unreadable response (HTTP \(status.map(String.init) ?? "?")): \(message)"
        }
        var notes: [String] = []
        if let requestID { notes.append("request \(requestID)") }
        if attempts > 1 { notes.append("after \(attempts) attempts") }
        if !notes.isEmpty { text += " (" + notes.joined(separator: ", ") + ")" }
        return text
    }

    /// The service refused the call because of its rate (worth retrying later).
    public var isThrottling: Bool { code.map(RetryPolicy.throttlingCodes.contains) ?? false }

    /// The caller's credentials were refused or lack a permission.
    public var isAccessDenied: Bool {
        guard let code else { return status == 403 }
        return ["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthFailure",
                "InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException",
                "UnrecognizedClientException", "InvalidAccessKeyId", "InvalidToken"].contains(code)
    }
}
