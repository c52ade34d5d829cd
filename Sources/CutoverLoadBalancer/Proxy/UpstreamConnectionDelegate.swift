import NIOHTTP1

/// Receives what happens on an upstream connection while it carries a request.
protocol UpstreamConnectionDelegate: AnyObject {
    func upstream(_ connection: UpstreamConnection, received part: HTTPClientResponsePart)
    func upstreamReadComplete(_ connection: UpstreamConnection)
    func upstreamWritabilityChanged(_ connection: UpstreamConnection)
    /// The connection closed or failed before the response ended.
    func upstreamClosed(_ connection: UpstreamConnection, error: (any Error)?)
}
