import CutoverCore
import CutoverLocal
import Foundation
import CutoverSim
import LuaRuntime

/// A simulated cloud as Lua sees it (`cutover.sim{…}`): instances, faults, groups.
final class CloudBinding: CloudProvider {
    static let typeName = "cutover.Cloud"
    let sim: SimCloud
    unowned let module: CutoverModule
    var groupBindings: [String: GroupBinding] = [:]
    var deployments: [String: DeploymentBinding] = [:]
    /// Simulator only: the share of failing invocations of a function's code (its next
    /// published version), for alarm models.
    var errorRates: [String: Double] = [:]
    /// Smooth weighted round-robin credits per invoked alias.
    var invokeCredits: [String: [String: Int]] = [:]
    /// Task definition revisions named so far, per family.
    var taskDefinitionRevisions: [String: Int] = [:]
    /// The stack of the Lua call that is running the simulation: hooks and policies
    /// are called on it (never on another thread's stack).
    var currentStack: LuaStack?

    init(sim: SimCloud, module: CutoverModule) {
        self.sim = sim
        self.module = module
        sim.hookRunner = { [unowned self] deployment, target, event in
            self.runHook(deployment, target, event)
        }
        sim.policyRunner = { [unowned self] deployment in
            self.deployments[deployment.spec.id]?.nextPolicyStep(on: self.currentStack) ?? .done
        }
        module.historyState.simulatedClouds += 1
        let cloudNumber = module.historyState.simulatedClouds
        sim.recorder = { [unowned self] deployment, events in
            self.module.record(events, of: deployment.spec, provider: "sim", seed: self.sim.seed,
                               faults: self.sim.faults.isEmpty ? nil : "\(self.sim.faults)", cloud: cloudNumber, buffered: true)
        }
    }

    static let optionFields = ["seed", "hosts", "tags", "prefix", "fail_rate", "durations", "faults", "hook_timeouts"]

    static func make(_ options: Fields?, module: CutoverModule) throws -> CloudBinding {
        var seed = module.defaultSeed
        if let options {
            try options.rejectUnknown(optionFields, function: "sim")
            if let s = try options.int("seed") { seed = UInt64(truncatingIfNeeded: s) }
        }
        let cloud = CloudBinding(sim: SimCloud(seed: seed), module: module)
        if let options {
            if let hosts = try options.int("hosts") {
                guard hosts >= 0 else { throw options.error("hosts", "must be 0 or more, got \(hosts)") }
                cloud.sim.addInstances(count: hosts, prefix: try options.string("prefix") ?? "i",
                                       tags: try options.stringMap("tags") ?? [:])
            }
            try cloud.configure(options)
        }
        return cloud
    }

    /// fail_rate, durations, hook_timeouts, faults.
    func configure(_ options: Fields) throws {
        if let rate = try options.number("fail_rate") {
            guard rate >= 0 && rate <= 1 else { throw options.error("fail_rate", "must be between 0 and 1, got \(rate)") }
            sim.failRate = rate
        }
        if let durations = try options.table("durations") {
            for key in durations.keys() {
                // An instance's own durations: durations = { ["i-3"] = { Install = "10m" } }.
                if let perInstance = try? durations.table(key), sim.instances.contains(where: { $0.id == key }) {
                    for eventName in perInstance.keys() {
                        let event = try Self.event(eventName, perInstance, eventName)
                        guard let seconds = parseDuration(perInstance.value(eventName)) else {
                            throw perInstance.error(eventName, "a duration expected (\"30s\", \"5m\" or seconds)")
                        }
                        sim.durations.byInstance[key, default: [:]][event] = Int64(seconds) * 1000
                    }
                    continue
                }
                let event = try Self.event(key, durations, key)
                guard let seconds = parseDuration(durations.value(key)) else {
                    throw durations.error(key, "a duration expected (\"30s\", \"5m\" or seconds)")
                }
                sim.durations.byEvent[event] = Int64(seconds) * 1000
            }
        }
        if let timeouts = try options.table("hook_timeouts") {
            for key in timeouts.keys() {
                let event = try Self.event(key, timeouts, key)
                guard let seconds = parseDuration(timeouts.value(key)), seconds > 0 else {
                    throw timeouts.error(key, "a timeout above 0 seconds expected")
                }
                sim.hookTimeouts[event] = seconds
            }
        }
        if let faults = try options.table("faults") {
            var i: Int64 = 1
            while !faults.table[.integer(i)].isNil {
                guard case .reference(let ref) = faults.table[.integer(i)], ref.typeName == "table" else {
                    throw options.error("faults[\(i)]", "table expected, got \(faults.table[.integer(i)].typeName)")
                }
                try addFault(Fields(table: ref, index: faults.index, path: "faults[\(i)]."))
                i += 1
            }
        }
    }

