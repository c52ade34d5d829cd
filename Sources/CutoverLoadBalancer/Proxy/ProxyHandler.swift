import NIOCore
import NIOHTTP1
import NIOPosix

/// Proxies the requests of one client connection, one at a time, to targets of the
/// listener's target groups.
///
/// It sits after NIO's server pipeline (with pipelining assistance, so requests arrive
/// one at a time) and forwards each request's parts to an upstream connection from the
/// pool of its own event loop, and the response's parts back, as they arrive. Bodies
/// stream with backpressure in both directions: the client is not read while the
/// upstream connection is still opening or cannot take more, and the upstream is not
/// read while the client cannot take more.
final class ProxyHandler: ChannelDuplexHandler, RemovableChannelHandler, UpstreamConnectionDelegate {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// One request on its way through the balancer.
    private final class Exchange {
        let request: HTTPRequestHead
        let upstreamHead: HTTPRequestHead
        let expectsContinue: Bool
        let group: TargetGroup
        let started: NIODeadline
        var lease: TargetLease
        var upstream: UpstreamConnection?
        /// Request parts read before the upstream connection was ready.
        var buffered: [HTTPClientRequestPart] = []
        var requestComplete = false
        var responseStarted = false
        var status = 0
        var clientKeepAlive: Bool
        var upstreamReusable = false
        var retried = false

        init(request: HTTPRequestHead, upstreamHead: HTTPRequestHead, expectsContinue: Bool, group: TargetGroup,
             lease: TargetLease, started: NIODeadline) {
            self.request = request
            self.upstreamHead = upstreamHead
            self.expectsContinue = expectsContinue
            self.group = group
            self.lease = lease
            self.started = started
            self.clientKeepAlive = request.isKeepAlive
        }

        var micros: UInt64 {
            UInt64(max(0, (NIODeadline.now() - started).nanoseconds / 1000))
        }
    }

    private let router: ListenerRouter
    private let pools: UpstreamPoolRegistry
    private let listenerPort: Int
    private let connectTimeout: TimeAmount
    private var pool: UpstreamPool?
    private var context: ChannelHandlerContext?
    private var clientAddress: String?
    private var exchange: Exchange?
    /// Set after the balancer answered a request whose body is still arriving: the rest
    /// of that body is read and dropped.
    private var discardingRequest = false
    private var readPending = false

    init(router: ListenerRouter, pools: UpstreamPoolRegistry, listenerPort: Int, connectTimeout: TimeAmount) {
        self.router = router
        self.pools = pools
        self.listenerPort = listenerPort
        self.connectTimeout = connectTimeout
    }

    // MARK: - Client side

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.pool = pools.pool(on: context.eventLoop) ?? UpstreamPool(eventLoop: context.eventLoop, idleTimeout: pools.idleTimeout)
        self.clientAddress = context.channel.remoteAddress?.ipAddress
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        abandonExchange()
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            beginExchange(head, context: context)
        case .body(let buffer):
            guard !discardingRequest, let exchange else { return }
            forward(.body(.byteBuffer(buffer)), of: exchange)
        case .end(let trailers):
            if discardingRequest {
                discardingRequest = false
                resumeClientReads()
                return
            }
            guard let exchange else { return }
            exchange.requestComplete = true
            forward(.end(trailers), of: exchange)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        exchange?.upstream?.flush()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if let upstream = exchange?.upstream {
            if context.channel.isWritable { upstream.resumeReads() } else { upstream.pauseReads() }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        abandonExchange()
        context.fireChannelInactive()
    }

    func read(context: ChannelHandlerContext) {
        if holdClientReads {
            readPending = true
        } else {
            context.read()
        }
    }

    /// While a request body is still arriving, reading the client is pointless until the
    /// upstream connection exists and can take more.
    private var holdClientReads: Bool {
        guard let exchange, !exchange.requestComplete else { return false }
        guard let upstream = exchange.upstream else { return true }
        return !upstream.isWritable
    }

    private func resumeClientReads() {
        guard readPending, !holdClientReads, let context else { return }
        readPending = false
        context.read()
    }

