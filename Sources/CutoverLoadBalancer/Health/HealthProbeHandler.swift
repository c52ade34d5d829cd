import NIOCore
import NIOHTTP1

/// Writes the health check request when the connection opens and judges the response
/// by its status alone; the body is never read.
final class HealthProbeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let path: String
    private let host: String
    private let successCodes: ClosedRange<Int>
    private let promise: EventLoopPromise<HealthProbe.Result>

    init(path: String, host: String, successCodes: ClosedRange<Int>, promise: EventLoopPromise<HealthProbe.Result>) {
        self.path = path
        self.host = host
        self.successCodes = successCodes
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "host", value: host)
        headers.add(name: "user-agent", value: "Cutover-HealthChecker/1.0")
        headers.add(name: "connection", value: "close")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let response) = unwrapInboundIn(data) else { return }
        let code = Int(response.status.code)
        promise.succeed(successCodes.contains(code) ? .success : .failure("status \(code)"))
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.succeed(.failure("connection closed before a response"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.succeed(.failure("\(error)"))
        context.close(promise: nil)
    }
}
