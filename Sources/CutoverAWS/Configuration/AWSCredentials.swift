/// An access key, its secret and, for temporary credentials, the session token.
///
/// The secret and the token never appear in descriptions, dumps or errors.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken.flatMap { $0.isEmpty ? nil : $0 }
    }

    public var description: String {
        "access key \(accessKeyID) (secret hidden\(sessionToken == nil ? "" : ", with a session token"))"
    }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "accessKeyID": accessKeyID,
            "secretAccessKey": "<hidden>",
            "sessionToken": sessionToken == nil ? "none" : "<hidden>",
        ])
    }
}
