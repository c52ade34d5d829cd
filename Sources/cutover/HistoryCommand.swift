import ArgumentParser
import CutoverBindings
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
