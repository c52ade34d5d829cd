import NIOCore
import NIOHTTP1

/// The balancer's end of one keep-alive connection to a target: the last handler in the
/// upstream channel's pipeline, and the object the pool keeps while the connection idles.
///
/// It lives on one event loop, the same as the client connections it serves, so the
/// proxy calls it directly without hopping threads. While it carries a request its
/// delegate is that request's proxy handler; while idle it has none and closes itself
/// if the target sends anything unasked.
final class UpstreamConnection: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    let target: Target
    let pool: UpstreamPool
    weak var delegate: (any UpstreamConnectionDelegate)?
    private var context: ChannelHandlerContext?
    /// Set while the client cannot take more response bytes; the held read is issued on resume.
    private var readsPaused = false
    private var readPending = false

    init(target: Target, pool: UpstreamPool) {
        self.target = target
        self.pool = pool
    }

    var isActive: Bool { context?.channel.isActive ?? false }
    var isWritable: Bool { context?.channel.isWritable ?? false }

    // MARK: - Used by the proxy

    func send(_ part: HTTPClientRequestPart) {
        guard let context else { return }
        context.write(wrapOutboundOut(part), promise: nil)
    }

    func flush() {
        context?.flush()
    }

    func pauseReads() {
        readsPaused = true
    }

    func resumeReads() {
        readsPaused = false
        if readPending, let context {
            readPending = false
            context.read()
        }
    }

    func close() {
        delegate = nil
        context?.close(promise: nil)
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let delegate else {
            // Nobody asked: a target talking on an idle connection is broken or closing.
            context.close(promise: nil)
            return
        }
        delegate.upstream(self, received: unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete(self)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        delegate?.upstreamWritabilityChanged(self)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let delegate {
            self.delegate = nil
            delegate.upstreamClosed(self, error: nil)
        } else {
            pool.remove(self)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let delegate {
            self.delegate = nil
            delegate.upstreamClosed(self, error: error)
        }
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if readsPaused {
            readPending = true
        } else {
            context.read()
        }
    }
}
