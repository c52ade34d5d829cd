/// Re-running a recorded deployment on a virtual clock, from the outcomes its log
/// records: how long each lifecycle event took on each target and how it ended, when
/// alarms were seen in ALARM, the policy's steps, approvals and stops, and how long the
/// provider took to move traffic or instances. The engine decides everything else
/// again, so the same specification gives the same events (a check of determinism), and
/// another configuration or policy shows what would have happened with the same
/// outcomes (a counterfactual: the outcomes are assumed to belong to the target and the
/// event, not to the order the configuration chose).
public struct ReplayOutcomes: Sendable {
    public struct Lifecycle: Sendable, Equatable {
        public var duration: Int64
        public var status: LifecycleEventStatus
        public var error: LifecycleErrorCode
        public var message: String
    }

    /// Per target and event, in the order they ran (an event may run again in a rollback stage).
    public var lifecycle: [String: [Lifecycle]] = [:]
    /// When each alarm was first seen in ALARM (milliseconds since creation).
    public var alarms: [(at: Int64, name: String)] = []
    public var alarmPollFailures: [(at: Int64, message: String)] = []
    public var policySteps: [PolicyStep] = []
    public var approvals: [(at: Int64, name: String)] = []
    public var stops: [(at: Int64, rollback: Bool)] = []
    /// `continueDeployment`: a ready or termination wait that ended before its time.
    public var continues: [Int64] = []
    /// How long the provider took to answer a traffic or instance command.
    public var providerDelays: [String: [Int64]] = [:]
    public var restoreMessages: [String] = []
    public var discardMessages: [String] = []

    static func key(_ target: String, _ event: LifecycleEvent) -> String { target + "\u{1F}" + event.rawValue }

    /// The outcomes a recorded log holds; times are relative to its `created` event.
    public init(log: [RecordedEvent], spec: DeploymentSpec) {
        let t0 = log.first?.time ?? 0
        var started: [String: Int64] = [:]
        var requested: [String: Int64] = [:]
        var waitUntil: Int64?
        func id(_ t: Int) -> String { t < spec.targets.count ? spec.targets[t].id : "#\(t)" }
        for r in log {
            let at = r.time - t0
            switch r.event {
            case .lifecycleStarted(let t, let e):
                started[Self.key(id(t), e)] = at
            case .lifecycleEnded(let t, let e, let s, let code, let message):
                let key = Self.key(id(t), e)
                let duration = started[key].map { at - $0 } ?? 0
                lifecycle[key, default: []].append(Lifecycle(duration: duration, status: s, error: code, message: message))
            case .alarmActive(let name):
                alarms.append((at, name))
            case .alarmPollFailed(let message):
                alarmPollFailures.append((at, message))
            case .policyStep(let step):
                policySteps.append(step)
            case .approved(let name):
                approvals.append((at, name))
            case .stopRequested(let code, let rollback, _) where code == .manualStop:
                stops.append((at, rollback))
            case .readyWaitStarted(let until), .terminationWaitStarted(let until):
                waitUntil = until
            case .stageStarted(.reroute), .originalTerminationRequested:
                if let until = waitUntil, r.time < until { continues.append(at) }
                waitUntil = nil
                if case .originalTerminationRequested = r.event { requested["terminate"] = at }
            case .trafficShiftRequested:
                requested["shift"] = at
            case .trafficShifted:
                providerDelays["shift", default: []].append(at - (requested["shift"] ?? at))
            case .trafficRestoreRequested:
                requested["restore"] = at
            case .trafficRestored(let message):
                providerDelays["restore", default: []].append(at - (requested["restore"] ?? at))
                restoreMessages.append(message)
            case .originalTerminated:
                providerDelays["terminate", default: []].append(at - (requested["terminate"] ?? at))
            case .replacementDiscardRequested:
                requested["discard"] = at
            case .replacementDiscarded(let message):
                providerDelays["discard", default: []].append(at - (requested["discard"] ?? at))
                discardMessages.append(message)
            default:
                break
            }
        }
    }
}

