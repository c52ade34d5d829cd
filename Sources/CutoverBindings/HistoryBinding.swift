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
        // Past the end (or not a number of seconds anyone can reach): the final state.
        let limit = seconds.isFinite && abs(seconds) < 1e12 ? start + Int64(seconds * 1000) : Int64.max
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

    /// How two recorded deployments differ: `{ same =, status = { a, b }, error =,
    /// duration = { a, b }, batches = { a, b }, targets = { [id] = { a, b } } }` (targets
    /// whose final status differs, or that only one of them had).
    func diff(_ other: RecordedDeploymentBinding) -> LuaTable {
        let a = state(at: .infinity), b = other.state(at: .infinity)
        func pair(_ x: LuaValue, _ y: LuaValue) -> LuaValue { .table(LuaTable(array: [x, y])) }
        var targets = LuaTable(array: [])
        let sa = Dictionary(zip(recorded.spec.targets.map(\.id), a.targetStatus), uniquingKeysWith: { x, _ in x })
        let sb = Dictionary(zip(other.recorded.spec.targets.map(\.id), b.targetStatus), uniquingKeysWith: { x, _ in x })
        var differing = 0
        for id in Set(sa.keys).union(sb.keys).sorted() where sa[id] != sb[id] {
            targets[.string(id)] = pair(sa[id].map { .string($0.rawValue) } ?? .nil, sb[id].map { .string($0.rawValue) } ?? .nil)
            differing += 1
        }
        let da = Double((recorded.events.last?.time ?? start) - start) / 1000
        let db = Double((other.recorded.events.last?.time ?? other.start) - other.start) / 1000
        var out: LuaTable = [
            "status": pair(.string(a.status.rawValue), .string(b.status.rawValue)),
            "duration": pair(.number(da), .number(db)),
            "batches": pair(.integer(Int64(a.batches.count)), .integer(Int64(b.batches.count))),
            "targets": .table(targets),
        ]
        out["error"] = pair(a.error.map { .string($0.rawValue) } ?? .nil, b.error.map { .string($0.rawValue) } ?? .nil)
        out["same"] = .boolean(a.status == b.status && a.error == b.error && differing == 0 && da == db && a.batches == b.batches)
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
            t.method("why") { d, stack in
                // d:why(n): the n-th event (1-based, as in d.events).
                let n = Int(try stack.checkInteger(2))
                stack.push(Explanation.why(n - 1, in: d.recorded.events, spec: d.recorded.spec))
                return 1
            }
            t.method("diff") { d, stack in
                // d:diff(other): other is a recorded deployment or its id.
                let other: RecordedDeploymentBinding
                if let o = stack.object(at: 2, as: RecordedDeploymentBinding.self, typeName: typeName) {
                    other = o
                } else {
                    let id = try stack.checkString(2)
                    guard let store = d.module.history() else { throw LuaArgumentError(2, "there is no history to read") }
                    do { other = RecordedDeploymentBinding(try store.deployment(id), module: d.module) } catch {
                        throw LuaArgumentError(2, "\(error)")
                    }
                }
                stack.push(table: d.diff(other))
                return 1
            }
            t.method("replay") { d, stack in
                // d:replay{ config = NAME, policy = NAME | function } → { identical =, first_difference =, status =, error = }
                var spec = d.recorded.spec
                var policy: String?
                if stack.type(at: 2) > 0 {
                    let f = try Fields(stack, 2)
                    try f.rejectUnknown(["config", "policy"], function: "replay")
                    if let name = try f.string("config") {
                        guard let c = d.module.configuration(named: name) else { throw f.error("config", d.module.unknownConfiguration(name)) }
                        spec.configuration = c
                    }
                    switch f.value("policy") {
                    case .nil: break
                    case .string(let name): policy = name
                    case .reference(let fn) where fn.typeName == "function":
                        policy = "(replay)"
                        d.module.policies["(replay)"] = fn
                    case let other: throw f.error("policy", "a policy name or function expected, got \(other.typeName)")
                    }
                }
                let replayed = try policy.map { try d.module.replay(d.recorded, as: spec, start: d.start, policy: $0, on: stack) }
                    ?? Replay.run(spec, outcomes: ReplayOutcomes(log: d.recorded.events, spec: d.recorded.spec), start: d.start)
                if let policy { spec.policy = policy }
                let state = DeploymentEngine(spec: spec, replaying: replayed.map(\.event)).state
                var out: LuaTable = ["status": .string(state.status.rawValue), "events": .integer(Int64(replayed.count)),
                                     "message": .string(state.message)]
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
