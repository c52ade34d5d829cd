import CutoverCore
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The live view of a running deployment, one line per event as it happens: batches
/// with the instances in them, each lifecycle event's outcome and time, bakes, alarms,
/// and the end. `json` prints the event log's JSON lines instead (for machines).
final class LiveView: @unchecked Sendable {
    let json: Bool
    /// On a terminal (and not JSON): a status block redrawn in place under the lines.
    let terminal: Bool
    private var started: [String: Int64] = [:]
    private var current: [Int: (LifecycleEvent, Int64)] = [:]
    private var drawnLines = 0

    init(json: Bool) {
        self.json = json
        terminal = !json && isatty(1) != 0 && getenv("NO_COLOR") == nil && (getenv("TERM").map { String(cString: $0) != "dumb" } ?? false)
    }

    func show(_ r: RecordedEvent, of run: DeploymentRun) {
        let spec = run.spec
        if json {
            write(r.jsonLine(targets: spec.targets) + "\n")
            return
        }
        switch r.event {
        case .lifecycleStarted(let t, let e): current[t] = (e, r.time)
        case .targetEnded(let t, _): current[t] = nil
        default: break
        }
        if terminal { clearBlock() }
        defer { if terminal { drawBlock(run, at: r.time) } }
        let clock = "[\(Timeline.clock(r.time - run.createdAt))]"
        func name(_ t: Int) -> String { spec.targets[t].id }
        var line: String?
        switch r.event {
        case .started where spec.traffic != nil:
            let t = spec.traffic!
            line = "\(spec.id) \(spec.application)/\(spec.group): \(t.name)\(t.alias.map { ":" + $0 } ?? "") \(t.currentVersion) → \(t.targetVersion), \(spec.policy.map { "policy " + $0 } ?? spec.configuration.name)"
        case .started(let m, let b):
            line = "\(spec.id) \(spec.application)/\(spec.group) → \(spec.revision): \(spec.targets.count) instance(s), \(spec.configuration.name), at least \(m) kept healthy, up to \(b) at a time"
        case .batchStarted where spec.traffic != nil:
            break
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
        case .stageStarted(let stage):
            line = "stage: " + stage.rawValue.split(separator: "_").joined(separator: " ")
        case .readyWaitStarted(let until):
            line = "replacements ready; waiting until \(Timeline.clock(until - run.createdAt)) for d:continue()"
        case .replacementDiscarded(let message):
            line = "replacements discarded: \(message)"
        case .trafficShifted(let weight):
            line = "traffic: \(weight)% on \(spec.traffic?.targetVersion ?? "the target version")"
        case .trafficRestoreRequested:
            line = "routing all traffic back to \(spec.traffic?.currentVersion ?? "the original version")"
        case .trafficRestored(let message):
            line = "restored: \(message)"
        case .terminationWaitStarted(let until) where spec.blueGreen != nil:
            line = "keeping the original instances until \(Timeline.clock(until - run.createdAt)) (d:continue() ends the wait)"
        case .terminationWaitStarted(let until):
            line = "keeping the original task set until \(Timeline.clock(until - run.createdAt)) (d:continue() ends the wait)"
        case .originalTerminated where spec.blueGreen != nil:
            line = spec.blueGreen!.keepOriginals ? "original instances kept running (KEEP_ALIVE)" : "original instances terminated"
        case .originalTerminated:
            line = "original task set removed"
        default:
            break
        }
        if let line { write("\(clock) \(line)\n") }
    }

    /// Erases the status block drawn last.
    private func clearBlock() {
        if drawnLines > 0 { write("\u{1B}[\(drawnLines)A\u{1B}[J") }
        drawnLines = 0
    }

    /// The status block: the batch and its progress, each running target's event and
    /// how long it has run, the elapsed time, what comes next.
    private func drawBlock(_ run: DeploymentRun, at time: Int64) {
        let state = run.state
        guard !state.isEnded, state.status != .created else { return }
        let total = run.spec.targets.count
        let done = state.succeeded + state.failed
        let pending = state.targetStatus.filter { $0 == .pending }.count
        var lines = ["\u{1B}[2m── \(run.spec.id)  batch \(max(1, state.batches.count))  \(done)/\(total) done  elapsed \(Timeline.clock(time - run.createdAt))"
                     + (pending > 0 ? "  next: \(min(pending, state.batchSize)) more of \(pending) waiting" : "  last batch") + "\u{1B}[0m"]
        for (t, (event, since)) in current.sorted(by: { $0.key < $1.key }).prefix(12) {
            lines.append("\u{1B}[2m   \(run.spec.targets[t].id)  \(event.rawValue) … \(seconds(time - since))\u{1B}[0m")
        }
        write(lines.joined(separator: "\n") + "\n")
        drawnLines = lines.count
    }

    /// The line between a resumed deployment's recorded events and what happens now
    /// (text only: the JSON lines are the events themselves).
    func resumed(_ run: DeploymentRun) {
        guard !json else { return }
        if terminal { clearBlock() }
        write("[\(Timeline.clock(run.elapsedMilliseconds))] ── resumed here: the events above were recorded by the process that died ──\n")
        if terminal { drawBlock(run, at: run.elapsedMilliseconds) }
    }

    private func seconds(_ ms: Int64) -> String {
        ms < 1000 ? "\(ms) ms" : "\(ms / 1000).\((ms % 1000) / 100) s"
    }

    private func write(_ text: String) {
        fputs(text, stdout)
        fflush(stdout)
    }
}