public enum Replay {
    /// Runs `spec` with the recorded outcomes from virtual time `start` (the recorded
    /// `created` event's time: the engine's clock is the driver's, absolute on the
    /// simulator, since creation on the local cloud); returns the events, numbered and
    /// timed like a log. Lifecycle events the record has no outcome
    /// for (a counterfactual reaching a target the original never did) succeed in the
    /// median recorded time of that event. `policy`, when given, answers the engine's
    /// questions instead of the recorded steps (another policy, run against the same
    /// outcomes): it sees the state and the virtual time.
    public static func run(_ spec: DeploymentSpec, outcomes: ReplayOutcomes, start: Int64 = 0,
                           policy ask: ((DeploymentState, Int64) -> PolicyStep)? = nil) -> [RecordedEvent] {
        var engine = DeploymentEngine(spec: spec)
        var log = [RecordedEvent(sequence: 0, time: start, event: .created)]
        var queue: [(time: Int64, order: Int, input: EngineInput)] = []
        var order = 0
        func push(_ time: Int64, _ input: EngineInput) {
            queue.append((time, order, input))
            order += 1
        }
        var used: [String: Int] = [:]
        var policy = outcomes.policySteps[...]
        var delays = outcomes.providerDelays
        var restores = outcomes.restoreMessages[...]
        var discards = outcomes.discardMessages[...]
        func delay(_ kind: String) -> Int64 {
            guard var list = delays[kind], !list.isEmpty else { return 0 }
            let d = list.removeFirst()
            delays[kind] = list
            return d
        }
        let typical: [LifecycleEvent: Int64] = {
            var all: [LifecycleEvent: [Int64]] = [:]
            for (key, list) in outcomes.lifecycle {
                guard let name = key.split(separator: "\u{1F}").last, let e = LifecycleEvent(rawValue: String(name)) else { continue }
                all[e, default: []] += list.map(\.duration)
            }
            return all.mapValues { $0.sorted()[$0.count / 2] }
        }()
        push(start, .start)
        // What a person did comes after what the deployment did at the same moment (a
        // continue answers the ready wait that started then).
        func pushLate(_ time: Int64, _ input: EngineInput) {
            queue.append((time, Int.max / 2 + order, input))
            order += 1
        }
        for stop in outcomes.stops { pushLate(start + stop.at, .stop(rollback: stop.rollback)) }
        for approval in outcomes.approvals { pushLate(start + approval.at, .approve(name: approval.name)) }
        for at in outcomes.continues { pushLate(start + at, .continueDeployment) }
        var now = start
        var guardSteps = 0
        while !queue.isEmpty && guardSteps < 10_000_000 {
            guardSteps += 1
            let next = queue.indices.min { (queue[$0].time, queue[$0].order) < (queue[$1].time, queue[$1].order) }!
            let item = queue.remove(at: next)
            now = max(now, item.time)
            let (events, commands) = engine.handle(item.input, now: now)
            for e in events { log.append(RecordedEvent(sequence: log.count, time: now, event: e)) }
            for command in commands {
                switch command {
                case .runLifecycleEvent(let t, let e):
                    let key = ReplayOutcomes.key(spec.targets[t].id, e)
                    let n = used[key, default: 0]
                    used[key] = n + 1
                    let list = outcomes.lifecycle[key] ?? []
                    let o = n < list.count ? list[n]
                        : ReplayOutcomes.Lifecycle(duration: typical[e] ?? 0, status: .succeeded, error: .success, message: "")
                    push(now + o.duration, .lifecycleResult(target: t, event: e, status: o.status, error: o.error, message: o.message))
                case .wake(let at):
                    push(max(now, at), .timer)
                case .pollAlarms(let names):
                    if let failure = outcomes.alarmPollFailures.first(where: { start + $0.at <= now }) {
                        push(now, .alarmPollFailed(message: failure.message))
                    } else {
                        let active = Set(outcomes.alarms.filter { start + $0.at <= now && names.contains($0.name) }.map(\.name))
                        push(now, .alarms(active: active.sorted()))
                    }
                case .askPolicy:
                    push(now, .policyStep(ask.map { $0(engine.state, now) } ?? policy.popFirst() ?? .done))
                case .setTraffic(let weight):
                    push(now + delay("shift"), .trafficShifted(weight: weight, error: nil))
                case .restoreTraffic:
                    push(now + delay("restore"), .trafficRestored(message: restores.popFirst() ?? "restored", error: nil))
                case .terminateOriginal:
                    push(now + delay("terminate"), .originalTerminated(error: nil))
                case .discardReplacement:
                    push(now + delay("discard"), .replacementDiscarded(message: discards.popFirst() ?? "discarded", error: nil))
                case .startRollback:
                    break // a rollback is a deployment of its own, replayed on its own
                }
            }
            if engine.state.isEnded { break }
        }
        return log
    }

    /// The first place two logs differ (index into them), or nil when they are identical.
    public static func firstDifference(_ a: [RecordedEvent], _ b: [RecordedEvent]) -> Int? {
        for i in 0..<min(a.count, b.count) where a[i] != b[i] { return i }
        return a.count == b.count ? nil : min(a.count, b.count)
    }
}
