import CutoverCore
import CutoverSim

/// A compact text timeline of a deployment: a header, then one line per target with
/// its lifecycle events as two-letter marks (✓ succeeded, ✗ failed, - skipped, … running).
public enum Timeline {
    static let abbreviations: [LifecycleEvent: String] = [
        .beforeBlockTraffic: "BB", .blockTraffic: "BT", .afterBlockTraffic: "AB", .applicationStop: "ST",
        .downloadBundle: "DL", .beforeInstall: "BI", .install: "IN", .afterInstall: "AI", .applicationStart: "SA",
        .validateService: "VS", .beforeAllowTraffic: "BA", .allowTraffic: "AT", .afterAllowTraffic: "AA",
        .allowTestTraffic: "TT", .afterAllowTestTraffic: "AT2",
    ]

    public static func clock(_ ms: Int64) -> String {
        let s = ms / 1000
        let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return h > 0 ? "\(h):\(two(m)):\(two(sec))" : "\(m):\(two(sec))"
    }

    static func render(_ d: DeploymentRun, maxTargets: Int = 50) -> String {
        render(spec: d.spec, state: d.state, log: d.log, createdAt: d.createdAt, maxTargets: maxTargets)
    }

    /// A recorded deployment's timeline (its state rebuilt from the events).
    public static func render(spec: DeploymentSpec, log: [RecordedEvent]) -> String {
        let state = DeploymentEngine(spec: spec, replaying: log.map(\.event)).state
        return render(spec: spec, state: state, log: log, createdAt: log.first?.time ?? 0, maxTargets: 50)
    }

    static func render(spec: DeploymentSpec, state: DeploymentState, log: [RecordedEvent], createdAt: Int64,
                       maxTargets: Int) -> String {
        let start = createdAt
        let end = log.last?.time ?? start
        var out = "\(spec.id)  \(spec.application)/\(spec.group)  revision \(spec.revision)  \(spec.configuration.name)"
        if let policy = spec.policy { out += "  policy \(policy)" }
        out += "\n  \(state.status.rawValue)"
        if let e = state.error { out += " (\(e.rawValue))" }
        if !state.message.isEmpty { out += ": \(state.message)" }
        out += "  [\(clock(0)) → \(clock(end - start))]\n"
        // Per target: its marks and times.
        var marks = Array(repeating: "", count: spec.targets.count)
        var first = Array(repeating: Int64(-1), count: spec.targets.count)
        var last = Array(repeating: Int64(-1), count: spec.targets.count)
        var failure = Array(repeating: "", count: spec.targets.count)
        var batchOf = Array(repeating: 0, count: spec.targets.count)
        var notes: [String] = []
        for r in log {
            switch r.event {
            case .batchStarted(let index, let targets):
                for t in targets { batchOf[t] = index + 1; if first[t] < 0 { first[t] = r.time - start } }
            case .lifecycleEnded(let t, let e, let s, let code, let message):
                let mark = s == .succeeded ? "✓" : s == .failed ? "✗" : "-"
                marks[t] += (marks[t].isEmpty ? "" : " ") + (abbreviations[e] ?? e.rawValue) + mark
                last[t] = r.time - start
                if s == .failed { failure[t] = "  \(e.rawValue) \(code.rawValue)" + (message.isEmpty ? "" : ": \(message)") }
            case .bakeStarted(let until, _):
                notes.append("  bake \(clock(r.time - start)) → \(clock(until - start))")
            case .approvalWaiting(let name): notes.append("  waiting for approval '\(name)' at \(clock(r.time - start))")
            case .approved(let name): notes.append("  approved '\(name)' at \(clock(r.time - start))")
            case .alarmActive(let name): notes.append("  alarm \(name) in ALARM at \(clock(r.time - start))")
            case .stopRequested(let code, _, let message): notes.append("  stop (\(code.rawValue)) at \(clock(r.time - start)): \(message)")
            case .rollbackRequested(let revision): notes.append("  rollback to \(revision) requested")
            case .rollbackUnavailable(let message): notes.append("  no rollback: \(message)")
            case .trafficShifted(let weight): notes.append("  traffic \(weight)% on \(spec.traffic?.targetVersion ?? "target") at \(clock(r.time - start))")
            case .trafficRestored(let message): notes.append("  restored at \(clock(r.time - start)): \(message)")
            case .terminationWaitStarted(let until): notes.append("  termination wait \(clock(r.time - start)) → \(clock(until - start))")
            case .originalTerminated: notes.append("  original removed at \(clock(r.time - start))")
            default: break
            }
        }
        let width = min(24, spec.targets.map(\.id.count).max() ?? 4)
        for (i, t) in spec.targets.enumerated().prefix(maxTargets) {
            let name = t.id.count >= width ? t.id : t.id + String(repeating: " ", count: width - t.id.count)
            let status = state.targetStatus[i].rawValue
            var line = "  \(name)  " + status + String(repeating: " ", count: max(1, 10 - status.count))
            if first[i] >= 0 {
                line += "b\(batchOf[i]) \(clock(first[i]))–\(clock(last[i] < 0 ? first[i] : last[i]))  \(marks[i])\(failure[i])"
            }
            out += line + "\n"
        }
        if spec.targets.count > maxTargets { out += "  … \(spec.targets.count - maxTargets) more targets\n" }
        for note in notes { out += note + "\n" }
        out += "  legend: ST ApplicationStop, DL DownloadBundle, BI BeforeInstall, IN Install, AI AfterInstall, SA ApplicationStart, VS ValidateService"
        if spec.loadBalanced { out += ", BB/BT/AB block traffic, BA/AT/AA allow traffic" }
        return out + "\n"
    }
}
