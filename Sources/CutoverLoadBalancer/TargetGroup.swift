import NIOCore
import Synchronization

/// A named set of targets that share a health check, as an ELB target group is: the
/// unit a listener forwards to and a deployment registers and deregisters hosts in.
///
/// The group runs its own health checks, picks a healthy target for each request (round
/// robin over healthy targets in registration order), counts in-flight requests per
/// target so deregistration can drain, and keeps the group's traffic metrics. All of it
/// sits behind one lock; the proxy takes it twice per request (pick, finish), the rest
/// of the API rarely.
public final class TargetGroup: Sendable {
    public let name: String
    public let healthCheck: HealthCheck
    let eventLoopGroup: any EventLoopGroup
    let pools: UpstreamPoolRegistry
    private let state: Mutex<State>

    init(name: String, healthCheck: HealthCheck, eventLoopGroup: any EventLoopGroup, pools: UpstreamPoolRegistry) {
        self.state = Mutex(State(groupName: name))
        self.name = name
        self.healthCheck = healthCheck
        self.eventLoopGroup = eventLoopGroup
        self.pools = pools
    }

    // MARK: - Registration

    /// Adds a target. It starts `initial` and gets traffic once it passes
    /// `healthyThreshold` health checks, or at once when `initiallyHealthy` (tests, and
    /// callers that already know the process answers). Registering a registered target
    /// again changes nothing, as with ELB.
    public func register(_ target: Target, initiallyHealthy: Bool = false) throws(LoadBalancerError) {
        guard target.socketAddress != nil else { throw .invalidTarget(target, reason: "host must be an IP address") }
        guard (1...65535).contains(target.port) else { throw .invalidTarget(target, reason: "port must be 1–65535") }
        let check = healthCheck
        let loop = eventLoopGroup.next()
        var effects = Effects()
        try state.withLock { (s: inout State) throws(LoadBalancerError) in
            guard !s.stopped else { throw .shutDown }
            if let existing = s.entries[target] {
                if existing.state == .draining { throw .targetDraining(target, targetGroup: name) }
                return
            }
            let id = s.nextID
            s.nextID += 1
            var entry = Entry(id: id, state: .initial)
            entry.checks = loop.scheduleRepeatedAsyncTask(initialDelay: .zero, delay: TimeAmount(check.interval)) { _ in
                HealthProbe.run(target, check: check, on: loop).map { result in
                    self.apply(result, to: target, id: id)
                }
            }
            s.entries[target] = entry
            s.order.append(target)
            if initiallyHealthy { s.setState(target, .healthy, effects: &effects) }
        }
        effects.run(pools: pools)
    }

    /// Stops sending new requests to a target and drains it: the returned drain ends
    /// when the target's in-flight requests reach zero or `drainTimeout` passes, and the
    /// target is then removed from the group. Deregistering a draining target again
    /// joins the drain under way.
    public func beginDeregistration(_ target: Target, drainTimeout: Duration) throws(LoadBalancerError) -> TargetDrain {
        let loop = eventLoopGroup.next()
        let promise = loop.makePromise(of: DrainOutcome.self)
        var effects = Effects()
        let result: Result<Void, LoadBalancerError> = state.withLock { s in
            guard !s.stopped else { return .failure(.shutDown) }
            guard var entry = s.entries[target] else { return .failure(.targetNotRegistered(target, targetGroup: name)) }
            entry.drains.append(promise)
            if entry.state == .draining {
                s.entries[target] = entry
                return .success(())
            }
            if let checks = entry.checks { effects.checks.append(checks) }
            entry.checks = nil
            let id = entry.id
            entry.drainTimer = loop.scheduleTask(in: TimeAmount(drainTimeout)) {
                self.drainTimedOut(target, id: id)
            }
            s.entries[target] = entry
            s.setState(target, .draining, effects: &effects)
            if entry.inFlight == 0 { s.remove(target, outcome: .drained, effects: &effects) }
            return .success(())
        }
        if case .failure(let error) = result {
            promise.succeed(.drained)  // never handed out; completed so it does not leak
            throw error
        }
        effects.run(pools: pools)
        return TargetDrain(target: target, future: promise.futureResult)
    }