    static func event(_ name: String, _ f: Fields, _ key: String) throws -> LifecycleEvent {
        guard let event = LifecycleEvent(rawValue: name) else {
            let near = LifecycleEvent.allCases.map(\.rawValue).min { editDistance($0, name) < editDistance($1, name) } ?? ""
            throw f.error(key, "'\(name)' is not a lifecycle event (did you mean \(near)?)")
        }
        return event
    }

    /// `{ instance = "i-3", event = "AfterInstall", code = "ScriptFailed", message = "…", once = false }`,
    /// `{ instance = "i-2", unreachable_at = "10m" }`, `{ alarm = "5xx", at = "2m", duration = "5m" }`,
    /// `{ alarm_poll_failure = true, at = "1m", duration = "2m" }`.
    func addFault(_ f: Fields) throws {
        try f.rejectUnknown(["instance", "event", "code", "message", "once", "unreachable_at", "alarm", "at", "duration",
                             "alarm_poll_failure"], function: "fault")
        if try f.bool("alarm_poll_failure") == true {
            let at = parseDuration(f.value("at")) ?? 0
            let duration = f.value("duration").isNil ? nil : parseDuration(f.value("duration"))
            sim.faults.append(.alarmPollFailure(fromMilliseconds: sim.now + Int64(at) * 1000,
                                                durationMilliseconds: duration.map { Int64($0) * 1000 }))
            return
        }
        if let alarm = try f.string("alarm") {
            let at = parseDuration(f.value("at")) ?? 0
            let duration = f.value("duration").isNil ? nil : parseDuration(f.value("duration"))
            sim.faults.append(.alarm(name: alarm, fromMilliseconds: sim.now + Int64(at) * 1000,
                                     durationMilliseconds: duration.map { Int64($0) * 1000 }))
            return
        }
        let instance = try instanceName(f)
        if !f.value("unreachable_at").isNil {
            guard let at = parseDuration(f.value("unreachable_at")) else {
                throw f.error("unreachable_at", "a duration expected")
            }
            sim.faults.append(.unreachable(instance: instance, atMilliseconds: sim.now + Int64(at) * 1000))
            return
        }
        let event = try Self.event(try f.requiredString("event"), f, "event")
        let codeName = try f.string("code") ?? "ScriptFailed"
        guard let code = LifecycleErrorCode(rawValue: codeName), code != .success else {
            throw f.error("code", "'\(codeName)' is not a lifecycle error code (ScriptFailed, ScriptTimedOut, ScriptMissing, …)")
        }
        sim.faults.append(.failEvent(instance: instance, event: event, code: code,
                                     message: try f.string("message") ?? "simulated \(code.rawValue)",
                                     once: try f.bool("once") ?? false))
    }

    /// An instance by id ("i-3") or by number (3).
    private func instanceName(_ f: Fields) throws -> String {
        let v = f.value("instance")
        if let n = v.intValue {
            guard n >= 1, Int(n) <= sim.instances.count else {
                throw f.error("instance", "there is no instance #\(n) (the fleet has \(sim.instances.count))")
            }
            return sim.instances[Int(n) - 1].id
        }
        let id = try f.requiredString("instance")
        guard sim.instances.contains(where: { $0.id == id }) else {
            throw f.error("instance", "no instance named '\(id)'")
        }
        return id
    }

