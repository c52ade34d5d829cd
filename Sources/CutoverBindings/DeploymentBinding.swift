import CutoverAppSpec
import CutoverCore
import CutoverSim
import LuaRuntime
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A deployment handle as Lua sees it (`group:deploy{…}`): status, events, targets,
/// `wait()`, `stop()`, `approve()`, `timeline()`, `log()`.
final class DeploymentBinding {
    static let typeName = "cutover.Deployment"
    let run: DeploymentRun
    /// The policy's "next step" function, once the policy has started.
    private var policyNext: LuaReference?
    private var random: SplitMix64

    init(run: DeploymentRun) {
        self.run = run
        // Seeded from the deployment id: a policy's random choices replay identically.
        var seed: UInt64 = 1469598103934665603
        for byte in run.spec.id.utf8 { seed = (seed ^ UInt64(byte)) &* 1099511628211 }
        random = SplitMix64(seed: seed)
    }

    var module: CutoverModule { run.provider.module }

    static let fields = ["revision", "version", "task_definition", "config", "policy", "ignore_application_stop_failures",
                         "description", "appspec"]

    static func start(group: GroupBinding, _ f: Fields?) throws -> DeploymentBinding {
        guard let f else { throw LuaArgumentError(2, "table expected, got no value (for example { revision = \"v2\" })") }
        try f.rejectUnknown(fields, function: "deploy")
        let provider = group.provider
        let module = provider.module
        guard let platform = provider.group(named: group.name)?.group.platform else {
            throw LuaArgumentError(1, "the group \(group.name) no longer exists")
        }
        var configuration: DeploymentConfiguration?
        if let name = try f.string("config") {
            guard let c = module.configuration(named: name) else { throw f.error("config", module.unknownConfiguration(name)) }
            guard c.platform == platform else {
                throw f.error("config", "\(name) is a \(c.platform.rawValue) configuration; the group is \(platform.rawValue)")
            }
            configuration = c
        }
        let appSpec = try f.string("appspec").map { try readAppSpec($0, f, platform: platform) }
        // The revision: given, or the appspec's target (Lambda TargetVersion, ECS TaskDefinition).
        var revision = try f.string("revision") ?? f.string("version") ?? f.string("task_definition")
        switch appSpec {
        case .lambda(let l)?:
            if let given = revision, given != String(l.targetVersion) {
                throw f.error("version", "\(given) differs from the appspec's TargetVersion \(l.targetVersion)")
            }
            revision = String(l.targetVersion)
        case .ecs(let e)?:
            revision = revision ?? Self.taskDefinitionName(e.taskDefinition)
        default:
            break
        }
        guard let revision else {
            let what = switch platform {
            case .server: "revision = \"v2\""
            case .lambda: "version = \"2\""
            case .ecs: "task_definition = \"web:2\""
            }
            throw f.error(platform == .server ? "revision" : (platform == .lambda ? "version" : "task_definition"),
                          "string expected, got nil (for example { \(what) }, or appspec = FILE)")
        }
        let policy = try f.string("policy")
        if let policy, module.policies[policy] == nil {
            let known = module.policies.keys.sorted().joined(separator: ", ")
            throw f.error("policy", "no policy named '\(policy)' (register it with cutover.policy; known: \(known.isEmpty ? "none" : known))")
        }
        return try provider.startDeployment(group: group.name, revision: revision, configuration: configuration, policy: policy,
                                            ignoreApplicationStopFailures: try f.bool("ignore_application_stop_failures") ?? false,
                                            appSpec: appSpec)
    }

