import NIOCore

struct GuardTimeout: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out \(what)" }
}

extension EventLoopFuture where Value: Sendable {
    /// This future, failed after `timeout` if it has not completed: a guard so a broken
    /// test fails instead of hanging, never a way of waiting for something.
    func guarded(timeout: Duration, _ what: String) -> EventLoopFuture<Value> {
        let promise = eventLoop.makePromise(of: Value.self)
        let timer = eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            promise.fail(GuardTimeout(what: what))
        }
        cascade(to: promise)
        return promise.futureResult.always { _ in timer.cancel() }
    }
}
