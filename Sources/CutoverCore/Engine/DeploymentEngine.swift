/// What the driver tells the engine: a start, an outcome, a timer, a request.
public enum EngineInput: Sendable, Equatable {
    case start
    /// A lifecycle event finished on a target (the provider's answer to `runLifecycleEvent`).
    case lifecycleResult(target: Int, event: LifecycleEvent, status: LifecycleEventStatus,
                         error: LifecycleErrorCode, message: String)
    /// A `wake` time has come.
    case timer
    /// The watched alarms now in ALARM (empty: none).
    case alarms(active: [String])
    case alarmPollFailed(message: String)
    case stop(rollback: Bool)
    /// The policy's answer to `askPolicy`.
    case policyStep(PolicyStep)
    case approve(name: String)
    /// The provider's answer to `setTraffic` (error nil: done).
    case trafficShifted(weight: Int, error: String?)
    /// The provider's answer to `restoreTraffic`: what it undid, or why it could not.
    case trafficRestored(message: String, error: String?)
    /// The provider's answer to `terminateOriginal`.
    case originalTerminated(error: String?)
    /// Cut a wait short: the ready wait (ContinueDeployment(READY_WAIT)) or the
    /// termination wait (ContinueDeployment(TERMINATION_WAIT)).
    case continueDeployment
    /// The provider's answer to `discardReplacement`.
    case replacementDiscarded(message: String, error: String?)
}

/// What the engine asks the driver to do, after the events that led to it are recorded.
public enum EngineCommand: Sendable, Equatable {
    case runLifecycleEvent(target: Int, event: LifecycleEvent)
    /// Send `.timer` at this time (milliseconds since the deployment was created).
    case wake(atMilliseconds: Int64)
    /// Send `.alarms` (or `.alarmPollFailed`) for `names`.
    case pollAlarms(names: [String])
    /// Run the policy to its next step and send `.policyStep`.
    case askPolicy
    /// Create a rollback deployment of `revision` (creator codeDeployRollback).
    case startRollback(revision: String)
    /// Lambda, ECS: send `weight` % of the production traffic to the target version
    /// (100: all of it; for a function the alias then points at the target version alone).
    case setTraffic(weight: Int)
    /// Lambda, ECS: give the original version all the traffic back (production and test
    /// listeners) and remove the replacement task set; answer with `.trafficRestored`.
    case restoreTraffic
    /// ECS: make the replacement task set primary and remove the original one. Server
    /// blue/green: terminate the original instances (or, KEEP_ALIVE, let them be).
    case terminateOriginal
    /// Server blue/green: terminate the replacement instances (answer `.replacementDiscarded`).
    case discardReplacement
}

/// The server deployment engine: a pure state machine. `handle` takes an input and the
/// current time, appends the events it decides to the state (through `apply`, so the
/// state stays a fold of the events) and returns them with the commands that follow.
/// It reads no clock and does no I/O.
public struct DeploymentEngine: Sendable {
    public let spec: DeploymentSpec
    public private(set) var state: DeploymentState
    /// The order in which the configuration schedules targets (reference §7.1).
    let queue: [Int]
    private var queueHead = 0
    private var produced: [DeploymentEvent] = []
    var commands: [EngineCommand] = []
    private var pollRequested = false

    /// How often alarms are read during a bake (reference §9.2 does not say how often
    /// CodeDeploy polls — UNVERIFIED; 5 s notices a 10-second-period alarm in time).
    public static let alarmPollInterval: Int64 = 5_000

    public init(spec: DeploymentSpec) {
        self.spec = spec
        state = DeploymentState(spec: spec)
        let ordered = BatchPlan.schedulingOrder(spec.targets, currentRevision: spec.lastSuccessfulRevision)
        var index: [String: Int] = [:]
        index.reserveCapacity(spec.targets.count)
        for (i, t) in spec.targets.enumerated() where index[t.id] == nil { index[t.id] = i }
        queue = ordered.map { index[$0.id]! }
        state.apply(.created)
    }

    /// Rebuilds an engine from recorded events (resume, replay, time travel).
    public init(spec: DeploymentSpec, replaying events: [DeploymentEvent]) {
        self.init(spec: spec)
        for event in events.dropFirst(events.first == .created ? 1 : 0) { state.apply(event) }
    }

