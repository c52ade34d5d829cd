import NIOCore
import NIOHTTP1
import NIOPosix

struct TestResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: String
}

struct TestClientError: Error, CustomStringConvertible {
    let description: String
}

/// One keep-alive HTTP/1.1 connection to 127.0.0.1, sending requests one after another,
/// so a test controls exactly which requests share a connection.
final class TestClient: Sendable {
    let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    static func connect(port: Int) async throws -> TestClient {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(TestClientHandler())
                }
            }
            .connect(to: SocketAddress(ipAddress: "127.0.0.1", port: port))
            .get()
        return TestClient(channel: channel)
    }

    /// Sends a request and returns the whole response; fails after `timeout` (a guard).
    func request(_ method: HTTPMethod = .GET, _ path: String, headers: [(String, String)] = [], body: String? = nil,
                 timeout: Duration = .seconds(30)) async throws -> TestResponse {
        var httpHeaders = HTTPHeaders([("host", "127.0.0.1")] + headers)
        if let body, !httpHeaders.contains(name: "transfer-encoding") {
            httpHeaders.replaceOrAdd(name: "content-length", value: String(body.utf8.count))
        }
        let promise = channel.eventLoop.makePromise(of: TestResponse.self)
        let request = TestRequest(
            head: HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: httpHeaders),
            body: body.map { ByteBuffer(string: $0) }, promise: promise)
        channel.writeAndFlush(request, promise: nil)
        return try await promise.futureResult.guarded(timeout: timeout, "waiting for \(method) \(path)").get()
    }

    func get(_ path: String) async throws -> TestResponse {
        try await request(.GET, path)
    }

    func close() async {
        try? await channel.close()
    }
}

struct TestRequest: Sendable {
    let head: HTTPRequestHead
    let body: ByteBuffer?
    let promise: EventLoopPromise<TestResponse>
}

private final class TestClientHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = TestRequest
    typealias OutboundOut = HTTPClientRequestPart

    private var waiting = CircularBuffer<EventLoopPromise<TestResponse>>()
    private var response: TestResponse?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        waiting.append(request.promise)
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        if let body = request.body {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            response = TestResponse(status: Int(head.status.code), headers: head.headers, body: "")
        case .body(var buffer):
            response?.body += buffer.readString(length: buffer.readableBytes) ?? ""
        case .end:
            if let response, let promise = waiting.popFirst() {
                promise.succeed(response)
            }
            response = nil
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll(TestClientError(description: "connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: any Error) {
        while let promise = waiting.popFirst() { promise.fail(error) }
    }
}
