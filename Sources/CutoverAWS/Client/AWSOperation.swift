/// One operation of one service, and whether repeating it is harmless.
///
/// `idempotent` decides retries after a request may have reached the server (a 5xx,
/// a timeout, a connection lost mid-answer): such a request may have done its work,
/// and only an idempotent operation can be sent again without doing it twice.
/// Answers that prove nothing was done (throttling, a refused connection) are retried
/// for every operation.
///
/// Idempotent are: reads (`Describe*`, `Get*`, `List*`, `Head*`, inferred from the
/// name), calls that carry a client token (`RunInstances` with `ClientToken`,
/// `CreateTaskSet` with `clientToken`: the service recognises a repeat), and calls
/// that set a state rather than change it by a step (`PutObject`, `UpdateAlias`,
/// `SetDesiredCapacity`, `ModifyListener`), which their definitions mark explicitly.
public struct AWSOperation: Sendable, Equatable, CustomStringConvertible {
    public let service: AWSService
    public let name: String
    public let idempotent: Bool

    /// `idempotent` nil: true for names starting with Describe, Get, List or Head.
    public init(_ service: AWSService, _ name: String, idempotent: Bool? = nil) {
        self.service = service
        self.name = name
        self.idempotent = idempotent ?? Self.readPrefixes.contains { name.hasPrefix($0) }
    }

    static let readPrefixes = ["Describe", "Get", "List", "Head"]

    public var description: String { "\(service.name) \(name)" }
}
