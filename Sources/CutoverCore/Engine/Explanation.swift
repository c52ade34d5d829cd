/// Why an event of a recorded deployment happened: the rule of the engine (or the
/// policy's step) that produced it, and the recorded inputs it followed from.
public enum Explanation {
    /// The explanation of `log[index]`, in a sentence or two.
    public static func why(_ index: Int, in log: [RecordedEvent], spec: DeploymentSpec) -> String {
        guard index >= 0, index < log.count else { return "there is no event #\(index) (the log has \(log.count))" }
        let r = log[index]
        let t0 = log.first?.time ?? 0
        func at(_ e: RecordedEvent) -> String { "\(Double(e.time - t0) / 1000) s" }
        func name(_ t: Int) -> String { t < spec.targets.count ? spec.targets[t].id : "#\(t)" }
        let before = log[..<index]
        let policy = spec.policy.map { "policy \($0)" }
        let config = spec.configuration.name
        switch r.event {
        case .created:
            return "the deployment of \(spec.revision) to \(spec.group) was created by \(spec.creator.rawValue)"
                + (spec.rollbackOf.map { " to roll back \($0)" } ?? "")
        case .started(let m, let b):
            return "\(config) over \(spec.targets.count) target(s): minimum healthy hosts \(m), at most \(b) at a time (reference §7.2)"
        case .batchStarted(_, let targets):
            if case .policyStep(.deploy)? = before.last?.event {
                return "\(policy ?? "the policy") asked to deploy \(targets.map(name).joined(separator: ", ")) (its step at \(at(before.last!)))"
            }
            return "\(config): the next \(targets.count) target(s) in scheduling order (unhealthy first, then the fleet's order), as many as the minimum healthy hosts allow"
        case .lifecycleStarted(let t, let e):
            if let prev = before.last(where: { if case .lifecycleEnded(t, _, _, _, _) = $0.event { true } else { false } }),
               case .lifecycleEnded(_, let pe, _, _, _) = prev.event {
                return "\(e.rawValue) follows \(pe.rawValue) on \(name(t)) in the \(spec.platform.rawValue) order (it ended at \(at(prev)))"
            }
            return "\(e.rawValue) is the first event of \(name(t)) in its batch's order"
        case .lifecycleEnded(let t, let e, let s, let code, let message):
            return "the provider reported \(e.rawValue) on \(name(t)) \(s.rawValue)" + (code == .success ? "" : " (\(code.rawValue))")
                + (message.isEmpty ? "" : ": \(message)")
        case .targetEnded(let t, let s):
            if s == .skipped { return "\(name(t)) was never reached: the deployment ended first (reference §8.2)" }
            if s == .failed { return "\(name(t)) failed because one of its lifecycle events failed (or the deployment stopped while it ran)" }
            return "every lifecycle event of \(name(t)) succeeded or was skipped"
        case .policyStep(let step):
            return "\(policy ?? "the policy") yielded \(RecordedEvent(sequence: 0, time: 0, event: .policyStep(step)).jsonLine(targets: spec.targets))"
        case .bakeStarted(let until, _):
            if case .policyStep(.bake)? = before.last?.event { return "\(policy ?? "the policy") asked for a bake until \(Double(until - t0) / 1000) s" }
            return "\(config): the wait before the next traffic step (its schedule), alarms watched meanwhile"
        case .alarmActive(let name):
            return "the alarm poll at \(at(r)) found \(name) in ALARM"
        case .stopRequested(let code, let rollback, let message):
            return "\(message) (\(code.rawValue))" + (rollback ? "; rollback asked for by the group's automatic rollback" : "")
        case .ended(let status, let code, let message):
            return "\(status.rawValue)" + (code.map { " (\($0.rawValue))" } ?? "") + ": \(message)"
        case .rollbackRequested(let revision):
            return "the group's automatic rollback is on for this ending: a new deployment of \(revision)"
        case .rollbackUnavailable(let message):
            return "no rollback: \(message)"
        case .trafficShiftRequested(let weight):
            if case .policyStep(.shift)? = before.last?.event { return "\(policy ?? "the policy") asked for \(weight)%" }
            return "\(config): the next step of its schedule, \(weight)%"
        case .trafficRestoreRequested(_, _, let message, _):
            return "the deployment is ending without success after traffic moved (\(message)): the original gets everything back first"
        default:
            return "recorded as \(r.jsonLine(targets: spec.targets))"
        }
    }
}
