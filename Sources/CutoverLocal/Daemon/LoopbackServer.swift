import Foundation

/// A tiny HTTP server on 127.0.0.1 that answers every request with the same text
/// (benchmarks and tests use it as a backend).
public final class LoopbackServer: Sendable {
    let server: ControlServer
    public var port: Int { server.port }

    public init(answer: String) throws {
        let body = Data(answer.utf8)
        server = try ControlServer(port: 0) { _ in ControlResponse(status: .ok, body: body) }
    }

    public func close() { server.close() }
}
