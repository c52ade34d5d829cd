import NIOCore
import NIOHTTP1
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sends one health check request to one target and reports what happened.
///
/// Each probe opens its own connection and asks the target to close it, as ELB's checks
/// do, so a probe never competes with proxied requests for pooled connections and a
/// wedged keep-alive connection cannot hide a dead process.
enum HealthProbe {
    enum Result: Sendable, Equatable {
        case success
        case failure(String)
    }

    static func run(_ target: Target, check: HealthCheck, on eventLoop: any EventLoop) -> EventLoopFuture<Result> {
        let promise = eventLoop.makePromise(of: Result.self)
        let timeout = TimeAmount(check.timeout)
        let timer = eventLoop.scheduleTask(in: timeout) {
            promise.succeed(.failure("timed out after \(check.timeout)"))
        }
        promise.futureResult.whenComplete { _ in timer.cancel() }

        guard let address = target.socketAddress else {
            promise.succeed(.failure("\(target.host) is not an IP address"))
            return promise.futureResult
        }
        let host = target.description
        ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(
                        HealthProbeHandler(path: check.path, host: host, successCodes: check.successCodes, promise: promise))
                }
            }
            .connect(to: address)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    // The verdict comes from the handler or the timer; either way the
                    // connection has served its purpose.
                    promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
                case .failure(let error):
                    promise.succeed(.failure(describeConnectError(error)))
                }
            }
        return promise.futureResult
    }

    /// Short, stable words for connect failures ("connection refused") rather than NIO's
    /// full error dump, because they appear in status displays and timeout errors.
    static func describeConnectError(_ error: any Error) -> String {
        if let io = error as? IOError {
            if io.errnoCode == ECONNREFUSED { return "connection refused" }
            return "connect failed: \(io.description)"
        }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return "connect timed out"
        }
        return "connect failed: \(error)"
    }
}
