import CutoverCore
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The live view of a running deployment, one line per event as it happens: batches
/// with the instances in them, each lifecycle event's outcome and time, bakes, alarms,
/// and the end. `json` prints the event log's JSON lines instead (for machines).
final class LiveView: @unchecked Sendable {
    let json: Bool
    private var started: [String: Int64] = [:]

    init(json: Bool) { self.json = json }

    func show(_ r: RecordedEvent, of run: DeploymentRun) {
        let spec = run.spec
        if json {
            write(r.jsonLine(targets: spec.targets) + "\n")
            return
        }
        let clock = "[\(Timeline.clock(r.time - run.createdAt))]"
        func name(_ t: Int) -> String { spec.targets[t].id }
        var line: String?
        switch r.event {
        case .started(let m, let b):
            line = "\(spec.id) \(spec.application)/\(spec.group) → \(spec.revision): \(spec.targets.count) instance(s), \(spec.configuration.name), at least \(m) kept healthy, up to \(b) at a time"
        case .batchStarted(let index, let targets):
            let remaining = run.state.targetStatus.filter { $0 == .pending }.count
            line = "batch \(index + 1): " + targets.map(name).joined(separator: " ") + (remaining > 0 ? "   (\(remaining) to go after it)" : "   (the last)")
        case .lifecycleStarted(let t, let e):
            started["\(t)/\(e.rawValue)"] = r.time
        case .lifecycleEnded(let t, let e, let s, let code, let message):
            let took = started["\(t)/\(e.rawValue)"].map { " " + seconds(r.time - $0) } ?? ""
            let mark = s == .succeeded ? "✓" : s == .failed ? "✗ \(code.rawValue)" + (message.isEmpty ? "" : ": \(message.split(separator: "\n").first ?? "")") : "- skipped"
            line = "  \(name(t))  \(e.rawValue) \(mark)\(took)"
        case .targetEnded(let t, let s) where s != .skipped:
            line = "  \(name(t)) \(s.rawValue)"
        case .bakeStarted(let until, _):
            line = "baking until \(Timeline.clock(until - run.createdAt))"
        case .approvalWaiting(let n):
            line = "waiting for approval '\(n)': d:approve('\(n)')"
        case .alarmActive(let n):
            line = "alarm \(n) is in ALARM"
        case .stopRequested(let code, _, let message):
            line = "stopping (\(code.rawValue)): \(message)"
        case .ended(let status, let code, let message):
            line = "\(spec.id) \(status.rawValue)" + (code.map { " (\($0.rawValue))" } ?? "") + ": \(message)"
        case .rollbackRequested(let revision):
            line = "rolling back to \(revision)"
        default:
            break
        }
        if let line { write("\(clock) \(line)\n") }
    }

    private func seconds(_ ms: Int64) -> String {
        ms < 1000 ? "\(ms) ms" : "\(ms / 1000).\((ms % 1000) / 100) s"
    }

    private func write(_ text: String) {
        fputs(text, stdout)
        fflush(stdout)
    }
}