    /// `{ name =, task_definition =, replacement =, replacement_weight =, test = "primary" | "replacement" }`.
    func serviceTable(_ name: String) -> LuaTable {
        guard let s = sim.services[name] else { return [:] }
        var t: LuaTable = ["name": .string(s.name), "task_definition": .string(s.taskDefinition),
                           "replacement_weight": .integer(Int64(s.replacementWeight))]
        if let r = s.replacement { t["replacement"] = .string(r) }
        if s.hasTestListener { t["test"] = .string(s.testOnReplacement ? "replacement" : "primary") }
        return t
    }

    // MARK: - CloudProvider

    func addGroup(_ group: DeploymentGroup) throws(CoreError) {
        try sim.addGroup(SimGroup(group, lastSuccessfulRevision: sim.groups[group.name]?.lastSuccessfulRevision))
    }

    func attach(loadBalancer: String?, to group: String) {}

    func group(named name: String) -> (group: DeploymentGroup, lastSuccessfulRevision: String?, active: String?)? {
        sim.groups[name].map { ($0.group, $0.lastSuccessfulRevision, $0.activeDeployment) }
    }

    func targetIDs(of group: String) -> [String] {
        guard let g = sim.groups[group] else { return [] }
        return g.selection.select(from: sim.instances.map(\.description)).map(\.id)
    }

    func startDeployment(group: String, revision: String, configuration: DeploymentConfiguration?, policy: String?,
                         ignoreApplicationStopFailures: Bool, appSpec: AppSpec?) throws -> DeploymentBinding {
        switch appSpec {
        case .server(let server)?: sim.appSpecs[revision] = server
        case .lambda(let l)?:
            try l.check(against: sim.groups[group]?.group.traffic, aliasVersion: sim.functions[l.name]?.aliases[l.alias]?.version)
            sim.trafficHooks[group + "/" + revision] = l.hooks
        case .ecs(let e)?:
            sim.trafficHooks[group + "/" + revision] = e.hooks
        case nil:
            break
        }
        do {
            let d = try sim.deploy(group: group, revision: revision, configuration: configuration, policy: policy,
                                   ignoreApplicationStopFailures: ignoreApplicationStopFailures)
            module.flushHistory()
            return binding(for: d)
        } catch {
            throw LuaArgumentError(2, "\(error)")
        }
    }

    /// The handle of a simulated deployment (one per deployment).
    func binding(for d: SimDeployment) -> DeploymentBinding {
        if let existing = deployments[d.spec.id] { return existing }
        let binding = DeploymentBinding(run: SimRun(cloud: self, deployment: d))
        deployments[d.spec.id] = binding
        return binding
    }

    // MARK: - Hooks

    private func runHook(_ deployment: SimDeployment, _ target: Int, _ event: LifecycleEvent)
        -> (LifecycleEventStatus, LifecycleErrorCode, String)?
    {
        guard let group = groupBindings[deployment.spec.group], group.hooks[event] != nil, let stack = currentStack else {
            return nil
        }
        let t = deployment.spec.targets[target]
        var context: LuaTable = [
            "event": .string(event.rawValue),
            "deployment": .string(deployment.spec.id),
            "revision": .string(deployment.spec.revision),
            "target": .table(["id": .string(t.id), "tags": .table(LuaTable(strings: t.tags))]),
            "now": .number(Double(sim.now) / 1000),
        ]
        if let traffic = deployment.spec.traffic {
            context["current_version"] = .string(traffic.currentVersion)
            context["target_version"] = .string(traffic.targetVersion)
            if traffic.kind == .function { context["lambda"] = .string(traffic.name); context["alias"] = .string(traffic.alias ?? "") }
        }
        return group.runHook(event, context: context, on: stack)
    }

    // MARK: - Lua

