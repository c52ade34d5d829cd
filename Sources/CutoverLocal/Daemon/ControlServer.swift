import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One request to the control API, as the router sees it.
struct ControlRequest: Sendable {
    var method: HTTPMethod
    var path: [String]
    var body: Data
}

/// An answer: a status and a JSON body.
struct ControlResponse: Sendable {
    var status: HTTPResponseStatus
    var body: Data

    static func json<T: Encodable>(_ value: T, status: HTTPResponseStatus = .ok) -> ControlResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return ControlResponse(status: status, body: data)
    }

    static func problem(_ message: String, code: String? = nil, status: HTTPResponseStatus = .badRequest) -> ControlResponse {
        json(Control.Problem(message, code: code), status: status)
    }
}

/// The control API's HTTP server on 127.0.0.1: NIO reads requests, the router answers
/// them off the event loop (a lifecycle event may run for an hour).
final class ControlServer: Sendable {
    let channel: Channel
    let group: MultiThreadedEventLoopGroup

    var port: Int { channel.localAddress?.port ?? 0 }

    init(port: Int, router: @escaping @Sendable (ControlRequest) -> ControlResponse) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ControlHandler(router: router))
                }
            }
        do {
            channel = try bootstrap.bind(host: "127.0.0.1", port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw Control.Problem("cannot listen on 127.0.0.1:\(port): \(error)")
        }
    }

    func close() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

private final class ControlHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let router: @Sendable (ControlRequest) -> ControlResponse
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(router: @escaping @Sendable (ControlRequest) -> ControlResponse) { self.router = router }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            let path = head.uri.split(separator: "?").first.map { $0.split(separator: "/").map(String.init) } ?? []
            let request = ControlRequest(method: head.method, path: path, body: Data(body.readableBytesView))
            let router = self.router
            let loop = context.eventLoop
            let bound = NIOLoopBound((self, context), eventLoop: loop)
            let version = head.version
            let keepAlive = head.isKeepAlive
            DispatchQueue.global().async {
                let response = router(request)
                loop.execute {
                    let (handler, context) = bound.value
                    handler.respond(context, response, version: version, keepAlive: keepAlive)
                }
            }
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ response: ControlResponse, version: HTTPVersion, keepAlive: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