    // MARK: - Exchanges

    private func beginExchange(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard exchange == nil, !discardingRequest else {
            // The pipelining handler delivers one request at a time; anything else is a bug.
            context.close(promise: nil)
            return
        }
        let started = NIODeadline.now()
        let group = router.pick()
        guard let lease = group.acquire() else {
            discardingRequest = true
            // A client waiting for 100 Continue may never send its body; the connection
            // cannot be reused unless it does, so it is closed.
            let waitsForContinue = head.headers["expect"].contains { $0.lowercased() == "100-continue" }
            // Counted before answering, so whoever reads the answer sees it in the metrics.
            group.finish(nil, .noHealthyTarget(micros: UInt64(max(0, (NIODeadline.now() - started).nanoseconds / 1000))))
            respond(.serviceUnavailable, "no healthy target in target group \(group.name)\n", to: head, close: waitsForContinue)
            return
        }
        let rewritten = ProxyHeaders.upstreamRequest(head, clientAddress: clientAddress, listenerPort: listenerPort)
        let upstreamHead = HTTPRequestHead(version: .http1_1, method: head.method, uri: head.uri, headers: rewritten.headers)
        let exchange = Exchange(request: head, upstreamHead: upstreamHead, expectsContinue: rewritten.expectsContinue,
                                group: group, lease: lease, started: started)
        self.exchange = exchange
        connectUpstream(for: exchange)
    }

    private func forward(_ part: HTTPClientRequestPart, of exchange: Exchange) {
        if let upstream = exchange.upstream {
            upstream.send(part)
        } else {
            exchange.buffered.append(part)
        }
    }