    /// What must be done again after a restart: lifecycle events that were running,
    /// a bake's timer, a pending policy question; for traffic and blue/green, a shift,
    /// a restore, a removal or a wait that was under way.
    public func outstandingCommands(now: Int64) -> [EngineCommand] {
        guard !state.isEnded, state.status != .created else { return [] }
        if spec.shiftsTraffic { return outstandingTrafficCommands(now: now) }
        if spec.blueGreen != nil {
            // Server blue/green: removing the originals or the replacements, or a wait.
            if state.terminatingOriginal { return [.terminateOriginal] }
            if state.discarding != nil && !state.discarded { return [.discardReplacement] }
            if let until = state.terminationUntil { return [.wake(atMilliseconds: min(until, now))] }
            if let until = state.readyUntil { return [.wake(atMilliseconds: min(until, now))] }
        }
        var result: [EngineCommand] = []
        for (t, event) in state.running.enumerated() {
            if let event { result.append(.runLifecycleEvent(target: t, event: event)) }
        }
        if let until = state.bakeUntil { result.append(.wake(atMilliseconds: min(until, now))) }
        if result.isEmpty && state.batchRemaining == 0 && state.awaitingApproval == nil
            && spec.policy != nil && !state.policyDone && state.stopping == nil {
            result.append(.askPolicy)
        }
        return result
    }

    // MARK: - Handling inputs

    public mutating func handle(_ input: EngineInput, now: Int64) -> (events: [DeploymentEvent], commands: [EngineCommand]) {
        produced = []
        commands = []
        pollRequested = false
        if !state.isEnded {
            switch input {
            case .start: start(now)
            case .lifecycleResult(let t, let e, let s, let code, let message): lifecycleEnded(t, e, s, code, message, now)
            case .timer: timer(now)
            case .alarms(let active): alarms(active, now)
            case .alarmPollFailed(let message): alarmPollFailed(message, now)
            case .stop(let rollback): requestStop(.manualStop, rollback: rollback, "stopped on request", now)
            case .policyStep(let step): policyStep(step, now)
            case .approve(let name): approve(name, now)
            case .trafficShifted(let weight, let error): trafficShifted(weight, error, now)
            case .trafficRestored(let message, let error): trafficRestored(message, error, now)
            case .originalTerminated(let error): originalTerminated(error, now)
            case .continueDeployment: continueDeployment(now)
            case .replacementDiscarded(let message, let error): replacementDiscarded(message, error, now)
            }
        }
        return (produced, commands)
    }

    mutating func emit(_ event: DeploymentEvent) {
        state.apply(event)
        produced.append(event)
    }

    /// Asks for the alarms' state. A rollback deployment does not watch alarms: the
    /// alarm that stopped the original is likely still firing because of the revision
    /// being rolled back, and the rollback is what clears it. (The reference does not
    /// say what CodeDeploy does here — UNVERIFIED; this is our choice.)
    mutating func pollAlarms() {
        guard spec.alarms.isEnabled || !state.bakeAlarms.isEmpty, !pollRequested, !state.isEnded,
              spec.creator != .codeDeployRollback else { return }
        pollRequested = true
        let names = state.bakeAlarms.isEmpty ? spec.alarms.names : Array(Set(spec.alarms.names + state.bakeAlarms)).sorted()
        commands.append(.pollAlarms(names: names))
    }

    private mutating func start(_ now: Int64) {
        guard state.status == .created else { return }
        if spec.shiftsTraffic { return startTraffic(now) }
        if spec.blueGreen != nil { return startBlueGreen(now) }
        let n = spec.targets.count
        guard let rule = spec.configuration.minimumHealthyHosts else {
            return fail(.invalidRevision, "configuration \(spec.configuration.name) has no minimum healthy hosts (it is for \(spec.configuration.platform.rawValue))", now, rollback: false)
        }
        do {
            try spec.configuration.validate()
        } catch {
            return fail(.codeDeployResourceCannotBeFound, error.description, now, rollback: false)
        }
        guard n > 0 else {
            return fail(.noInstances, "no instances match the deployment group \(spec.group)'s targets", now, rollback: false)
        }
        let m = MinimumHealthy.floor(for: n, rule)
        let healthy = state.healthyCount
        guard MinimumHealthy.canStart(healthy: healthy, total: n, rule) else {
            return fail(.healthConstraintsInvalid,
                        "\(healthy) of \(n) instances are healthy, but \(spec.configuration.name) needs more than \(m) to stay healthy",
                        now, rollback: false)
        }
        emit(.started(minimumHealthy: m, batchSize: MinimumHealthy.batchSize(for: n, minimum: m)))
        pollAlarms()
        advance(now)
    }

