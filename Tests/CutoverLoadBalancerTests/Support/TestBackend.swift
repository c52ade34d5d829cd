import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small HTTP backend on 127.0.0.1 that answers with its own name, so a test can see
/// which target served each request.
///
/// Routes: `/health` answers 200 or 500 as `setHealthy` says; `/headers` echoes the
/// request headers, one `name: value` line each; `/slow` holds its response until
/// `releaseSlow()`; `/close` closes the connection without answering; `/echo` answers
/// with the request body; `/bytes/N` answers N bytes. Anything else answers the name.
/// `stop()` closes the listening socket and every open connection, as a process exit
/// would; `restart()` listens on the same port again.
final class TestBackend: Sendable {
    let name: String
    private let state: Mutex<State>

    private struct State {
        var port: Int
        var server: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var acceptedConnections = 0
        var trafficConnections = 0
        var requests = 0
        var healthy = true
        var trafficConnectionsClosed = 0
        var slowWaiting: [EventLoopPromise<Void>] = []
        var slowSeen = 0
        /// Woken on every change that `waitUntil` may be waiting for.
        var watchers: [EventLoopPromise<Void>] = []
    }

    private init(name: String, port: Int) {
        self.name = name
        self.state = Mutex(State(port: port))
    }

    deinit {
        // Unfulfilled promises crash debug builds when freed; settle whatever is left.
        let (watchers, slow) = state.withLock { ($0.watchers, $0.slowWaiting) }
        for watcher in watchers { watcher.fail(ChannelError.ioOnClosedChannel) }
        for promise in slow { promise.succeed(()) }
    }

    static func start(_ name: String, port: Int = 0) async throws -> TestBackend {
        let backend = TestBackend(name: name, port: port)
        try await backend.listen()
        return backend
    }

    var port: Int { state.withLock { $0.port } }
    var acceptedConnections: Int { state.withLock { $0.acceptedConnections } }
    /// Connections that carried at least one request other than a health check: the
    /// balancer's proxied connections, as opposed to its health probes.
    var trafficConnections: Int { state.withLock { $0.trafficConnections } }
    var requests: Int { state.withLock { $0.requests } }

    func setHealthy(_ healthy: Bool) {
        state.withLock { $0.healthy = healthy }
    }

    var isHealthy: Bool { state.withLock { $0.healthy } }

    /// Returns once `count` slow requests have arrived in total.
    func slowRequestsArrived(_ count: Int = 1) async throws {
        try await waitUntil("\(count) slow requests arrive") { $0.slowSeen >= count }
    }

    /// Returns once `count` connections that carried traffic have closed in total.
    func trafficConnectionsClosed(_ count: Int) async throws {
        try await waitUntil("\(count) traffic connections close") { $0.trafficConnectionsClosed >= count }
    }

    private func waitUntil(_ what: String, _ condition: (State) -> Bool) async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        while true {
            let future: EventLoopFuture<Void>? = state.withLock { s in
                if condition(s) { return nil }
                let promise = loop.makePromise(of: Void.self)
                s.watchers.append(promise)
                return promise.futureResult
            }
            guard let future else { return }
            try await future.guarded(timeout: .seconds(30), "waiting for \(what) at \(name)").get()
        }
    }

    private func changed(_ change: (inout State) -> Void) {
        let watchers = state.withLock { s in
            change(&s)
            defer { s.watchers = [] }
            return s.watchers
        }
        for watcher in watchers { watcher.succeed(()) }
    }

    /// Lets every held `/slow` request answer.
    func releaseSlow() {
        let waiting = state.withLock { s in
            defer { s.slowWaiting = [] }
            return s.slowWaiting
        }
        for promise in waiting { promise.succeed(()) }
    }

    func stop() async throws {
        let (server, connections) = state.withLock { s in
            defer {
                s.server = nil
                s.connections = [:]
            }
            return (s.server, Array(s.connections.values))
        }
        try await server?.close()
        for connection in connections { try? await connection.close() }
        releaseSlow()
    }

    /// Listens again on the same port. An ephemeral port can be taken meanwhile by some
    /// other test's outgoing connection (it is a local port of that connection): try
    /// again while that connection lasts, up to 10 s.
    func restart() async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while true {
            do {
                try await listen()
                return
            } catch let error as IOError where error.errnoCode == EADDRINUSE && clock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    // MARK: - Internals

    private func listen() async throws {
        let port = state.withLock { $0.port }
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                self.accepted(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(BackendHandler(backend: self))
                }
            }
            .bind(to: SocketAddress(ipAddress: "127.0.0.1", port: port))
            .get()
        state.withLock { s in
            s.server = server
            s.port = server.localAddress!.port!
        }
    }

    private func accepted(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        state.withLock { s in
            s.acceptedConnections += 1
            s.connections[id] = channel
        }
        channel.closeFuture.whenComplete { _ in self.state.withLock { _ = $0.connections.removeValue(forKey: id) } }
    }

    fileprivate func countRequest(firstOnConnection: Bool) {
        state.withLock { s in
            s.requests += 1
            if firstOnConnection { s.trafficConnections += 1 }
        }
    }

    /// Registers a held slow request; the future completes when it may answer.
    fileprivate func holdSlow(on loop: any EventLoop) -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        changed { s in
            s.slowWaiting.append(promise)
            s.slowSeen += 1
        }
        return promise.futureResult
    }

    fileprivate func trafficConnectionClosed() {
        changed { $0.trafficConnectionsClosed += 1 }
    }
}

/// Answers one backend's requests.
private final class BackendHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let backend: TestBackend
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var servedTraffic = false

    init(backend: TestBackend) {
        self.backend = backend
    }

    func channelInactive(context: ChannelHandlerContext) {
        if servedTraffic { backend.trafficConnectionClosed() }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body = context.channel.allocator.buffer(capacity: 0)
            if head.uri == "/close" {
                context.close(promise: nil)
            }
        case .body(var chunk):
            body?.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            self.head = nil
            if head.uri != "/health" {
                backend.countRequest(firstOnConnection: !servedTraffic)
                servedTraffic = true
            }
            answer(head, context: context)
        }
    }

    private func answer(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        switch head.uri {
        case "/health":
            respond(context, status: backend.isHealthy ? .ok : .internalServerError, backend.name)
        case "/headers":
            let lines = head.headers.map { "\($0.name.lowercased()): \($0.value)\n" }.joined()
            respond(context, status: .ok, lines)
        case "/slow":
            backend.holdSlow(on: context.eventLoop).assumeIsolated().whenComplete { _ in
                self.respond(context, status: .ok, self.backend.name)
            }
        case "/echo":
            var buffer = body ?? context.channel.allocator.buffer(capacity: 0)
            respond(context, status: .ok, buffer.readString(length: buffer.readableBytes) ?? "")
        case "/fail":
            respond(context, status: .internalServerError, backend.name)
        default:
            if head.uri.hasPrefix("/bytes/"), let n = Int(head.uri.dropFirst("/bytes/".count)) {
                respond(context, status: .ok, String(repeating: "x", count: n))
            } else {
                respond(context, status: .ok, backend.name)
            }
        }
    }

    private func respond(_ context: ChannelHandlerContext, status: HTTPResponseStatus, _ text: String) {
        var headers = HTTPHeaders()
        headers.add(name: "content-length", value: String(text.utf8.count))
        headers.add(name: "x-backend", value: backend.name)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