    /// Deregisters a target and returns once it has drained or `drainTimeout` has passed.
    @discardableResult
    public func deregister(_ target: Target, drainTimeout: Duration) async throws(LoadBalancerError) -> DrainOutcome {
        try await beginDeregistration(target, drainTimeout: drainTimeout).outcome()
    }

    // MARK: - Waiting for health

    /// Returns once the target is healthy; throws if it is not within `timeout` (the
    /// error says what state it is in and why the last check failed) or if it is
    /// deregistered meanwhile. CodeDeploy's AllowTraffic waits like this.
    public func waitUntilHealthy(_ target: Target, timeout: Duration) async throws(LoadBalancerError) {
        try await waitUntil(target, is: .healthy, timeout: timeout)
    }

    /// Returns once the target is in `wanted`, under the same rules as `waitUntilHealthy`.
    public func waitUntil(_ target: Target, is wanted: TargetHealthState, timeout: Duration) async throws(LoadBalancerError) {
        guard let future = try beginWait(target, is: wanted, timeout: timeout) else { return }
        do {
            try await future.get()
        } catch let error as LoadBalancerError {
            throw error
        } catch {
            throw .shutDown
        }
    }

    /// Registers a wait for `wanted` and returns its future, or nil when the target is
    /// already there; split from `waitUntil` so the registration happens before the call returns.
    func beginWait(_ target: Target, is wanted: TargetHealthState, timeout: Duration) throws(LoadBalancerError) -> EventLoopFuture<Void>? {
        let loop = eventLoopGroup.next()
        return try state.withLock { (s: inout State) throws(LoadBalancerError) in
            guard !s.stopped else { throw .shutDown }
            guard var entry = s.entries[target] else { throw .targetNotRegistered(target, targetGroup: name) }
            if entry.state == wanted { return nil }
            let promise = loop.makePromise(of: Void.self)
            let timer = loop.scheduleTask(in: TimeAmount(timeout)) {
                self.waitTimedOut(target, promise: promise, timeout: timeout)
            }
            entry.waiters.append(Waiter(wanted: wanted, promise: promise, timer: timer))
            s.entries[target] = entry
            return promise.futureResult
        }
    }

    // MARK: - Inspection

    public func health(of target: Target) -> TargetHealth? {
        state.withLock { s in s.entries[target].map { TargetHealth(target: target, state: $0.state, reason: $0.reason, inFlight: $0.inFlight) } }
    }

    /// Every registered target (draining ones included) in registration order.
    public func targetHealth() -> [TargetHealth] {
        state.withLock { s in
            s.order.compactMap { target in
                s.entries[target].map { TargetHealth(target: target, state: $0.state, reason: $0.reason, inFlight: $0.inFlight) }
            }
        }
    }

    public func metrics() -> TargetGroupMetrics {
        state.withLock { s in
            TargetGroupMetrics(
                targetGroup: name, requests: s.requests, responses5xx: s.responses5xx, badGateway: s.badGateway,
                noHealthyTarget: s.noHealthyTarget, retries: s.retries, clientAborts: s.clientAborts,
                inFlight: s.entries.values.reduce(0) { $0 + $1.inFlight }, latency: s.latency)
        }
    }

    // MARK: - Used by the proxy

    /// Picks the next healthy target (skipping `excluded`, the one a retry is leaving)
    /// and counts the request as in flight to it; nil when no target may take it.
    func acquire(excluding excluded: Target? = nil) -> TargetLease? {
        state.withLock { s in
            let count = s.healthy.count
            guard count > 0 else { return nil }
            for _ in 0..<count {
                let target = s.healthy[s.cursor % count]
                s.cursor &+= 1
                if target == excluded { continue }
                guard let id = s.entries[target]?.id else { continue }
                s.entries[target]?.inFlight += 1
                return TargetLease(target: target, entryID: id)
            }
            return nil
        }
    }

