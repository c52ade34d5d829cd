/// Sends one HTTP request and returns the whole response: the client's only I/O.
///
/// Implementations block the calling thread until the answer or the timeout; they
/// may be called from several threads at once. `CurlTransport` is the real one; tests
/// pass fakes.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest, timeout: Duration) -> Result<HTTPResponse, TransportFailure>
}

/// A request that got no HTTP answer.
public struct TransportFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The host name did not resolve.
        case nameResolution
        /// The connection was refused or could not be made.
        case connectionFailed
        /// No complete answer in time.
        case timedOut
        /// The connection broke while sending or receiving.
        case connectionLost
        /// TLS negotiation or certificate verification failed.
        case tls
        case other
    }

    public var kind: Kind
    /// libcurl's (or a fake's) explanation.
    public var message: String
    /// False only when the request certainly never left: the connection was never
    /// established. After that, the server may have received and acted on it.
    public var requestMayHaveBeenSent: Bool

    public init(kind: Kind, message: String, requestMayHaveBeenSent: Bool) {
        self.kind = kind
        self.message = message
        self.requestMayHaveBeenSent = requestMayHaveBeenSent
    }

    public var description: String { message }
}