    static func register(_ vm: LuaVM) {
        vm.registerType(CloudBinding.self, name: typeName) { t in
            t.method("fleet") { cloud, stack in
                let f = try Fields(stack, 2)
                try f.rejectUnknown(["name", "hosts", "tags", "asg"], function: "fleet")
                let count = try f.int("hosts") ?? 1
                guard count >= 0 else { throw f.error("hosts", "must be 0 or more") }
                let ids = cloud.sim.addInstances(count: count, prefix: try f.string("name") ?? "i",
                                                 tags: try f.stringMap("tags") ?? [:], autoScalingGroup: try f.string("asg"))
                stack.push(table: LuaTable(array: ids.map { .string($0) }))
                return 1
            }
            t.method("fault") { cloud, stack in
                try cloud.addFault(Fields(stack, 2))
                return 0
            }
            t.method("set") { cloud, stack in
                let f = try Fields(stack, 2)
                try f.rejectUnknown(["fail_rate", "durations", "hook_timeouts", "faults"], function: "set")
                try cloud.configure(f)
                return 0
            }
            t.method("instances") { cloud, stack in
                let list = cloud.sim.instances.map { i -> LuaValue in
                    var entry: LuaTable = ["id": .string(i.id), "health": .string(i.health.rawValue)]
                    if let r = i.revision { entry["revision"] = .string(r) }
                    entry["tags"] = .table(LuaTable(strings: i.tags))
                    return .table(entry)
                }
                stack.push(table: LuaTable(array: list))
                return 1
            }
            t.method("now") { cloud, stack in
                stack.push(Double(cloud.sim.now) / 1000)
                return 1
            }
            t.method("group") { cloud, stack in try cloud.makeGroup(stack) }
            // Functions: cloud:lambda{ name =, versions = 1, alias = "live", handler = (ignored) }.
            t.method("lambda") { cloud, stack in
                let f = try Fields(stack, 2)
                try f.rejectUnknown(["name", "versions", "alias", "alias_version", "handler", "timeout", "environment",
                                     "error_rate"], function: "lambda")
                let name = try f.requiredString("name")
                if let rate = try f.number("error_rate") { cloud.errorRates[name] = rate }
                if cloud.sim.functions[name] != nil && f.value("versions").isNil {
                    // Like the local cloud: posting a function again changes its code, not its versions.
                    stack.push(name)
                    return 1
                }
                let (versions, alias, aliasVersion) = (try f.int("versions") ?? 0, try f.string("alias"), try f.string("alias_version"))
                do {
                    try cloud.sim.addFunction(name: name, versions: versions, alias: alias, aliasVersion: aliasVersion)
                } catch {
                    throw LuaArgumentError(2, "\(error)")
                }
                stack.push(name)
                return 1
            }
            t.method("publish") { cloud, stack in
                let name = try stack.checkString(2)
                do {
                    let version = try cloud.sim.publishVersion(of: name)
                    cloud.sim.versionErrorRates[name, default: [:]][version] = cloud.errorRates[name] ?? 0
                    stack.push(version)
                } catch {
                    throw LuaArgumentError(2, "\(error)")
                }
                return 1
            }
            t.method("alias") { cloud, stack in
                let name = try stack.checkString(2)
                let alias = try stack.checkString(3)
                guard var function = cloud.sim.functions[name] else { throw LuaArgumentError(2, "no function named \(name)") }
                if stack.top >= 4 {
                    let version = try stack.checkString(4)
                    guard function.versions.contains(version) else { throw LuaArgumentError(4, "function \(name) has no version \(version)") }
                    function.aliases[alias] = .init(version: version, additionalVersion: nil, additionalWeight: 0)
                    cloud.sim.functions[name] = function
                }
                guard function.aliases[alias] != nil else { throw LuaArgumentError(3, "function \(name) has no alias \(alias)") }
                stack.push(table: LuaTable(fields: function.weights(of: alias).sorted { $0.key < $1.key }
                    .map { (.string($0.key), .integer(Int64($0.value))) }))
                return 1
            }
            t.method("service") { cloud, stack in
                let f = try Fields(stack, 2)
                try f.rejectUnknown(["name", "task_definition", "desired_count", "port", "test_port", "health_interval"], function: "service")
                let name = try f.requiredString("name")
                do {
                    try cloud.sim.addService(name: name, taskDefinition: try f.requiredString("task_definition"),
                                             testListener: !f.value("test_port").isNil)
                } catch {
                    throw LuaArgumentError(2, "\(error)")
                }
                stack.push(table: cloud.serviceTable(name))
                return 1
            }
            t.method("task_definition") { cloud, stack in
                // The simulator keeps no task definitions: it names the next revision of a family.
                let f = try Fields(stack, 2)
                try f.rejectUnknown(["family", "command", "environment", "health_path", "port_env", "working_directory"],
                                    function: "task_definition")
                let family = try f.requiredString("family")
                let revision = (cloud.taskDefinitionRevisions[family] ?? 0) + 1
                cloud.taskDefinitionRevisions[family] = revision
                stack.push("\(family):\(revision)")
                return 1
            }
            // Auto Scaling: cloud:asg{ name =, min =, max =, desired =, prefix =, tags = }, cloud:scale(name, n).
            t.method("asg") { cloud, stack in
                let f = try Fields(stack, 2)
                try f.rejectUnknown(["name", "min", "max", "desired", "prefix", "tags", "load_balancer", "ports"], function: "asg")
                let name = try f.requiredString("name")
                let (min, max) = (try f.int("min") ?? 1, try f.int("max") ?? 10)
                let (desired, prefix, tags) = (try f.int("desired") ?? min, try f.string("prefix"), try f.stringMap("tags") ?? [:])
                do {
                    try cloud.sim.createAutoScalingGroup(name: name, min: min, max: max, desired: desired, prefix: prefix, tags: tags)
                } catch {
                    throw LuaArgumentError(2, "\(error)")
                }
                stack.push(name)
                return 1
            }
            t.method("scale") { cloud, stack in
                let name = try stack.checkString(2)
                let desired = Int(try stack.checkInteger(3))
                do {
                    try cloud.sim.scale(name, desired: desired)
                } catch {
                    throw LuaArgumentError(2, "\(error)")
                }
                stack.push(table: LuaTable(array: cloud.sim.instances.filter { $0.autoScalingGroup == name }.map { .string($0.id) }))
                return 1
            }
            t.method("load_balancer") { cloud, stack in
                // A simulated load balancer is a name: AllowTraffic and BlockTraffic are events with durations.
                let f = try Fields(stack, 2)
                try f.rejectUnknown(["name", "port", "health", "health_interval"], function: "load_balancer")
                stack.push(table: ["name": .string(try f.requiredString("name"))])
                return 1
            }
            t.method("load") { cloud, stack in
                // The simulator sends no requests: its alarm models use the rate.
                let (_, rate, _) = try LoadBinding.options(Fields(stack, 2))
                cloud.sim.requestRate = rate
                stack.push(object: LoadBinding(loop: nil, rate: rate), typeName: LoadBinding.typeName)
                return 1
            }
            t.method("invoke") { cloud, stack in
                // Which version an invocation through the alias reaches (smooth weighted
                // round-robin, as the local cloud routes): { version = }.
                let target = try stack.checkString(2)
                let parts = target.split(separator: ":", maxSplits: 1).map(String.init)
                guard let function = cloud.sim.functions[parts[0]] else { throw LuaArgumentError(2, "no function named \(parts[0])") }
                let qualifier = parts.count > 1 ? parts[1] : function.versions.last ?? ""
                var version = qualifier
                if function.aliases[qualifier] != nil {
                    let weights = function.weights(of: qualifier).sorted { $0.key < $1.key }
                    var credits = cloud.invokeCredits[target] ?? [:]
                    for (v, w) in weights { credits[v, default: 0] += w }
                    version = weights.max { credits[$0.key]! < credits[$1.key]! }?.key ?? qualifier
                    credits[version, default: 0] -= 100
                    cloud.invokeCredits[target] = credits
                } else if !function.versions.contains(qualifier) {
                    throw LuaArgumentError(2, "function \(parts[0]) has no alias or version \(qualifier) (ResourceNotFoundException)")
                }
                stack.push(table: ["version": .string(version)])
                return 1
            }
            t.method("alarm") { cloud, stack in
                // The same definition as on the local cloud; function error metrics are
                // modelled from the traffic (SimModelAlarm), others never fire here.
                let f = try Fields(stack, 2)
                let (name, definition) = try LocalCloudBinding.alarmDefinition(f)
                do {
                    let spec = try JSONDecoder().decode(Control.AlarmSpec.self, from: JSONEncoder().encode(definition))
                    cloud.sim.modelAlarms[name] = try AlarmDefinition(name: name, spec: spec)
                } catch {
                    throw LuaArgumentError(2, "\(error)")
                }
                stack.push(table: ["name": .string(name)])
                return 1
            }
            t.method("describe_service") { cloud, stack in
                let name = try stack.checkString(2)
                guard cloud.sim.services[name] != nil else { throw LuaArgumentError(2, "no service named \(name)") }
                stack.push(table: cloud.serviceTable(name))
                return 1
            }
            t.metamethod("__tostring") { cloud, stack in
                stack.push("sim cloud (\(cloud.sim.instances.count) instances, t=\(Double(cloud.sim.now) / 1000)s)")
                return 1
            }
        }
    }
}