    // MARK: - Batches

    /// Decides what comes next when nothing is in flight.
    mutating func advance(_ now: Int64) {
        if spec.shiftsTraffic { return proceedTraffic(now) }
        if spec.blueGreen != nil { return proceedBlueGreen(now) }
        guard !state.isEnded, state.batchRemaining == 0 else { return }
        if let stopping = state.stopping {
            return finish(.stopped, stopping.code, stopping.message, now, rollback: stopping.rollback)
        }
        if state.bakeUntil != nil || state.awaitingApproval != nil { return }
        if spec.policy != nil && !state.policyDone {
            commands.append(.askPolicy)
            return
        }
        nextConfiguredBatch(now)
    }

    private mutating func skipStarted() {
        while queueHead < queue.count && state.targetStatus[queue[queueHead]] != .pending { queueHead += 1 }
    }

    /// The configuration's next batch (reference §7.2): unhealthy targets first, then
    /// the rest in scheduling order, never taking the healthy count below the minimum.
    private mutating func nextConfiguredBatch(_ now: Int64) {
        skipStarted()
        guard queueHead < queue.count else { return concludeByRule(now) }
        if case .oneAtATime? = spec.configuration.minimumHealthyHosts, state.failed > 0 {
            return fail(.healthConstraints,
                        "\(state.failed) instance failed; with \(spec.configuration.name) any failure but one on the last instance fails the deployment",
                        now, rollback: true)
        }
        var slots = state.healthyCount - state.minimumHealthy
        var batch: [Int] = []
        var i = queueHead
        while i < queue.count && batch.count < state.batchSize {
            let t = queue[i]
            i += 1
            guard state.targetStatus[t] == .pending else { continue }
            if state.healthy[t] {
                if case .oneAtATime? = spec.configuration.minimumHealthyHosts {} else if slots <= 0 { break }
                slots -= 1
            }
            batch.append(t)
        }
        guard !batch.isEmpty else {
            return fail(.healthConstraints,
                        "\(state.healthyCount) instances are healthy and \(spec.configuration.name) needs \(state.minimumHealthy) to stay healthy: deploying to another would go below the minimum",
                        now, rollback: true)
        }
        startBatch(batch, now)
    }

    private mutating func startBatch(_ batch: [Int], _ now: Int64) {
        emit(.batchStarted(index: state.batches.count, targets: batch))
        pollAlarms()
        for t in batch { startNextEvent(t) }
    }

    /// Starts the target's next lifecycle event, or ends the target when none is left.
    /// Stop-type events with no previous revision on the target are skipped (§5.6).
    mutating func startNextEvent(_ t: Int) {
        while state.nextEvent[t] < state.order.count {
            let event = state.order[state.nextEvent[t]]
            if event.usesLastSuccessfulRevision && spec.targets[t].revision == nil {
                emit(.lifecycleEnded(target: t, event: event, status: .skipped, error: .success,
                                     message: "no previous revision on this instance"))
                continue
            }
            if state.stopping != nil {
                return emit(.targetEnded(target: t, status: .failed))
            }
            emit(.lifecycleStarted(target: t, event: event))
            // Traffic moves under the engine's control, step by step (proceedTraffic).
            if event == .allowTraffic && spec.shiftsTraffic { return }
            commands.append(.runLifecycleEvent(target: t, event: event))
            return
        }
        emit(.targetEnded(target: t, status: state.stage == .install ? .ready : .succeeded))
    }

    private mutating func lifecycleEnded(_ t: Int, _ event: LifecycleEvent, _ status: LifecycleEventStatus,
                                         _ code: LifecycleErrorCode, _ message: String, _ now: Int64) {
        guard t >= 0, t < spec.targets.count, state.running[t] == event else { return } // stale or unknown
        emit(.lifecycleEnded(target: t, event: event, status: status, error: code, message: message))
        if spec.shiftsTraffic { return trafficEventEnded(t, event, status, message, now) }
        let forgiven = status == .failed && event.isIgnorableStopFailure && spec.ignoreApplicationStopFailures
        if status == .failed && !forgiven {
            emit(.targetEnded(target: t, status: .failed))
        } else {
            startNextEvent(t)
        }
        pollAlarms()
        if state.batchRemaining == 0 { advance(now) }
    }

    // MARK: - Ending

