import ArgumentParser
import CutoverBindings
import CutoverCore
import CutoverHistory
import CutoverREPL
import Foundation

/// `cutover history`: the deployments (newest first, each with its id) and the sessions.
struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List recorded deployments (newest first) and sessions.",
        discussion: "The history is one SQLite file in the state directory ($CUTOVER_STATE_DIR or $XDG_STATE_HOME/cutover)."
    )

    /// Where every `cutover` process records: the state directory's history.sqlite.
    static var databasePath: String { XDGPaths.stateDirectory + "/history.sqlite" }

    @Flag(help: "Print JSON.")
    var json = false

    @Option(help: "How many deployments and sessions.")
    var limit: Int = 20

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be 1 or more") }
    }

    func run() throws {
        let store = try openHistory()
        let deployments = try historyProblem { try store.deployments(limit: limit) }
        let sessions = try historyProblem { try store.sessions(limit: limit) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            encoder.keyEncodingStrategy = .convertToSnakeCase
            struct Listing: Encodable { let deployments: [DeploymentSummary]; let sessions: [SessionSummary] }
            print(String(decoding: try encoder.encode(Listing(deployments: deployments, sessions: sessions)), as: UTF8.self))
            return
        }
        if deployments.isEmpty { print("no deployments recorded yet (in \(store.path))") }
        for d in deployments {
            var line = "\(d.key)  \(Self.time(d.createdAt))  \(d.provider)  \(d.application)/\(d.group)  \(d.status)"
            if let e = d.error { line += " (\(e))" }
            line += "  \(d.configuration)  \(d.events) events"
            if d.creator != "user" { line += "  by \(d.creator)" }
            print(line)
            print("    revision \(d.revision)")
        }
        if !sessions.isEmpty {
            print("sessions:")
            for s in sessions {
                print("  #\(s.id)  \(Self.time(s.startedAt))  \(s.kind)  \(s.provider)  \(s.deployments) deployment(s)  \(s.command)")
            }
        }
    }

    static func time(_ date: Date) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date) + "Z"
    }
}

/// `cutover show ID`: a recorded deployment's timeline.
struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a recorded deployment's timeline.")

    @Argument(help: "The deployment: ID@SESSION as cutover history lists it, or an id (the newest of that id).")
    var id: String

    @Flag(help: "Print the event log as JSON lines instead.")
    var json = false

    func run() throws {
        let store = try openHistory()
        let recorded = try historyProblem { try store.deployment(id) }
        if json {
            for e in recorded.events { print(e.jsonLine(targets: recorded.spec.targets)) }
            return
        }
        print("\(recorded.summary.provider) deployment, created \(History.time(recorded.summary.createdAt))"
              + (recorded.summary.creator != "user" ? " by \(recorded.summary.creator)" : ""))
        print(Timeline.render(spec: recorded.spec, log: recorded.events), terminator: "")
    }
}

