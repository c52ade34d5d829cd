import CutoverCore
import CutoverSim
import LuaRuntime

/// A deployment group as Lua sees it (`cutover.group{…}`).
final class GroupBinding {
    static let typeName = "cutover.Group"
    let provider: CloudProvider
    let name: String
    /// Lua functions run as hooks, per lifecycle event.
    var hooks: [LifecycleEvent: LuaReference] = [:]
    /// The hooks' recorded sources (FunctionSource), for `cutover resume`.
    var hookSources: [LifecycleEvent: String] = [:]

    init(provider: CloudProvider, name: String) {
        self.provider = provider
        self.name = name
    }

    static let fields = ["provider", "application", "name", "platform", "targets", "config", "load_balancer",
                         "alarms", "rollback", "ignore_poll_alarm_failure", "lambda", "alias", "service",
                         "termination_wait", "blue_green"]

    /// `{ application =, name =, targets = { tags = {…} | tag_set = {{…}} | asg = {…} | hosts = {…} },
    ///    config = "CodeDeployDefault.OneAtATime", load_balancer = true, alarms = {…},
    ///    rollback = { on = { "failure", "alarm", "stop" } } }`
    static func make(_ f: Fields, provider: CloudProvider) throws -> GroupBinding {
        let module = provider.module
        try f.rejectUnknown(fields, function: "group")
        let name = try f.requiredString("name")
        let application = try f.string("application") ?? name
        let platformName = try f.string("platform") ?? "server"
        guard let platform = ComputePlatform(name: platformName) else {
            throw f.error("platform", "'\(platformName)' is not server, lambda or ecs")
        }
        let defaultConfig = switch platform {
        case .server: "CodeDeployDefault.OneAtATime"
        case .lambda: "CodeDeployDefault.LambdaAllAtOnce"
        case .ecs: "CodeDeployDefault.ECSAllAtOnce"
        }
        let configName = try f.string("config") ?? defaultConfig
        guard let configuration = module.configuration(named: configName) else {
            throw f.error("config", module.unknownConfiguration(configName))
        }
        guard configuration.platform == platform else {
            throw f.error("config", "\(configName) is a \(configuration.platform.rawValue) configuration; a \(platform.rawValue) group needs a \(platform.rawValue) one")
        }
        let selection = platform == .server ? try targets(f) : TargetSelection()
        let traffic = try trafficTarget(f, platform: platform)
        let blueGreen = try blueGreenOptions(f, platform: platform)
        var rollback = Set<AutoRollbackConfiguration.Trigger>()
        if let r = try f.table("rollback") {
            try r.rejectUnknown(["on"], function: "group")
            for trigger in try r.strings("on") ?? [] {
                switch trigger {
                case "failure": rollback.insert(.deploymentFailure)
                case "alarm": rollback.insert(.stopOnAlarm)
                case "stop": rollback.insert(.stopOnRequest)
                default: throw r.error("on", "'\(trigger)' is not failure, alarm or stop")
                }
            }
        }
        let alarms = AlarmConfiguration(names: try f.strings("alarms") ?? [],
                                        ignorePollAlarmFailure: try f.bool("ignore_poll_alarm_failure") ?? false)
        // `load_balancer = true`, a load balancer's name, or what cloud:load_balancer{} returned.
        var loadBalancerName: String?
        let lbValue = f.value("load_balancer")
        if let name = lbValue.stringValue { loadBalancerName = name }
        if case .reference(let table) = lbValue, table.typeName == "table" { loadBalancerName = table["name"].stringValue }
        let loadBalanced = loadBalancerName != nil || lbValue == true
        let group = DeploymentGroup(application: Application(name: application, platform: platform), name: name, selection: selection,
                                    configuration: configuration, loadBalanced: loadBalanced, alarms: alarms,
                                    autoRollback: AutoRollbackConfiguration(triggers: rollback), traffic: traffic,
                                    blueGreen: blueGreen)
        do {
            try provider.addGroup(group)
        } catch {
            throw LuaArgumentError(f.index, error.description)
        }
        provider.attach(loadBalancer: loadBalancerName, to: name)
        let binding = provider.groupBindings[name] ?? GroupBinding(provider: provider, name: name)
        provider.groupBindings[name] = binding
        return binding
    }