    /// All targets were tried: the success rule of reference §7.3.
    private mutating func concludeByRule(_ now: Int64) {
        let n = spec.targets.count
        if MinimumHealthy.succeeded(state.succeeded, minimum: state.minimumHealthy) {
            finish(.succeeded, nil, "\(state.succeeded) of \(n) instances succeeded", now, rollback: false)
        } else {
            fail(.healthConstraints,
                 "\(state.succeeded) of \(n) instances succeeded; \(spec.configuration.name) needs at least \(max(1, state.minimumHealthy))",
                 now, rollback: true)
        }
    }

    mutating func fail(_ code: DeploymentErrorCode, _ message: String, _ now: Int64, rollback: Bool) {
        finish(.failed, code, message, now, rollback: rollback && spec.autoRollback.triggers.contains(.deploymentFailure))
    }

    mutating func finish(_ status: DeploymentStatus, _ code: DeploymentErrorCode?, _ message: String,
                                 _ now: Int64, rollback: Bool) {
        guard !state.isEnded else { return }
        if spec.shiftsTraffic && status != .succeeded && state.trafficTouched && !state.restored {
            guard state.restoring == nil else { return }
            return requestRestore(status, code, message, rollback: rollback)
        }
        if let blueGreen = spec.blueGreen, status != .succeeded, !state.discarded,
           !state.rerouted, !blueGreen.rollingBack {
            // Traffic never left the originals: the replacements are of no use.
            guard state.discarding == nil else { return }
            emit(.replacementDiscardRequested(status: status, error: code, message: message))
            commands.append(.discardReplacement)
            return
        }
        // Targets never reached are skipped (reference §8.2).
        for t in 0..<spec.targets.count where state.targetStatus[t] == .pending {
            emit(.targetEnded(target: t, status: .skipped))
        }
        emit(.ended(status: status, error: code, message: message))
        guard rollback, status != .succeeded else { return }
        if spec.creator == .codeDeployRollback {
            emit(.rollbackUnavailable(message: "a rollback is not rolled back"))
        } else if spec.blueGreen != nil && !state.rerouted {
            emit(.rollbackUnavailable(message: "traffic never left the original instances; the replacements were discarded"))
        } else if spec.blueGreen != nil {
            // Traffic left the originals: the rollback puts it back on them. They keep
            // what they run, so there is nothing to install, and a group whose originals
            // were set up by other means (no last successful revision) is rolled back too.
            let revision = spec.lastSuccessfulRevision ?? BlueGreenOptions.originalsRevision
            emit(.rollbackRequested(revision: revision))
            commands.append(.startRollback(revision: revision))
        } else if let traffic = spec.traffic {
            // Lambda and ECS roll back to the version that had the traffic (reference §9.1).
            emit(.rollbackRequested(revision: traffic.currentVersion))
            commands.append(.startRollback(revision: traffic.currentVersion))
        } else if let revision = spec.lastSuccessfulRevision, state.batches.count > 0 {
            emit(.rollbackRequested(revision: revision))
            commands.append(.startRollback(revision: revision))
        } else if state.batches.isEmpty {
            emit(.rollbackUnavailable(message: "nothing was deployed, so nothing is rolled back"))
        } else {
            emit(.rollbackUnavailable(message: "the group has no last successful revision to roll back to"))
        }
    }

    mutating func requestStop(_ code: DeploymentErrorCode, rollback: Bool, _ message: String, _ now: Int64) {
        guard state.stopping == nil, state.status != .created else {
            if state.status == .created { finish(.stopped, code, message, now, rollback: false) }
            return
        }
        emit(.stopRequested(code: code, rollback: rollback, message: message))
        if state.batchRemaining == 0 || spec.shiftsTraffic { advance(now) }
    }

    // MARK: - Alarms, timers, policies

    private mutating func alarms(_ active: [String], _ now: Int64) {
        guard let first = active.sorted().first, state.stopping == nil, state.status != .created else { return }
        emit(.alarmActive(name: first))
        let rollback = spec.autoRollback.triggers.contains(.stopOnAlarm)
        requestStop(.alarmActive, rollback: rollback, "alarm \(first) is in ALARM", now)
    }

    private mutating func alarmPollFailed(_ message: String, _ now: Int64) {
        emit(.alarmPollFailed(message: message))
        guard !spec.alarms.ignorePollAlarmFailure else { return }
        let rollback = spec.autoRollback.triggers.contains(.stopOnAlarm)
        requestStop(.alarmActive, rollback: rollback, "cannot read the alarms' state: \(message)", now)
    }