    private func connectUpstream(for exchange: Exchange) {
        guard let pool, let context else { return }
        let target = exchange.lease.target
        if let upstream = pool.take(target) {
            attach(upstream, to: exchange)
            return
        }
        guard let address = target.socketAddress else {
            upstreamConnectFailed(exchange, reason: "\(target.host) is not an IP address")
            return
        }
        let boundPool = NIOLoopBound(pool, eventLoop: context.eventLoop)
        ClientBootstrap(group: context.eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Headers sent upstream were parsed (and so validated) from the client's
                    // request; validating them again costs a pass over every byte.
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(enableOutboundHeaderValidation: false)
                    try channel.pipeline.syncOperations.addHandler(UpstreamConnection(target: target, pool: boundPool.value))
                }
            }
            .connect(to: address)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    guard let upstream = try? channel.pipeline.syncOperations.handler(type: UpstreamConnection.self) else {
                        channel.close(promise: nil)
                        return
                    }
                    if self.exchange === exchange, exchange.upstream == nil {
                        self.attach(upstream, to: exchange)
                    } else {
                        // The client left while we connected; the connection is still good.
                        upstream.pool.put(upstream)
                    }
                case .failure(let error):
                    guard self.exchange === exchange else { return }
                    self.upstreamConnectFailed(exchange, reason: HealthProbe.describeConnectError(error))
                }
            }
    }

    private func attach(_ upstream: UpstreamConnection, to exchange: Exchange) {
        exchange.upstream = upstream
        upstream.delegate = self
        if let context, !context.channel.isWritable { upstream.pauseReads() } else { upstream.resumeReads() }
        if exchange.expectsContinue, !exchange.requestComplete, let context {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: exchange.request.version, status: .continue))),
                                  promise: nil)
        }
        upstream.send(.head(exchange.upstreamHead))
        for part in exchange.buffered { upstream.send(part) }
        exchange.buffered = []
        upstream.flush()
        resumeClientReads()
    }

    /// Nothing reached the target, so an idempotent request may go to another one, once.
    private func upstreamConnectFailed(_ exchange: Exchange, reason: String) {
        let failed = exchange.lease
        if !exchange.retried, ProxyHeaders.isIdempotent(exchange.request.method),
           let next = exchange.group.acquire(excluding: failed.target) {
            exchange.retried = true
            exchange.lease = next
            exchange.group.finish(failed, .retrying)
            connectUpstream(for: exchange)
            return
        }
        self.exchange = nil
        if !exchange.requestComplete { discardingRequest = true }
        exchange.group.finish(failed, .badGateway(micros: exchange.micros))
        respond(.badGateway, "bad gateway: cannot connect to target \(failed.target) in target group \(exchange.group.name): \(reason)\n",
                to: exchange.request, close: exchange.expectsContinue && !exchange.requestComplete)
        resumeClientReads()
    }

    /// The client went away mid-exchange: the upstream connection is in an unknown
    /// state, so it is closed rather than pooled.
    private func abandonExchange() {
        guard let exchange else { return }
        self.exchange = nil
        exchange.group.finish(exchange.lease, .clientAborted)
        if let upstream = exchange.upstream {
            exchange.upstream = nil
            upstream.close()
        }
    }

    // MARK: - Upstream side

    func upstream(_ connection: UpstreamConnection, received part: HTTPClientResponsePart) {
        guard let exchange, exchange.upstream === connection, let context else {
            connection.close()
            return
        }
        switch part {
        case .head(let response):
            let rewritten = ProxyHeaders.clientResponse(response, to: exchange.request)
            exchange.status = Int(response.status.code)
            exchange.clientKeepAlive = rewritten.keepAlive
            exchange.upstreamReusable = rewritten.upstreamReusable
            exchange.responseStarted = true
            let head = HTTPResponseHead(version: exchange.request.version, status: response.status, headers: rewritten.headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
        case .body(let buffer):
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            if !context.channel.isWritable { connection.pauseReads() }
        case .end(let trailers):
            finishExchange(exchange, trailers: trailers, context: context)
        }
    }

    func upstreamReadComplete(_ connection: UpstreamConnection) {
        context?.flush()
    }

    func upstreamWritabilityChanged(_ connection: UpstreamConnection) {
        resumeClientReads()
    }

    func upstreamClosed(_ connection: UpstreamConnection, error: (any Error)?) {
        guard let exchange, exchange.upstream === connection, let context else { return }
        self.exchange = nil
        exchange.upstream = nil
        exchange.group.finish(exchange.lease, .badGateway(micros: exchange.micros))
        if exchange.responseStarted {
            // Part of the response is already with the client; it cannot be completed.
            context.close(promise: nil)
            return
        }
        if !exchange.requestComplete { discardingRequest = true }
        let why = error.map { ": \($0)" } ?? ""
        respond(.badGateway, "bad gateway: target \(exchange.lease.target) in target group \(exchange.group.name) closed the connection before responding\(why)\n",
                to: exchange.request, close: exchange.expectsContinue && !exchange.requestComplete)
        resumeClientReads()
    }

    private func finishExchange(_ exchange: Exchange, trailers: HTTPHeaders?, context: ChannelHandlerContext) {
        self.exchange = nil
        if let upstream = exchange.upstream {
            exchange.upstream = nil
            if exchange.requestComplete && exchange.upstreamReusable {
                upstream.pool.put(upstream)
            } else {
                upstream.close()
            }
        }
        if !exchange.requestComplete { discardingRequest = true }
        exchange.group.finish(exchange.lease, .answered(status: exchange.status, micros: exchange.micros))
        writeEnd(trailers, keepAlive: exchange.clientKeepAlive, context: context)
        resumeClientReads()
    }

    // MARK: - Writing

    /// Answers a request on the balancer's own behalf (503, 502) with a short text body.
    private func respond(_ status: HTTPResponseStatus, _ text: String, to request: HTTPRequestHead, close: Bool = false) {
        guard let context else { return }
        var body = context.channel.allocator.buffer(capacity: text.utf8.count)
        body.writeString(text)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "text/plain; charset=utf-8")
        headers.add(name: "content-length", value: String(body.readableBytes))
        let keepAlive = request.isKeepAlive && !close
        if !keepAlive { headers.add(name: "connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        writeEnd(nil, keepAlive: keepAlive, context: context)
    }

    private func writeEnd(_ trailers: HTTPHeaders?, keepAlive: Bool, context: ChannelHandlerContext) {
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: nil)
        } else {
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: written)
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
