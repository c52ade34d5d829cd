import CutoverCore
import CutoverHistory
import LuaRuntime
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A recorded deployment as Lua sees it (`cutover.deployment(ID)`): what the history
/// holds, time travel (`:at(t)`), its timeline and replays.
final class RecordedDeploymentBinding {
    static let typeName = "cutover.RecordedDeployment"
    let recorded: RecordedDeployment
    let module: CutoverModule

    init(_ recorded: RecordedDeployment, module: CutoverModule) {
        self.recorded = recorded
        self.module = module
    }

    var start: Int64 { recorded.events.first?.time ?? 0 }

    /// The state after the events up to `seconds` after creation.
    func state(at seconds: Double) -> DeploymentState {
        let limit = start + Int64(seconds * 1000)
        return DeploymentEngine(spec: recorded.spec, replaying: recorded.events.filter { $0.time <= limit }.map(\.event)).state
    }

    /// `{ status =, targets = { [id] = { status =, revision = } }, weight = }` at `t` seconds.
    func snapshot(at seconds: Double) -> LuaTable {
        let state = state(at: seconds)
        let spec = recorded.spec
        var targets = LuaTable(array: [])
        for (i, t) in spec.targets.enumerated() {
            let status = state.targetStatus[i]
            // A target has the new revision once it succeeded (a replacement once it is Ready).
            let installed = status == .succeeded || status == .ready
            let revision = spec.traffic != nil ? (state.trafficWeight >= 100 ? spec.revision : t.revision)
                : (installed ? spec.revision : t.revision)
            var entry: LuaTable = ["status": .string(status.rawValue)]
            if let revision { entry["revision"] = .string(revision) }
            if let running = state.running[i] { entry["event"] = .string(running.rawValue) }
            targets[.string(t.id)] = .table(entry)
        }
        var out: LuaTable = ["status": .string(state.status.rawValue), "targets": .table(targets),
                             "time": .number(seconds)]
        if let traffic = spec.traffic {
            var weights = LuaTable(array: [])
            let w = state.trafficWeight
            if w < 100 { weights[.string(traffic.currentVersion)] = .integer(Int64(100 - w)) }
            if w > 0 { weights[.string(traffic.targetVersion)] = .integer(Int64(w)) }
            out["weights"] = .table(weights)
        }
        return out
    }

    static func register(_ vm: LuaVM) {
        vm.registerType(RecordedDeploymentBinding.self, name: typeName) { t in
            t.method("at") { d, stack in
                stack.push(table: d.snapshot(at: try stack.checkNumber(2)))
                return 1
            }
            t.method("timeline") { d, stack in
                fputs(Timeline.render(spec: d.recorded.spec, log: d.recorded.events), stdout)
                fflush(stdout)
                return 0
            }
            t.method("replay") { d, stack in
                // d:replay{ config = NAME } → { identical =, first_difference =, status =, error = }
                var spec = d.recorded.spec
                if stack.type(at: 2) > 0 {
                    let f = try Fields(stack, 2)
                    try f.rejectUnknown(["config"], function: "replay")
                    if let name = try f.string("config") {
                        guard let c = d.module.configuration(named: name) else { throw f.error("config", d.module.unknownConfiguration(name)) }
                        spec.configuration = c
                    }
                }
                let replayed = Replay.run(spec, outcomes: ReplayOutcomes(log: d.recorded.events, spec: d.recorded.spec), start: d.start)
                let state = DeploymentEngine(spec: spec, replaying: replayed.map(\.event)).state
                var out: LuaTable = ["status": .string(state.status.rawValue), "events": .integer(Int64(replayed.count))]
                if let e = state.error { out["error"] = .string(e.rawValue) }
                if let i = Replay.firstDifference(replayed, d.recorded.events) {
                    out["identical"] = false
                    out["first_difference"] = .integer(Int64(i + 1))
                } else {
                    out["identical"] = true
                }
                stack.push(table: out)
                return 1
            }
            t.properties { d, key, stack in
                let s = d.recorded.summary
                switch key {
                case "id": stack.push(s.id)
                case "key": stack.push(s.key)
                case "status": stack.push(s.status)
                case "error": if let e = s.error { stack.push(e) } else { return 0 }
                case "message": if let m = s.message { stack.push(m) } else { return 0 }
                case "revision": stack.push(s.revision)
                case "group": stack.push(s.group)
                case "provider": stack.push(s.provider)
                case "config": stack.push(s.configuration)
                case "duration": stack.push(Double((d.recorded.events.last?.time ?? d.start) - d.start) / 1000)
                case "events":
                    stack.push(table: LuaTable(array: d.recorded.events.map { .table(DeploymentBinding.eventTable($0, d.recorded.spec)) }))
                default: return 0
                }
                return 1
            }
            t.metamethod("__tostring") { d, stack in
                stack.push("recorded deployment \(d.recorded.summary.key) (\(d.recorded.summary.status))")
                return 1
            }
        }
    }
}

extension CutoverModule {
    /// `cutover.history{ limit = 20 }`: recorded deployments, newest first.
    func historyList(_ stack: LuaStack) throws -> Int {
        var limit = 20
        if stack.type(at: 1) > 0 {
            let f = try Fields(stack, 1)
            try f.rejectUnknown(["limit"], function: "history")
            limit = try f.int("limit") ?? 20
        }
        guard let store = history() else { throw LuaArgumentError(1, "there is no history to read (CUTOVER_HISTORY=off, or it cannot be opened)") }
        flushHistory()
        let list: [DeploymentSummary]
        do { list = try store.deployments(limit: limit) } catch { throw LuaArgumentError(1, "\(error)") }
        stack.push(table: LuaTable(array: list.map { d in
            var t: LuaTable = ["id": .string(d.id), "key": .string(d.key), "status": .string(d.status), "group": .string(d.group),
                               "revision": .string(d.revision), "provider": .string(d.provider), "config": .string(d.configuration),
                               "events": .integer(Int64(d.events))]
            if let e = d.error { t["error"] = .string(e) }
            return .table(t)
        }))
        return 1
    }

    /// `cutover.deployment(ID)`: a recorded deployment (`ID@SESSION` or an id, the newest).
    func recordedDeployment(_ stack: LuaStack) throws -> Int {
        let id = try stack.checkString(1)
        guard let store = history() else { throw LuaArgumentError(1, "there is no history to read (CUTOVER_HISTORY=off, or it cannot be opened)") }
        flushHistory()
        do {
            stack.push(object: RecordedDeploymentBinding(try store.deployment(id), module: self), typeName: RecordedDeploymentBinding.typeName)
        } catch {
            throw LuaArgumentError(1, "\(error)")
        }
        return 1
    }
}