    private mutating func timer(_ now: Int64) {
        if let until = state.readyUntil {
            if now >= until { return readyWaitExpired(now) }
            return commands.append(.wake(atMilliseconds: until))
        }
        if let until = state.terminationUntil {
            if now >= until { terminateOriginal() } else { commands.append(.wake(atMilliseconds: until)) }
            return
        }
        guard let until = state.bakeUntil else { return }
        if now >= until {
            emit(.bakeEnded)
            pollAlarms()
            advance(now)
        } else {
            pollAlarms()
            commands.append(.wake(atMilliseconds: min(until, now + Self.alarmPollInterval)))
        }
    }

    private mutating func approve(_ name: String, _ now: Int64) {
        guard state.awaitingApproval == name else { return }
        emit(.approved(name: name))
        advance(now)
    }

    /// A policy's step, checked against what the configuration allows.
    private mutating func policyStep(_ step: PolicyStep, _ now: Int64) {
        guard spec.policy != nil, !state.policyDone, state.bakeUntil == nil, state.awaitingApproval == nil,
              spec.shiftsTraffic ? (state.running[0] == .allowTraffic && state.shiftInFlight == nil && state.stopping == nil)
                                 : state.batchRemaining == 0 else { return }
        emit(.policyStep(step))
        let name = spec.policy ?? "policy"
        switch step {
        case .deploy where spec.shiftsTraffic:
            fail(.hookExecutionFailure, "policy \(name): deploy picks instances; a \(spec.platform.rawValue) deployment moves traffic with shift", now, rollback: true)
        case .shift where !spec.shiftsTraffic:
            fail(.hookExecutionFailure, "policy \(name): shift moves traffic; a server in-place deployment deploys instances with deploy", now, rollback: true)
        case .shift(let weight):
            guard (0...100).contains(weight) else {
                return fail(.hookExecutionFailure, "policy \(name): shift needs a percentage from 0 to 100, got \(weight)", now, rollback: true)
            }
            requestShift(weight)
        case .deploy(let targets):
            if let problem = policyBatchProblem(targets) {
                return fail(.healthConstraints, "policy \(name): \(problem)", now, rollback: true)
            }
            startBatch(targets, now)
        case .bake(let seconds, let alarms):
            guard seconds >= 0 else { return fail(.hookExecutionFailure, "policy \(name): bake needs a duration of 0 or more", now, rollback: true) }
            let until = now + Int64(seconds) * 1000
            emit(.bakeStarted(untilMilliseconds: until, alarms: alarms ?? []))
            pollAlarms()
            commands.append(.wake(atMilliseconds: min(until, now + Self.alarmPollInterval)))
        case .approve(let approval):
            emit(.approvalWaiting(name: approval))
        case .abort(let reason):
            fail(.hookExecutionFailure, "policy \(name) aborted: \(reason)", now, rollback: true)
        case .done:
            advance(now)
        }
    }

    /// Why a policy's batch is not allowed, or nil.
    private func policyBatchProblem(_ targets: [Int]) -> String? {
        if targets.isEmpty { return "deploy needs at least one target" }
        var seen = Set<Int>()
        var healthyTaken = 0
        for t in targets {
            guard t >= 0, t < spec.targets.count else { return "deploy names a target that is not in the deployment (#\(t + 1))" }
            guard seen.insert(t).inserted else { return "deploy names \(spec.targets[t].id) twice" }
            guard state.targetStatus[t] == .pending else { return "deploy names \(spec.targets[t].id), which was already deployed to" }
            if state.healthy[t] { healthyTaken += 1 }
        }
        let allowed = state.healthyCount - state.minimumHealthy
        if case .oneAtATime? = spec.configuration.minimumHealthyHosts {
            if targets.count > 1 { return "deploy asks for \(targets.count) instances at once, but \(spec.configuration.name) deploys one at a time" }
            if state.failed > 0 { return "an instance already failed, and \(spec.configuration.name) allows no further deployment after a failure" }
            return nil
        }
        if healthyTaken > allowed {
            return "deploy asks to take \(healthyTaken) healthy instances out of service, but with \(state.healthyCount) healthy and a minimum of \(state.minimumHealthy) (\(spec.configuration.name)) at most \(max(0, allowed)) may be"
        }
        return nil
    }
}
