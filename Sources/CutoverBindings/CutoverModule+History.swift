import CutoverCore
import CutoverHistory
import Foundation

/// Recording into the history: every deployment a VM starts, with its events, written
/// before the commands that follow them run. A history that cannot be opened or written
/// is reported once on standard error; deployments go on.
extension CutoverModule {
    func history() -> HistoryDatabase? {
        if let store = historyState.store { return store }
        guard let path = historyPath, !historyState.failed else { return nil }
        do {
            let store = try HistoryDatabase(path: path)
            historyState.store = store
            return store
        } catch {
            warnHistory(error)
            return nil
        }
    }

    /// The history this VM records in (opened when first asked for), if any.
    public var historyStore: HistoryDatabase? { history() }
    /// The session this VM's inputs and deployments are recorded under, once started.
    public var historySession: Int64? { historyState.session }

    private func warnHistory(_ error: Error) {
        guard !historyState.failed else { return }
        historyState.failed = true
        FileHandle.standardError.write(Data("cutover: deployments are not recorded: \(error)\n".utf8))
    }

    /// The session deployments of this VM belong to (started with the first one).
    private func session(_ store: HistoryDatabase, provider: String) -> Int64? {
        if let id = historyState.session { return id }
        do {
            let id = try store.startSession(kind: sessionKind, provider: provider, command: sessionCommand)
            historyState.session = id
            return id
        } catch {
            warnHistory(error)
            return nil
        }
    }

    /// A deployment's events as the engine produced them; the first batch (its
    /// `created` event) records the deployment itself. Real providers write at once,
    /// before the commands that follow the events run; the simulator's events wait in
    /// `pending` until `flushHistory` (the end of each run: a simulation is redone, not
    /// resumed, and thousands of commits would cost seconds).
    /// `session` overrides the VM's own: a resumed deployment's events go on under the
    /// session that started it. `context` is what the provider needs to resume it.
    func record(_ events: ArraySlice<RecordedEvent>, of spec: DeploymentSpec, provider: String, seed: UInt64? = nil,
                faults: String? = nil, cloud: Int = 1, buffered: Bool = false, session fixed: Int64? = nil,
                context: (() -> String?)? = nil) {
        guard let store = history() else { return }
        let isNew = events.first?.sequence == 0
        let item = HistoryDatabase.Item(spec: spec, session: fixed ?? session(store, provider: provider), provider: provider,
                                        isNew: isNew, events: Array(events),
                                        policySource: spec.policy.flatMap { policySources[$0] }, seed: seed, faults: faults,
                                        cloud: cloud, context: isNew ? context?() : nil)
        if buffered {
            historyState.pending.append(item)
            return
        }
        flushHistory(adding: item)
    }

    /// Writes what waits (and `item`) in one transaction.
    func flushHistory(adding item: HistoryDatabase.Item? = nil) {
        var items = historyState.pending
        historyState.pending = []
        if let item { items.append(item) }
        guard !items.isEmpty, let store = history() else { return }
        do {
            try store.record(items)
        } catch {
            warnHistory(error)
        }
    }

    /// One input of a prompt session (the prompt's `Shell.inputRecorder`), redacted.
    public func recordInput(_ text: String, ok: Bool, result: String) {
        guard let store = history(), let id = session(store, provider: defaultProvider) else { return }
        do {
            try store.recordInput(session: id, text: text, ok: ok, result: result)
        } catch {
            warnHistory(error)
        }
    }

    /// Ends the session, if deployments started one.
    public func endSession() {
        flushHistory()
        guard let store = historyState.store, let id = historyState.session else { return }
        try? store.endSession(id)
    }
}

/// The module's history handle and session.
final class HistoryState {
    var store: HistoryDatabase?
    /// Simulated clouds made so far (each numbers its deployments from 1).
    var simulatedClouds = 0
    var pending: [HistoryDatabase.Item] = []
    var failed = false
    var session: Int64?
}