    /// `blue_green = { green = "copy" | { tags = {…} | hosts = {…} | asg = {…} }, ready_wait = "30m",
    ///   termination_wait = "5m", keep_original = false }` (server groups, with a load balancer).
    static func blueGreenOptions(_ f: Fields, platform: ComputePlatform) throws -> BlueGreenGroupOptions? {
        guard let b = try f.table("blue_green") else { return nil }
        guard platform == .server else { throw f.error("blue_green", "is for server groups; lambda and ecs groups shift traffic") }
        try b.rejectUnknown(["green", "ready_wait", "termination_wait", "keep_original"], function: "group")
        var fleet = BlueGreenGroupOptions.GreenFleet.copyAutoScalingGroup
        if let name = b.value("green").stringValue {
            guard name == "copy" else { throw b.error("green", "\"copy\" (of the group's Auto Scaling group) or a targets table expected, got \"\(name)\"") }
        } else if case .reference = b.value("green") {
            fleet = .discover(try targets(b, key: "green"))
        }
        func seconds(_ key: String) throws -> Int? {
            guard !b.value(key).isNil else { return nil }
            guard let s = parseDuration(b.value(key)), s >= 0 else { throw b.error(key, "a duration expected (\"30s\", \"5m\" or seconds)") }
            return s
        }
        return BlueGreenGroupOptions(greenFleet: fleet, readyWaitSeconds: try seconds("ready_wait"),
                                     terminationWaitSeconds: try seconds("termination_wait") ?? 0,
                                     keepOriginals: try b.bool("keep_original") ?? false)
    }

    /// Lambda: `lambda = "checkout", alias = "live"`; ECS: `service = "web", termination_wait = "5m"`.
    static func trafficTarget(_ f: Fields, platform: ComputePlatform) throws -> TrafficGroupTarget? {
        switch platform {
        case .server:
            for key in ["lambda", "alias", "service", "termination_wait"] where !f.value(key).isNil {
                throw f.error(key, "is for lambda or ecs groups (platform = \"lambda\" or \"ecs\")")
            }
            return nil
        case .lambda:
            if !f.value("service").isNil { throw f.error("service", "a lambda group moves an alias: give lambda and alias") }
            return .function(try f.requiredString("lambda"), alias: try f.requiredString("alias"))
        case .ecs:
            if !f.value("lambda").isNil { throw f.error("lambda", "an ecs group moves a service's traffic: give service") }
            var wait = 0
            if !f.value("termination_wait").isNil {
                guard let seconds = parseDuration(f.value("termination_wait")), seconds >= 0 else {
                    throw f.error("termination_wait", "a duration expected (\"30s\", \"5m\" or seconds)")
                }
                wait = seconds
            }
            return .service(try f.requiredString("service"), terminationWaitSeconds: wait)
        }
    }

    /// `targets = { tags = { env = "prod" } }` (KEY_AND_VALUE filters, ORed), `filters = {…}`
    /// (explicit `{ key =, value =, type = }`), `tag_set = { {…}, {…} }`, `asg = {…}`, `hosts = {…}`.
    static func targets(_ f: Fields, key: String = "targets") throws -> TargetSelection {
        guard let t = try f.table(key) else {
            throw f.error(key, "table expected, got nil (for example \(key) = { tags = { env = \"prod\" } })")
        }
        try t.rejectUnknown(["tags", "filters", "tag_set", "asg", "hosts", "on_premises"], function: "group")
        var selection = TargetSelection()
        (selection.tagFilters, selection.tagSet) = try tagSelection(t, path: "\(key).")
        selection.autoScalingGroups = try t.strings("asg") ?? []
        selection.explicit = try t.strings("hosts") ?? []
        // targets = { on_premises = { tags = {…} | filters = {…} | tag_set = {…} } }
        if let o = try t.table("on_premises") {
            try o.rejectUnknown(["tags", "filters", "tag_set"], function: "group")
            let (filters, set) = try tagSelection(o, path: "\(key).on_premises.")
            selection.onPremises = OnPremisesSelection(tagFilters: filters, tagSet: set)
        }
        do {
            try selection.validate()
        } catch {
            throw LuaArgumentError(f.index, error.description)
        }
        return selection
    }

    /// `tags = { k = v }` and `filters = {…}` (either matches), or `tag_set = { {…}, … }`.
    static func tagSelection(_ t: Fields, path: String) throws -> ([TagFilter], [[TagFilter]]) {
        var filters: [TagFilter] = []
        var set: [[TagFilter]] = []
        if let tags = try t.stringMap("tags") {
            filters += tags.sorted { $0.key < $1.key }.map { TagFilter(key: $0.key, value: $0.value) }
        }
        if let list = try t.table("filters") { filters += try tagFilters(list) }
        if let groups = try t.table("tag_set") {
            var i: Int64 = 1
            while case .reference(let ref) = groups.table[.integer(i)] {
                set.append(try tagFilters(Fields(table: ref, index: t.index, path: path + "tag_set[\(i)].")))
                i += 1
            }
        }
        return (filters, set)
    }

    /// A list of `{ key =, value =, type = "KEY_ONLY" | "VALUE_ONLY" | "KEY_AND_VALUE" }`.
    static func tagFilters(_ f: Fields) throws -> [TagFilter] {
        var result: [TagFilter] = []
        var i: Int64 = 1
        while true {
            let item = f.table[.integer(i)]
            if item.isNil { break }
            guard case .reference(let ref) = item else { throw f.error("[\(i)]", "table expected, got \(item.typeName)") }
            let filter = Fields(table: ref, index: f.index, path: f.path + "[\(i)].")
            try filter.rejectUnknown(["key", "value", "type"], function: "group")
            var kind: TagFilter.Kind?
            if let type = try filter.string("type") {
                guard let k = TagFilter.Kind(rawValue: type.uppercased()) else {
                    throw filter.error("type", "'\(type)' is not KEY_ONLY, VALUE_ONLY or KEY_AND_VALUE")
                }
                kind = k
            }
            result.append(TagFilter(key: try filter.string("key"), value: try filter.string("value"), kind: kind))
            i += 1
        }
        return result
    }