    /// Records how a request ended and, when it held a target, that it is no longer in
    /// flight there — which may finish a drain.
    func finish(_ lease: TargetLease?, _ outcome: RequestOutcome) {
        var effects = Effects()
        state.withLock { s in
            switch outcome {
            case .answered(let status, let micros):
                s.requests += 1
                if (500...599).contains(status) { s.responses5xx += 1 }
                s.latency.record(microseconds: micros)
            case .badGateway(let micros):
                s.requests += 1
                s.responses5xx += 1
                s.badGateway += 1
                s.latency.record(microseconds: micros)
            case .noHealthyTarget(let micros):
                s.requests += 1
                s.responses5xx += 1
                s.noHealthyTarget += 1
                s.latency.record(microseconds: micros)
            case .retrying:
                s.retries += 1
            case .clientAborted:
                s.clientAborts += 1
            }
            guard let lease, s.entries[lease.target]?.id == lease.entryID else { return }
            s.entries[lease.target]?.inFlight -= 1
            if let entry = s.entries[lease.target], entry.state == .draining && entry.inFlight == 0 {
                s.remove(lease.target, outcome: .drained, effects: &effects)
            }
        }
        effects.run(pools: pools)
    }

    /// Stops health checks and settles every waiter, for shutdown; returns when the
    /// last running check has finished so no check outlives the event loops.
    func stop() -> EventLoopFuture<Void> {
        var effects = Effects()
        state.withLock { s in
            s.stopped = true
            for target in s.order {
                guard var entry = s.entries[target] else { continue }
                if let checks = entry.checks { effects.checks.append(checks) }
                entry.checks = nil
                for waiter in entry.waiters {
                    effects.failed.append((waiter.promise, .shutDown))
                    effects.timers.append(waiter.timer)
                }
                entry.waiters = []
                let outcome: DrainOutcome = entry.inFlight == 0 ? .drained : .timedOut(inFlight: entry.inFlight)
                for drain in entry.drains { effects.drained.append((drain, outcome)) }
                entry.drains = []
                if let timer = entry.drainTimer { effects.timers.append(timer) }
                entry.drainTimer = nil
                s.entries[target] = entry
            }
        }
        let loop = eventLoopGroup.next()
        let stopped = effects.checks.map { checks in
            let promise = loop.makePromise(of: Void.self)
            checks.cancel(promise: promise)
            return promise.futureResult
        }
        effects.checks = []
        effects.run(pools: pools)
        return EventLoopFuture.andAllComplete(stopped, on: loop)
    }

    // MARK: - Health check results and timers

    private func apply(_ result: HealthProbe.Result, to target: Target, id: UInt64) {
        let check = healthCheck
        var effects = Effects()
        state.withLock { s in
            guard !s.stopped, var entry = s.entries[target], entry.id == id, entry.state != .draining else { return }
            switch result {
            case .success:
                entry.successes += 1
                entry.failures = 0
                entry.reason = nil
                s.entries[target] = entry
                if entry.state != .healthy && entry.successes >= check.healthyThreshold {
                    s.setState(target, .healthy, effects: &effects)
                }
            case .failure(let reason):
                entry.failures += 1
                entry.successes = 0
                entry.reason = reason
                s.entries[target] = entry
                if entry.state != .unhealthy && entry.failures >= check.unhealthyThreshold {
                    s.setState(target, .unhealthy, effects: &effects)
                }
            }
        }
        effects.run(pools: pools)
    }

    private func drainTimedOut(_ target: Target, id: UInt64) {
        var effects = Effects()
        state.withLock { s in
            guard let entry = s.entries[target], entry.id == id, entry.state == .draining else { return }
            s.remove(target, outcome: .timedOut(inFlight: entry.inFlight), effects: &effects)
        }
        effects.run(pools: pools)
    }

