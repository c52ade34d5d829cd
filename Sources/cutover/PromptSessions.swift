import CutoverBindings
import CutoverHistory
import CutoverREPL

/// The prompt's view of the recorded sessions (`.history`, `.save FILE #S`).
final class RecordedSessions: PromptSessions {
    let module: CutoverModule

    init(module: CutoverModule) { self.module = module }

    var current: Int64? { module.historySession }

    func list(limit: Int) throws -> [(id: Int64, line: String)] {
        guard let store = module.historyStore else { return [] }
        return try store.sessions(limit: limit).map { s in
            (s.id, "#\(s.id)  \(History.time(s.startedAt))  \(s.kind)  \(s.provider)  \(s.inputs) input(s)  "
                + "\(s.deployments) deployment(s)" + (s.kind == "prompt" ? "" : "  \(s.command)"))
        }
    }

    func inputs(of session: Int64) throws -> [(text: String, ok: Bool)] {
        guard let store = module.historyStore else { return [] }
        return try store.inputs(session: session).inputs
    }
}
