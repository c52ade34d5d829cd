import NIOCore

/// The upstream pools of every event loop in the balancer's group, found by loop.
///
/// Built once from the group's loops, so looking a pool up needs no lock; operations
/// that concern all pools (a target leaving, shutdown) run on each pool's own loop.
final class UpstreamPoolRegistry: Sendable {
    private let pools: [ObjectIdentifier: NIOLoopBoundBox<UpstreamPool>]
    private let loops: [any EventLoop]
    private let sweeps: [RepeatedTask]
    let idleTimeout: TimeAmount

    init(eventLoopGroup: any EventLoopGroup, idleTimeout: TimeAmount) {
        var pools: [ObjectIdentifier: NIOLoopBoundBox<UpstreamPool>] = [:]
        var loops: [any EventLoop] = []
        var sweeps: [RepeatedTask] = []
        for loop in eventLoopGroup.makeIterator() {
            let box = NIOLoopBoundBox.makeBoxSendingValue(UpstreamPool(eventLoop: loop, idleTimeout: idleTimeout), eventLoop: loop)
            pools[ObjectIdentifier(loop)] = box
            loops.append(loop)
            // Checking twice per timeout closes a connection at most 1.5 timeouts after its
            // last use; `take` never hands out an expired one whatever the sweep's timing.
            sweeps.append(loop.scheduleRepeatedTask(initialDelay: idleTimeout, delay: .nanoseconds(max(1, idleTimeout.nanoseconds / 2))) { _ in
                box.value.closeExpired()
            })
        }
        self.pools = pools
        self.loops = loops
        self.sweeps = sweeps
        self.idleTimeout = idleTimeout
    }

    /// The pool for the calling event loop; nil for a loop outside the group.
    func pool(on loop: any EventLoop) -> UpstreamPool? {
        pools[ObjectIdentifier(loop)]?.value
    }

    func closeIdle(to target: Target) {
        for loop in loops {
            guard let box = pools[ObjectIdentifier(loop)] else { continue }
            loop.execute { box.value.closeIdle(to: target) }
        }
    }

    func closeAll(on eventLoopGroup: any EventLoopGroup) -> EventLoopFuture<Void> {
        for sweep in sweeps { sweep.cancel() }
        let done = loops.compactMap { loop -> EventLoopFuture<Void>? in
            guard let box = pools[ObjectIdentifier(loop)] else { return nil }
            return loop.submit { box.value.closeAll() }
        }
        return EventLoopFuture.andAllComplete(done, on: eventLoopGroup.next())
    }

    /// Idle connections across all loops, for tests and status displays.
    func idleCount(on eventLoopGroup: any EventLoopGroup) -> EventLoopFuture<Int> {
        let counts = loops.compactMap { loop -> EventLoopFuture<Int>? in
            guard let box = pools[ObjectIdentifier(loop)] else { return nil }
            return loop.submit { box.value.idleCount }
        }
        return EventLoopFuture.whenAllSucceed(counts, on: eventLoopGroup.next()).map { $0.reduce(0, +) }
    }
}