    /// Reads and validates a server appspec; a Lua error lists every issue at its
    /// file:line:col.
    static func readAppSpec(_ path: String, _ f: Fields, platform: ComputePlatform) throws -> AppSpec {
        guard let file = fopen(path, "r") else {
            throw f.error("appspec", "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        let spec: AppSpec
        do {
            spec = try AppSpecParser.parse(text: String(decoding: bytes, as: UTF8.self), file: path)
        } catch {
            throw BindingError("invalid appspec \(path):\n" + error.issues.map(\.description).joined(separator: "\n"))
        }
        guard spec.platform == platform else {
            throw f.error("appspec", "\(path) is a \(spec.platform.rawValue) appspec; a \(platform.rawValue) group needs a \(platform.rawValue) one")
        }
        return spec
    }

    /// `arn:…:task-definition/web:2` → `web:2`.
    static func taskDefinitionName(_ arn: String) -> String {
        arn.split(separator: "/").last.map(String.init) ?? arn
    }

    // MARK: - Policies

    /// Resumes the policy's coroutine to its next step (starting it the first time).
    func nextPolicyStep(on stack: LuaStack?) -> PolicyStep {
        guard let stack, let name = run.spec.policy, let fn = module.policies[name] else {
            return .abort("the policy cannot run here")
        }
        do {
            if policyNext == nil {
                guard let vm = LuaVM.owner(of: stack.state) else { return .abort("no Lua VM") }
                let maker = try vm.load(DeploymentBinding.policyRuntime, chunkName: "=(policy runtime)")
                stack.push(.reference(maker))
                let made = try stack.call(argumentCount: 0)
                stack.push(made[0])
                stack.push(.reference(fn))
                stack.push(object: self, typeName: DeploymentBinding.typeName)
                guard case .reference(let next) = try stack.call(argumentCount: 2).first else { return .abort("policy did not start") }
                policyNext = next
            }
            stack.push(.reference(policyNext!))
            let results = try stack.call(argumentCount: 0)
            if results.count > 1, results[0].isNil {
                return .abort("policy \(name) raised an error: \(results[1].description)")
            }
            return try parseStep(results.first ?? .nil, policy: name)
        } catch {
            return .abort("policy \(name) raised an error: \(error)")
        }
    }

    /// A step as the policy runtime yields it: `{ "deploy", targets }`, `{ "bake", seconds, alarms }`, …
    private func parseStep(_ value: LuaValue, policy: String) throws -> PolicyStep {
        guard case .reference(let t) = value, t.typeName == "table", let verb = t[.integer(1)].stringValue else {
            return .abort("policy \(policy) yielded \(value.typeName), not a step (use r:deploy, r:bake, r:approve, r:abort)")
        }
        switch verb {
        case "deploy":
            let arg = t[.integer(2)]
            if let n = arg.intValue { return .deploy(pick(Int(n))) }
            guard case .reference(let list) = arg, list.typeName == "table" else {
                return .abort("policy \(policy): deploy takes a list of target ids or a count, got \(arg.typeName)")
            }
            var indices: [Int] = []
            var i: Int64 = 1
            while !list[.integer(i)].isNil {
                let item = list[.integer(i)]
                guard let id = item.stringValue, let index = run.spec.targets.firstIndex(where: { $0.id == id }) else {
                    return .abort("policy \(policy): deploy names \(item.description), which is not a target of this deployment")
                }
                indices.append(index)
                i += 1
            }
            return .deploy(indices)
        case "bake":
            guard let seconds = parseDuration(t[.integer(2)]) else {
                return .abort("policy \(policy): bake takes a duration (\"5m\", \"30s\" or seconds), got \(t[.integer(2)].description)")
            }
            var alarms: [String]?
            if case .reference(let list) = t[.integer(3)] {
                alarms = list.rawKeys().compactMap { list[$0].stringValue }.sorted()
            }
            return .bake(seconds: seconds, alarms: alarms)
        case "approve":
            return .approve(t[.integer(2)].stringValue ?? "approval")
        case "abort":
            return .abort(t[.integer(2)].stringValue ?? "aborted")
        case "shift":
            guard let weight = t[.integer(2)].doubleValue, weight >= 0, weight <= 100, weight == weight.rounded() else {
                return .abort("policy \(policy): shift takes a whole percentage from 0 to 100, got \(t[.integer(2)].description)")
            }
            return .shift(Int(weight))
        case "done":
            return .done
        default:
            return .abort("policy \(policy) yielded an unknown step '\(verb)'")
        }
    }

    /// The one handle of a run (so `d.rollback == d.rollback`).
    static func handle(for run: DeploymentRun) -> DeploymentBinding {
        if let sim = run as? SimRun { return sim.cloud.binding(for: sim.deployment) }
        if let live = run as? LiveRun { return live.cloud.binding(for: live) }
        return DeploymentBinding(run: run)
    }

    /// The next `n` pending targets in the configuration's scheduling order.
    func pick(_ n: Int) -> [Int] {
        let order = BatchPlan.schedulingOrder(run.spec.targets, currentRevision: run.spec.lastSuccessfulRevision)
        var result: [Int] = []
        var index: [String: Int] = [:]
        for (i, t) in run.spec.targets.enumerated() { index[t.id] = i }
        for t in order {
            guard result.count < n, let i = index[t.id] else { break }
            if run.state.targetStatus[i] == .pending { result.append(i) }
        }
        return result
    }

    /// The Lua side of policies: the context `r` and the coroutine that runs the policy.
    static let policyRuntime = """
        local yield, create, resume, status = coroutine.yield, coroutine.create, coroutine.resume, coroutine.status
        local traceback = debug.traceback
        return function(fn, d)
          local r = { deployment = d }
          function r:deploy(targets) return yield({ "deploy", targets }) end
          function r:bake(duration, options) return yield({ "bake", duration, options and options.alarms }) end
          function r:approve(name) return yield({ "approve", name }) end
          function r:abort(reason) return yield({ "abort", reason }) end
          function r:shift(weight) return yield({ "shift", weight }) end
          function r:pick(n) return d:_pick(n) end
          function r:remaining() return d:_remaining() end
          function r:total() return d:_total() end
          function r:now() return d:_now() end
          function r:random(m, n) return d:_random(m, n) end
          function r:failed() return d:_failed() end
          local co = create(function() fn(r) return { "done" } end)
          return function()
            if status(co) == "dead" then return { "done" } end
            local ok, step = resume(co)
            if not ok then return nil, traceback(co, tostring(step)) end
            return step
          end
        end
        """

    // MARK: - Lua

    static func register(_ vm: LuaVM) {
        vm.registerType(DeploymentBinding.self, name: typeName) { t in
            t.method("wait") { d, stack in
                d.run.run(on: stack, untilSeconds: nil)
                stack.push(d.run.state.status.rawValue)
                return 1
            }
            t.method("watch") { d, stack in
                // The live view: each event as it happens, as text lines (or JSON lines).
                var json = false
                if stack.type(at: 2) > 0 {
                    let f = try Fields(stack, 2)
                    try f.rejectUnknown(["json"], function: "watch")
                    json = try f.bool("json") ?? false
                }
                let printer = LiveView(json: json)
                d.run.live = { run, event in printer.show(event, of: run) }
                defer { d.run.live = nil }
                for event in d.run.log {
                    printer.show(event, of: d.run)
                    if event.sequence + 1 == d.run.resumedAfter { printer.resumed(d.run) }
                }
                d.run.run(on: stack, untilSeconds: nil)
                stack.push(d.run.state.status.rawValue)
                return 1
            }
            t.method("run_until") { d, stack in
                d.run.run(on: stack, untilSeconds: try stack.checkNumber(2))
                stack.push(d.run.state.status.rawValue)
                return 1
            }
            t.method("stop") { d, stack in
                var rollback = false
                if stack.type(at: 2) > 0 {
                    let f = try Fields(stack, 2)
                    try f.rejectUnknown(["rollback"], function: "stop")
                    rollback = try f.bool("rollback") ?? false
                }
                guard !d.run.state.isEnded else {
                    throw LuaArgumentError(1, "DeploymentAlreadyCompletedException: \(d.run.spec.id) is \(d.run.state.status.rawValue)")
                }
                d.run.send(.stop(rollback: rollback || d.run.spec.autoRollback.triggers.contains(.stopOnRequest)), on: stack)
                stack.push(d.run.state.status.rawValue)
                return 1
            }
            t.method("approve") { d, stack in
                let name = try stack.optString(2) ?? d.run.state.awaitingApproval ?? ""
                guard d.run.state.awaitingApproval == name else {
                    let waiting = d.run.state.awaitingApproval.map { "it waits for '\($0)'" } ?? "it waits for no approval"
                    throw LuaArgumentError(2, "\(d.run.spec.id) cannot take approval '\(name)': \(waiting)")
                }
                d.run.send(.approve(name: name), on: stack)
                stack.push(d.run.state.status.rawValue)
                return 1
            }
            t.method("continue") { d, stack in
                d.run.send(.continueDeployment, on: stack)
                stack.push(d.run.state.status.rawValue)
                return 1
            }
            t.method("timeline") { d, stack in
                // Printed, like print(): a returned string would show its escapes at the prompt.
                let text = Timeline.render(d.run)
                fputs(text, stdout)
                fflush(stdout)
                return 0
            }
            t.method("timeline_text") { d, stack in
                stack.push(Timeline.render(d.run))
                return 1
            }
            t.method("log") { d, stack in
                stack.push(d.run.jsonLines())
                return 1
            }
            t.method("_pick") { d, stack in
                let n = Int(try stack.checkInteger(2))
                stack.push(table: LuaTable(array: d.pick(n).map { .string(d.run.spec.targets[$0].id) }))
                return 1
            }
            t.method("_remaining") { d, stack in
                stack.push(d.run.state.targetStatus.filter { $0 == .pending }.count)
                return 1
            }
            t.method("_total") { d, stack in
                stack.push(d.run.spec.targets.count)
                return 1
            }
            t.method("_failed") { d, stack in
                stack.push(d.run.state.failed)
                return 1
            }
            t.method("_now") { d, stack in
                stack.push(Double(d.run.elapsedMilliseconds) / 1000)
                return 1
            }
            t.method("_random") { d, stack in
                if stack.top >= 2 {
                    let m = try stack.checkInteger(2)
                    let n = stack.top >= 3 ? try stack.checkInteger(3) : m
                    let (low, high) = stack.top >= 3 ? (m, n) : (1, m)
                    guard low <= high else { throw LuaArgumentError(2, "interval is empty") }
                    stack.push(Int(low + Int64(d.random.next() % UInt64(high - low + 1))))
                } else {
                    stack.push(d.random.unit())
                }
                return 1
            }
            t.properties { d, key, stack in
                try d.property(key, stack)
            }
            t.metamethod("__tostring") { d, stack in
                stack.push("deployment \(d.run.spec.id) (\(d.run.state.status.rawValue))")
                return 1
            }
        }
    }

    private func property(_ key: String, _ stack: LuaStack) throws -> Int {
        let spec = run.spec
        let state = run.state
        switch key {
        case "id": stack.push(spec.id)
        case "status": stack.push(state.status.rawValue)
        case "error": if let e = state.error { stack.push(e.rawValue) } else { return 0 }
        case "message": stack.push(state.message)
        case "revision": stack.push(spec.revision)
        case "group": stack.push(spec.group)
        case "config": stack.push(spec.configuration.name)
        case "creator": stack.push(spec.creator.rawValue)
        case "policy": if let p = spec.policy { stack.push(p) } else { return 0 }
        case "minimum_healthy": stack.push(state.minimumHealthy)
        case "weight": if spec.traffic != nil { stack.push(state.trafficWeight) } else { return 0 }
        case "platform": stack.push(spec.platform.rawValue)
        case "waiting_for": if let a = state.awaitingApproval { stack.push(a) } else { return 0 }
        case "rollback":
            guard let r = run.rollback else { return 0 }
            stack.push(object: DeploymentBinding.handle(for: r), typeName: DeploymentBinding.typeName)
        case "follow_up":
            guard let r = run.followUp else { return 0 }
            stack.push(object: DeploymentBinding.handle(for: r), typeName: DeploymentBinding.typeName)
        case "batches":
            stack.push(table: LuaTable(array: state.batches.map { batch in
                .table(LuaTable(array: batch.map { .string(spec.targets[$0].id) }))
            }))
        case "targets":
            stack.push(table: LuaTable(array: spec.targets.enumerated().map { i, t in
                .table(["id": .string(t.id), "status": .string(state.targetStatus[i].rawValue)])
            }))
        case "events":
            stack.push(table: LuaTable(array: run.log.map { .table(Self.eventTable($0, spec)) }))
        default:
            return 0
        }
        return 1
    }

    /// An event as a Lua table: `{ seq =, time = seconds, kind =, target =, event =, status =, error =, message = }`.
    static func eventTable(_ r: RecordedEvent, _ spec: DeploymentSpec) -> LuaTable {
        var t: LuaTable = ["seq": .integer(Int64(r.sequence)), "time": .number(Double(r.time) / 1000)]
        func target(_ i: Int) -> LuaValue { .string(spec.targets[i].id) }
        switch r.event {
        case .created: t["kind"] = "created"
        case .started(let m, let b):
            t["kind"] = "started"; t["minimum_healthy"] = .integer(Int64(m)); t["batch_size"] = .integer(Int64(b))
        case .batchStarted(let index, let targets):
            t["kind"] = "batch"; t["index"] = .integer(Int64(index + 1))
            t["targets"] = .table(LuaTable(array: targets.map(target)))
        case .lifecycleStarted(let i, let e):
            t["kind"] = "event_started"; t["target"] = target(i); t["event"] = .string(e.rawValue)
        case .lifecycleEnded(let i, let e, let s, let code, let message):
            t["kind"] = "event_ended"; t["target"] = target(i); t["event"] = .string(e.rawValue)
            t["status"] = .string(s.rawValue)
            if code != .success { t["error"] = .string(code.rawValue) }
            if !message.isEmpty { t["message"] = .string(message) }
        case .targetEnded(let i, let s):
            t["kind"] = "target_ended"; t["target"] = target(i); t["status"] = .string(s.rawValue)
        case .policyStep(let step):
            t["kind"] = "policy_step"; t["step"] = .string(step.json(targetsOf: spec))
        case .bakeStarted(let until, _):
            t["kind"] = "bake_started"; t["until"] = .number(Double(until) / 1000)
        case .bakeEnded: t["kind"] = "bake_ended"
        case .approvalWaiting(let name): t["kind"] = "approval_waiting"; t["name"] = .string(name)
        case .approved(let name): t["kind"] = "approved"; t["name"] = .string(name)
        case .alarmActive(let name): t["kind"] = "alarm"; t["name"] = .string(name)
        case .alarmPollFailed(let message): t["kind"] = "alarm_poll_failed"; t["message"] = .string(message)
        case .stopRequested(let code, let rollback, let message):
            t["kind"] = "stop_requested"; t["error"] = .string(code.rawValue); t["rollback"] = .boolean(rollback)
            t["message"] = .string(message)
        case .ended(let status, let code, let message):
            t["kind"] = "ended"; t["status"] = .string(status.rawValue)
            if let code { t["error"] = .string(code.rawValue) }
            t["message"] = .string(message)
        case .rollbackRequested(let revision): t["kind"] = "rollback_requested"; t["revision"] = .string(revision)
        case .rollbackUnavailable(let message): t["kind"] = "rollback_unavailable"; t["message"] = .string(message)
        case .trafficShiftRequested(let weight): t["kind"] = "traffic_shift_requested"; t["weight"] = .integer(Int64(weight))
        case .trafficShifted(let weight): t["kind"] = "traffic_shifted"; t["weight"] = .integer(Int64(weight))
        case .trafficRestoreRequested(let status, let code, let message, let rollback):
            t["kind"] = "traffic_restore_requested"; t["status"] = .string(status.rawValue)
            if let code { t["error"] = .string(code.rawValue) }
            t["message"] = .string(message); t["rollback"] = .boolean(rollback)
        case .trafficRestored(let message): t["kind"] = "traffic_restored"; t["message"] = .string(message)
        case .terminationWaitStarted(let until):
            t["kind"] = "termination_wait_started"; t["until"] = .number(Double(until) / 1000)
        case .originalTerminationRequested: t["kind"] = "original_termination_requested"
        case .originalTerminated: t["kind"] = "original_terminated"
        case .stageStarted(let stage): t["kind"] = "stage"; t["stage"] = .string(stage.rawValue)
        case .readyWaitStarted(let until): t["kind"] = "ready_wait_started"; t["until"] = .number(Double(until) / 1000)
        case .replacementDiscardRequested(let status, let code, let message):
            t["kind"] = "replacement_discard_requested"; t["status"] = .string(status.rawValue)
            if let code { t["error"] = .string(code.rawValue) }
            t["message"] = .string(message)
        case .replacementDiscarded(let message): t["kind"] = "replacement_discarded"; t["message"] = .string(message)
        }
        return t
    }
}

extension PolicyStep {
    func json(targetsOf spec: DeploymentSpec) -> String {
        RecordedEvent(sequence: 0, time: 0, event: .policyStep(self)).jsonLine(targets: spec.targets)
    }
}

/// An error raised to Lua as a message with the caller's position in front.
struct BindingError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
