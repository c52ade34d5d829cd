import Foundation

/// An access key, its secret and, for temporary credentials, the session token and
/// when they stop working.
///
/// The secret and the token never appear in descriptions, dumps or errors.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomReflectable {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let sessionToken: String?
    /// When temporary credentials expire; nil for long-term keys (and for temporary
    /// ones whose source does not say, such as exported environment variables).
    public let expiration: Date?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken.flatMap { $0.isEmpty ? nil : $0 }
        self.expiration = expiration
    }

    public var description: String {
        "access key \(accessKeyID) (secret hidden\(sessionToken == nil ? "" : ", with a session token")"
            + (expiration.map { ", expires \(Self.timestamp($0))" } ?? "") + ")"
    }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "accessKeyID": accessKeyID,
            "secretAccessKey": "<hidden>",
            "sessionToken": sessionToken == nil ? "none" : "<hidden>",
            "expiration": expiration.map(Self.timestamp) ?? "never",
        ])
    }

    /// `2026-11-28T23:03:06Z`: how expirations are shown.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