    /// Runs the group's Lua hook for `event` with `context`, as a lifecycle event's
    /// outcome: raising or returning false fails it (ScriptFailed, with the message).
    /// nil when the group has no hook for the event.
    func runHook(_ event: LifecycleEvent, context: LuaTable, on stack: LuaStack)
        -> (LifecycleEventStatus, LifecycleErrorCode, String)?
    {
        guard let hook = hooks[event] else { return nil }
        stack.push(.reference(hook))
        stack.push(.table(context))
        do {
            let results = try stack.call(argumentCount: 1)
            if results.first == .boolean(false) {
                return (.failed, .scriptFailed, results.count > 1 ? results[1].description : "hook returned false")
            }
            return (.succeeded, .success, "")
        } catch let error as LuaError {
            return (.failed, .scriptFailed, error.message)
        } catch {
            return (.failed, .scriptFailed, "\(error)")
        }
    }

    // MARK: - Lua

    static func register(_ vm: LuaVM) {
        vm.registerType(GroupBinding.self, name: typeName) { t in
            t.method("deploy") { group, stack in
                let f = stack.type(at: 2) <= 0 ? nil : try Fields(stack, 2)
                let deployment = try DeploymentBinding.start(group: group, f)
                stack.push(object: deployment, typeName: DeploymentBinding.typeName)
                return 1
            }
            t.method("hook") { group, stack in
                let name = try stack.checkString(2)
                guard let event = LifecycleEvent(rawValue: name) else {
                    throw LuaArgumentError(2, "'\(name)' is not a lifecycle event")
                }
                guard !event.isReserved else {
                    throw LuaArgumentError(2, "\(name) is run by the deployment system and takes no hook")
                }
                guard stack.type(at: 3) == 6 else { throw LuaArgumentError(3, "function expected, got \(stack.typeName(at: 3))") }
                let fn = stack.reference(at: 3)
                group.hooks[event] = fn
                group.hookSources[event] = group.provider.module.record(of: fn, on: stack)
                return 0
            }
            t.method("serve_launches") { group, stack in
                // group:serve_launches{ duration = "1h", count = n, hook_timeout = "1h", terminations = false, quiet = false }
                guard let cloud = group.provider as? AWSCloudBinding else {
                    throw LuaArgumentError(1, "serve_launches is for Auto Scaling groups on AWS (the local cloud's daemon deploys to launched hosts itself)")
                }
                let f = stack.type(at: 2) <= 0 ? nil : try Fields(stack, 2)
                try f?.rejectUnknown(["duration", "count", "hook_timeout", "terminations", "quiet"], function: "serve_launches")
                func seconds(_ key: String) throws -> Int? {
                    guard let f, !f.value(key).isNil else { return nil }
                    guard let s = parseDuration(f.value(key)), s > 0 else { throw f.error(key, "a duration expected (\"30s\", \"5m\" or seconds)") }
                    return s
                }
                let count = try f?.int("count")
                let hookTimeout = try seconds("hook_timeout") ?? 3600
                guard (30...7200).contains(hookTimeout) else {
                    throw LuaArgumentError(2, "hook_timeout: Auto Scaling holds an instance 30 s to 2 h, got \(hookTimeout) s")
                }
                let served = try cloud.serveLaunches(group: group.name, durationSeconds: try seconds("duration"), count: count,
                                                     hookTimeout: hookTimeout, terminations: try f?.bool("terminations") ?? false,
                                                     quiet: try f?.bool("quiet") ?? false, on: stack)
                stack.push(table: LuaTable(array: served.map { .table(["id": .string($0.id), "status": .string($0.status),
                                                                       "instances": .table(LuaTable(array: $0.instances.map { .string($0) })),
                                                                       "result": .string($0.result)]) }))
                return 1
            }
            t.method("targets") { group, stack in
                stack.push(table: LuaTable(array: group.provider.targetIDs(of: group.name).map { .string($0) }))
                return 1
            }
            t.properties { group, key, stack in
                let g = group.provider.group(named: group.name)
                switch key {
                case "name": stack.push(group.name)
                case "application": stack.push(g?.group.application.name ?? group.name)
                case "config": stack.push(g?.group.configuration.name ?? "")
                case "revision": if let r = g?.lastSuccessfulRevision { stack.push(r) } else { return 0 }
                case "active": if let a = g?.active { stack.push(a) } else { return 0 }
                default: return 0
                }
                return 1
            }
            t.metamethod("__tostring") { group, stack in
                stack.push("group \(group.name)")
                return 1
            }
        }
    }
}