/// `cutover replay ID`: re-runs a recorded deployment on a virtual clock from the
/// outcomes it recorded; identical, or the first event that differs. With `--config`,
/// what the same outcomes would have given under another configuration.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run a recorded deployment from its recorded outcomes (or with another configuration).",
        discussion: """
            The outcome of every lifecycle event (per instance: how long it took and how it \
            ended), the alarms seen, the policy's steps, approvals and stops are taken from \
            the record; the engine decides everything else again. Exit status 1 when the \
            replay differs from the record (without --config).
            """)

    @Argument(help: "The deployment: ID@SESSION or an id.")
    var id: String?

    @Option(help: ArgumentHelp("Re-execute a recorded prompt session's inputs instead.", valueName: "n"))
    var session: Int64?

    @Option(help: ArgumentHelp("Replay under this configuration instead (a counterfactual).", valueName: "name"))
    var config: String?

    @Option(help: ArgumentHelp("Replay with the policy this Lua file registers (cutover.policy) or returns, instead of the recorded steps.",
                               valueName: "file"))
    var policy: String?

    func validate() throws {
        guard (id == nil) != (session == nil) else { throw ValidationError("give a deployment id or --session N") }
        if session != nil && (config != nil || policy != nil) {
            throw ValidationError("--config and --policy replay a deployment, not a session")
        }
    }

    /// Whether this replay asks "what if" (a counterfactual) rather than "the same again?".
    private var counterfactual: Bool { config != nil || policy != nil }

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let store = try openHistory()
        if let session { return try replaySession(session, store) }
        let recorded = try historyProblem { try store.deployment(id ?? "") }
        var spec = recorded.spec
        if let config {
            spec.configuration = try predefinedConfiguration(named: config, platform: spec.platform)
        }
        let start = recorded.events.first?.time ?? 0
        let replayed: [RecordedEvent]
        if let policy {
            // The policy file runs in a VM of its own; the replay is not recorded.
            let shell = try Shell()
            let module = CutoverModule(defaultProvider: "sim")
            module.install(in: shell.vm)
            do {
                let result = try module.replay(recorded, as: spec, start: start, policyFile: policy, vm: shell.vm)
                replayed = result.events
                spec.policy = result.policy
            } catch {
                FileHandle.standardError.write(Data("cutover: \(Shell.describe(error))\n".utf8))
                throw ExitCode(1)
            }
        } else {
            replayed = CutoverCore.Replay.run(spec, outcomes: ReplayOutcomes(log: recorded.events, spec: recorded.spec), start: start)
        }
        let difference = CutoverCore.Replay.firstDifference(replayed, recorded.events)
        let actual = DeploymentEngine(spec: recorded.spec, replaying: recorded.events.map(\.event)).state
        let other = DeploymentEngine(spec: spec, replaying: replayed.map(\.event)).state
        let reuse = "outcomes recorded on the \(recorded.summary.provider) provider reused per instance and event; "
            + "instances the record never reached assumed to succeed in the event's median recorded time"
        if json {
            var out = "{\"deployment\":\(JSONText.quote(recorded.summary.key)),\"configuration\":\(JSONText.quote(spec.configuration.name))"
            if let p = spec.policy { out += ",\"policy\":\(JSONText.quote(p))" }
            out += ",\"identical\":\(difference == nil)"
            if let i = difference { out += ",\"first_difference\":\(i)" }
            out += ",\"recorded\":" + Self.outcome(actual, recorded.events, start)
            out += ",\"replayed\":" + Self.outcome(other, replayed, start)
            out += ",\"outcomes\":\(JSONText.quote(reuse))}"
            print(out)
        } else if !counterfactual {
            if let i = difference {
                print("\(recorded.summary.key): the replay differs from the record at event \(i):")
                print("  recorded  " + (i < recorded.events.count ? recorded.events[i].jsonLine(targets: spec.targets) : "(nothing)"))
                print("  replayed  " + (i < replayed.count ? replayed[i].jsonLine(targets: spec.targets) : "(nothing)"))
            } else {
                print("\(recorded.summary.key): identical (\(replayed.count) events replayed; \(reuse))")
            }
        } else {
            var what: [String] = []
            if config != nil { what.append("under \(spec.configuration.name) instead of \(recorded.spec.configuration.name)") }
            if policy != nil {
                what.append("with policy \(spec.policy ?? "") from \(policy ?? "") instead of "
                            + (recorded.spec.policy.map { "its recorded steps of policy \($0)" } ?? "the configuration's batches"))
            }
            print("\(recorded.summary.key) " + what.joined(separator: ", ") + ":")
            print("  what happened:      " + Self.line(actual, recorded.events, start))
            print("  what would have:    " + Self.line(other, replayed, start))
            if other.status != .succeeded && !other.message.isEmpty { print("    because " + other.message) }
            print("  (\(reuse))")
        }
        if !counterfactual && difference != nil { throw ExitCode(1) }
    }

    /// Runs a prompt session's inputs again, at a prompt, in a new session (kind
    /// "replay"); says whether each input ended as it did (succeeded or failed).
    private func replaySession(_ number: Int64, _ store: HistoryDatabase) throws {
        let (summary, inputs) = try historyProblem { try store.inputs(session: number) }
        guard !inputs.isEmpty else {
            print("session #\(number) has no inputs to replay")
            return
        }
        final class Outcomes { var ok: [Bool] = [] }
        let outcomes = Outcomes()
        var launch = Launch()
        launch.promptInputs = inputs.map(\.text)
        let install = installModules(provider: summary.provider, kind: "replay")
        launch.prepare = { shell in
            install(shell)
            let record = shell.inputRecorder
            shell.inputRecorder = { text, ok, result in
                outcomes.ok.append(ok)
                record?(text, ok, result)
            }
        }
        let status = launch.run()
        // A redacted input cannot run as typed: it is said, not counted as a difference.
        let redacted = inputs.enumerated().filter { $0.element.text.contains("[REDACTED]") }.map { $0.offset }
        let differing = zip(inputs, outcomes.ok).enumerated()
            .filter { $0.element.0.ok != $0.element.1 && !redacted.contains($0.offset) }
        for i in redacted { print("input \(i + 1) was stored redacted and cannot run as it was typed") }
        if differing.isEmpty && outcomes.ok.count == inputs.count {
            print("session #\(number): \(inputs.count) inputs replayed, each ended as recorded"
                  + (redacted.isEmpty ? "" : " (but the redacted ones)"))
        } else {
            for (i, pair) in differing {
                print("input \(i + 1) \(pair.0.ok ? "succeeded" : "failed") when recorded and \(pair.1 ? "succeeded" : "failed") now: \(pair.0.text)")
            }
            if outcomes.ok.count != inputs.count { print("\(outcomes.ok.count) of \(inputs.count) inputs ran") }
            throw ExitCode(1)
        }
        if status != 0 { throw ExitCode(status) }
    }

    static func line(_ s: DeploymentState, _ log: [RecordedEvent], _ start: Int64) -> String {
        let counts = Dictionary(grouping: s.targetStatus, by: { $0 }).mapValues(\.count)
        let per = [TargetStatus.succeeded, .failed, .skipped, .ready].compactMap { k in counts[k].map { "\($0) \(k.rawValue.lowercased())" } }
        return "\(s.status.rawValue)" + (s.error.map { " (\($0.rawValue))" } ?? "")
            + " after \(Timeline.clock((log.last?.time ?? start) - start)), \(s.batches.count) batch(es); " + per.joined(separator: ", ")
    }

    static func outcome(_ s: DeploymentState, _ log: [RecordedEvent], _ start: Int64) -> String {
        "{\"status\":\"\(s.status.rawValue)\"" + (s.error.map { ",\"error\":\"\($0.rawValue)\"" } ?? "")
            + ",\"duration_ms\":\((log.last?.time ?? start) - start),\"batches\":\(s.batches.count),\"events\":\(log.count)}"
    }
}

/// The history, or a clear error (exit 1) naming the file.
private func openHistory() throws -> HistoryDatabase {
    try historyProblem { try HistoryDatabase(path: History.databasePath) }
}

private func historyProblem<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        FileHandle.standardError.write(Data("cutover: \(error)\n".utf8))
        throw ExitCode(1)
    }
}