    private func waitTimedOut(_ target: Target, promise: EventLoopPromise<Void>, timeout: Duration) {
        let error: LoadBalancerError? = state.withLock { s in
            guard var entry = s.entries[target], let index = entry.waiters.firstIndex(where: { $0.promise == promise }) else {
                return nil
            }
            let waiter = entry.waiters.remove(at: index)
            s.entries[target] = entry
            return .healthWaitTimedOut(target, targetGroup: name, awaited: waiter.wanted, state: entry.state,
                                       reason: entry.reason, timeout: timeout)
        }
        if let error { promise.fail(error) }
    }
}

// MARK: - State

private struct Waiter {
    let wanted: TargetHealthState
    let promise: EventLoopPromise<Void>
    let timer: Scheduled<Void>
}

private struct Entry {
    let id: UInt64
    var state: TargetHealthState
    var reason: String?
    var successes = 0
    var failures = 0
    var inFlight = 0
    var checks: RepeatedTask?
    var waiters: [Waiter] = []
    var drains: [EventLoopPromise<DrainOutcome>] = []
    var drainTimer: Scheduled<Void>?

    init(id: UInt64, state: TargetHealthState) {
        self.id = id
        self.state = state
    }
}

/// Work decided under the lock and done after releasing it: completing a promise can
/// run callbacks inline, and a callback that takes the lock again must not deadlock.
private struct Effects {
    var satisfied: [EventLoopPromise<Void>] = []
    var failed: [(EventLoopPromise<Void>, LoadBalancerError)] = []
    var drained: [(EventLoopPromise<DrainOutcome>, DrainOutcome)] = []
    var timers: [Scheduled<Void>] = []
    var checks: [RepeatedTask] = []
    var removed: [Target] = []

    func run(pools: UpstreamPoolRegistry) {
        for timer in timers { timer.cancel() }
        for checks in checks { checks.cancel() }
        for target in removed { pools.closeIdle(to: target) }
        for promise in satisfied { promise.succeed(()) }
        for (promise, error) in failed { promise.fail(error) }
        for (promise, outcome) in drained { promise.succeed(outcome) }
    }
}

private struct State {
    let groupName: String
    var entries: [Target: Entry] = [:]
    /// Registration order: stable displays, and round robin that does not depend on hashing.
    var order: [Target] = []
    /// The targets of `order` that may receive new requests.
    var healthy: [Target] = []
    var cursor = 0
    var nextID: UInt64 = 1
    var stopped = false

    var requests = 0
    var responses5xx = 0
    var badGateway = 0
    var noHealthyTarget = 0
    var retries = 0
    var clientAborts = 0
    var latency = LatencyHistogram()

    mutating func setState(_ target: Target, _ new: TargetHealthState, effects: inout Effects) {
        guard var entry = entries[target] else { return }
        entry.state = new
        entry.waiters.removeAll { waiter in
            guard waiter.wanted == new else { return false }
            effects.satisfied.append(waiter.promise)
            effects.timers.append(waiter.timer)
            return true
        }
        entries[target] = entry
        healthy = order.filter { entries[$0]?.state == .healthy }
    }

    mutating func remove(_ target: Target, outcome: DrainOutcome, effects: inout Effects) {
        guard let entry = entries.removeValue(forKey: target) else { return }
        order.removeAll { $0 == target }
        healthy.removeAll { $0 == target }
        for waiter in entry.waiters {
            effects.failed.append((waiter.promise, .targetDeregistered(target, targetGroup: groupName)))
            effects.timers.append(waiter.timer)
        }
        for drain in entry.drains { effects.drained.append((drain, outcome)) }
        if let timer = entry.drainTimer { effects.timers.append(timer) }
        if let checks = entry.checks { effects.checks.append(checks) }
        effects.removed.append(target)
    }
}