/// A simulated deployment as a handle runs it.
final class SimRun: DeploymentRun {
    let cloud: CloudBinding
    let deployment: SimDeployment
    /// Ready waits (by their end) at which `run` already returned to the caller.
    private var pausedAtReady = Set<Int64>()
    var live: ((DeploymentRun, RecordedEvent) -> Void)?

    init(cloud: CloudBinding, deployment: SimDeployment) {
        self.cloud = cloud
        self.deployment = deployment
    }

    var spec: DeploymentSpec { deployment.spec }
    var state: DeploymentState { deployment.state }
    var log: [RecordedEvent] { deployment.log }
    var createdAt: Int64 { deployment.createdAt }
    var elapsedMilliseconds: Int64 { cloud.sim.now - deployment.createdAt }
    var provider: CloudProvider { cloud }
    var rollback: DeploymentRun? { deployment.rollback.map { cloud.binding(for: $0).run } }
    var followUp: DeploymentRun? { deployment.followUp.map { cloud.binding(for: $0).run } }

    func run(on stack: LuaStack, untilSeconds: Double?) {
        let saved = cloud.currentStack
        cloud.currentStack = stack
        defer { cloud.module.flushHistory() }
        let savedObserver = cloud.sim.observer
        if let live {
            let rollbackLive = live
            cloud.sim.observer = { [weak self] d, event in
                guard let self else { return }
                if d === self.deployment || d.spec.rollbackOf == self.deployment.spec.id {
                    rollbackLive(self.cloud.binding(for: d).run, event)
                }
            }
        }
        defer {
            cloud.currentStack = saved
            cloud.sim.observer = savedObserver
        }
        if let untilSeconds {
            cloud.sim.run(until: Int64(untilSeconds * 1000))
            return
        }
        // The first time a blue/green deployment is Ready, control comes back to the
        // caller (d:continue(), or d:wait() again to let the wait run out).
        cloud.sim.run(until: deployment) { [self] d in
            guard d.state.status == .ready, let until = d.state.readyUntil, !pausedAtReady.contains(until) else { return false }
            pausedAtReady.insert(until)
            return true
        }
        if deployment.state.status == .ready { return }
        // A rollback or a follow-up this deployment started runs to its end too.
        if let rollback = deployment.rollback { cloud.sim.run(until: rollback) }
        if let followUp = deployment.followUp { cloud.sim.run(until: followUp) }
    }

    func send(_ input: EngineInput, on stack: LuaStack) {
        cloud.sim.send(input, to: deployment)
        run(on: stack, untilSeconds: nil)
    }
}
