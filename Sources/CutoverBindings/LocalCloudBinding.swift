import CutoverCore
import CutoverLocal
import Foundation
import LuaRuntime

/// The local cloud as Lua sees it (`cutover.provider "local"`): hosts on this machine,
/// managed by the daemon (started when needed), deployed to for real.
final class LocalCloudBinding: LiveCloud {
    static let typeName = "cutover.LocalCloud"
    unowned let module: CutoverModule
    let client: ControlClient
    let paths: LocalPaths
    var groupBindings: [String: GroupBinding] = [:]
    var currentStack: LuaStack?
    var groups: [String: (group: DeploymentGroup, lastSuccessfulRevision: String?, active: String?)] = [:]
    var handles: [String: DeploymentBinding] = [:]
    /// Resumed deployments (and their rollbacks): the history session they belong to.
    var resumedSessions: [String: Int64] = [:]
    private var groupLoadBalancers: [String: String] = [:]

    init(module: CutoverModule, paths: LocalPaths, executable: String) throws {
        self.module = module
        self.paths = paths
        client = try LocalCloud.client(paths, start: true, executable: executable)
    }

    func hosts() throws -> [Control.Host] { try client.get("/v1/hosts") }

    // MARK: - CloudProvider

    func addGroup(_ group: DeploymentGroup) throws(CoreError) {
        try group.validate()
        let previous = groups[group.name]
        groups[group.name] = (group, previous?.lastSuccessfulRevision, previous?.active)
        if previous == nil {
            // What an earlier run deployed successfully: the daemon remembers it.
            let record = try? client.get("/v1/groups/\(groupID(group.name))", as: Control.GroupRecord.self)
            groups[group.name]?.lastSuccessfulRevision = record?.lastSuccessfulRevision
        }
        syncLaunchHooks(group.name)
    }

    func group(named name: String) -> (group: DeploymentGroup, lastSuccessfulRevision: String?, active: String?)? {
        groups[name]
    }

    func attach(loadBalancer: String?, to group: String) {
        groupLoadBalancers[group] = loadBalancer
        syncLaunchHooks(group)
    }

    func groupLoadBalancer(_ group: String) -> String? { groupLoadBalancers[group] }

    func targetIDs(of name: String) -> [String] {
        guard let g = groups[name], let hosts = try? hosts() else { return [] }
        return g.group.selection.select(from: hosts.map { description($0, groupID: groupID(name)) }).map(\.id)
    }

    /// CodeDeploy gives a group a UUID; ours is derived from the names, so it is stable.
    func groupID(_ name: String) -> String {
        let application = groups[name]?.group.application.name ?? name
        return "dg-" + (application + "-" + name).map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }
    }

    func description(_ host: Control.Host, groupID: String) -> TargetDescription {
        TargetDescription(id: host.name, tags: host.tags, autoScalingGroup: host.tags[Self.asgTag], health: .healthy,
                          revision: host.revisions[groupID])
    }

    func startDeployment(group name: String, revision: String, configuration: DeploymentConfiguration?, policy: String?,
                         ignoreApplicationStopFailures: Bool, appSpec: AppSpec?) throws -> DeploymentBinding {
        var hooks: [LifecycleEvent: String] = [:]
        switch appSpec {
        case .lambda(let l)?:
            let alias = try? client.get("/v1/functions/\(l.name)/aliases/\(l.alias)", as: Control.JSONValue.self)
            try l.check(against: groups[name]?.group.traffic, aliasVersion: alias?["version"]?.string)
            hooks = l.hooks
        case .ecs(let e)?:
            hooks = e.hooks
        default:
            break
        }
        return try start(group: name, revision: revision, configuration: configuration, policy: policy,
                         ignoreApplicationStopFailures: ignoreApplicationStopFailures, creator: .user, rollbackOf: nil,
                         hooks: hooks)
    }

    /// What a Lambda or ECS deployment of `revision` moves traffic between, as the daemon
    /// knows it now; a missing function, alias, version or service is a Lua error with
    /// CodeDeploy's code.
    func trafficTarget(_ g: TrafficGroupTarget, revision: String) throws -> (TrafficTarget, TargetDescription) {
        switch g.kind {
        case .function:
            let alias = g.alias ?? ""
            let function: Control.JSONValue
            do {
                function = try client.get("/v1/functions/\(g.name)", as: Control.JSONValue.self)
            } catch {
                throw LuaArgumentError(2, "INVALID_LAMBDA_FUNCTION: \(error)")
            }
            guard let current = (function["aliases"]?.array ?? []).first(where: { $0["name"]?.string == alias })?["version"]?.string else {
                throw LuaArgumentError(2, "INVALID_LAMBDA_CONFIGURATION: function \(g.name) has no alias \(alias) (ResourceNotFoundException)")
            }
            let versions = (function["versions"]?.array ?? []).compactMap { $0["version"]?.string }
            guard versions.contains(revision) else {
                throw LuaArgumentError(2, "INVALID_LAMBDA_FUNCTION: function \(g.name) has no version \(revision) (versions: \(versions.joined(separator: ", ")); publish one with cloud:publish)")
            }
            return (TrafficTarget(kind: .function, name: g.name, alias: alias, currentVersion: current, targetVersion: revision),
                    TargetDescription(id: "\(g.name):\(alias)", revision: current))
        case .service:
            let service: Control.JSONValue
            do {
                service = try client.get("/v1/services/\(g.name)", as: Control.JSONValue.self)
            } catch {
                throw LuaArgumentError(2, "INVALID_ECS_SERVICE: \(error)")
            }
            let primary = (service["task_sets"]?.array ?? []).first { $0["status"]?.string == "PRIMARY" }
            guard let current = primary?["task_definition"]?.string else {
                throw LuaArgumentError(2, "INVALID_ECS_SERVICE: service \(g.name) has no primary task set")
            }
            let hasTest = service["test_port"].map { $0 != .null } ?? false
            return (TrafficTarget(kind: .service, name: g.name, currentVersion: current, targetVersion: revision,
                                  hasTestListener: hasTest, terminationWaitSeconds: g.terminationWaitSeconds),
                    TargetDescription(id: g.name, revision: current))
        }
    }

    /// A revision is a directory or an archive on this machine; the name is its path.
    func start(group name: String, revision: String, configuration: DeploymentConfiguration?, policy: String?,
               ignoreApplicationStopFailures: Bool, creator: DeploymentCreator, rollbackOf: String?,
               hooks: [LifecycleEvent: String] = [:], only: Set<String>? = nil) throws -> DeploymentBinding {
        guard let entry = groups[name] else { throw LuaArgumentError(1, "no deployment group named \(name)") }
        if let active = entry.active {
            throw LuaArgumentError(2, "DeploymentLimitExceededException: the deployment group \(name) already has an active deployment \(active)")
        }
        if let g = entry.group.traffic {
            return try startTraffic(entry.group, g, revision: revision, configuration: configuration, policy: policy,
                                    creator: creator, rollbackOf: rollbackOf, hooks: hooks)
        }
        if entry.group.blueGreen != nil {
            return try startBlueGreen(entry.group, revision: revision, configuration: configuration, policy: policy,
                                      creator: creator, rollbackOf: rollbackOf)
        }
        let path = (revision as NSString).expandingTildeInPath
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        guard FileManager.default.fileExists(atPath: absolute) else {
            throw LuaArgumentError(2, "revision \(revision): no such directory or archive (REVISION_MISSING)")
        }
        let id = groupID(name)
        let targets = try hosts().map { description($0, groupID: id) }
        let deploymentID = nextDeploymentID()
        let spec = DeploymentSpec(
            // The revision's name is its absolute path: a rollback from a later run finds it.
            id: deploymentID, application: entry.group.application.name, group: name, platform: .server,
            revision: (absolute as NSString).standardizingPath,
            lastSuccessfulRevision: entry.lastSuccessfulRevision, configuration: configuration ?? entry.group.configuration,
            targets: entry.group.selection.select(from: targets).filter { only?.contains($0.id) ?? true },
            loadBalanced: entry.group.loadBalanced,
            ignoreApplicationStopFailures: ignoreApplicationStopFailures, alarms: entry.group.alarms,
            autoRollback: entry.group.autoRollback, creator: creator, rollbackOf: rollbackOf, policy: policy)
        let deployment = LocalDeployment(spec: spec, client: client, revisionPath: absolute, groupID: id)
        deployment.local?.loadBalancer = groupLoadBalancers[name]
        return track(deployment)
    }

    func nextDeploymentID() -> String { LiveDeploymentID.make(provider: "L") }

    private func startTraffic(_ group: DeploymentGroup, _ g: TrafficGroupTarget, revision: String,
                              configuration: DeploymentConfiguration?, policy: String?, creator: DeploymentCreator,
                              rollbackOf: String?, hooks: [LifecycleEvent: String]) throws -> DeploymentBinding {
        let (traffic, target) = try trafficTarget(g, revision: revision)
        let rollback = creator == .codeDeployRollback
        let rollbackConfiguration = rollback ? DeploymentConfiguration.trafficRollback(group.platform) : nil
        let spec = DeploymentSpec(
            id: nextDeploymentID(), application: group.application.name, group: group.name, platform: group.platform,
            revision: revision, lastSuccessfulRevision: groups[group.name]?.lastSuccessfulRevision,
            configuration: rollbackConfiguration ?? configuration ?? group.configuration, targets: [target],
            alarms: group.alarms, autoRollback: group.autoRollback, creator: creator, rollbackOf: rollbackOf,
            policy: rollback ? nil : policy, traffic: traffic)
        let deployment = LocalDeployment(spec: spec, client: client, revisionPath: "", groupID: groupID(group.name))
        deployment.local?.trafficHooks = rollback ? [:] : hooks
        return track(deployment)
    }

    /// Registers a deployment's handle and wires its policy, hooks and observer.
    /// `session`: a resumed deployment's (its events go on under the session that started it).
    func track(_ deployment: LocalDeployment, session: Int64? = nil) -> DeploymentBinding {
        // A rollback started by a resumed deployment belongs to the same session.
        let session = session ?? deployment.spec.rollbackOf.flatMap { resumedSessions[$0] }
        if let session { resumedSessions[deployment.spec.id] = session }
        let deploymentID = deployment.spec.id
        let name = deployment.spec.group
        let run = LiveRun(cloud: self, deployment: deployment)
        groups[name]?.active = deploymentID
        let binding = DeploymentBinding(run: run)
        handles[deploymentID] = binding
        deployment.policyRunner = { [unowned self, unowned binding] _ in binding.nextPolicyStep(on: self.currentStack) }
        deployment.hookRunner = { [unowned self] d, t, event in self.runHook(d, t, event) }
        deployment.recorder = { [unowned self] d, events in
            self.module.record(events, of: d.spec, provider: "local", session: session, context: { self.resumeContext(d) })
        }
        deployment.observer = { [unowned self, unowned run] d, recorded in
            run.live?(run, recorded)
            if case .ended(let status, _, _) = recorded.event {
                self.groups[d.spec.group]?.active = nil
                if status == .succeeded, d.spec.namesRevision {
                    self.groups[d.spec.group]?.lastSuccessfulRevision = d.spec.revision
                    _ = try? self.client.send("PUT", "/v1/groups/\(self.groupID(d.spec.group))",
                                              Control.GroupRecord(lastSuccessfulRevision: d.spec.revision), as: Control.GroupRecord.self)
                    self.deploymentSucceeded(d.spec)
                }
            }
        }
        return binding
    }

    func binding(for run: LiveRun) -> DeploymentBinding {
        handles[run.spec.id] ?? DeploymentBinding(run: run)
    }

    private func runHook(_ d: LocalDeployment, _ t: Int, _ event: LifecycleEvent) -> (LifecycleEventStatus, LifecycleErrorCode, String)? {
        guard let group = groupBindings[d.spec.group], group.hooks[event] != nil, let stack = currentStack else { return nil }
        if let traffic = d.spec.traffic {
            // A Lambda or ECS rollback only puts the original back; it runs no hooks.
            if d.spec.creator == .codeDeployRollback { return (.skipped, .success, "a rollback runs no hooks") }
            var context: LuaTable = ["event": .string(event.rawValue), "deployment": .string(d.spec.id),
                                     "revision": .string(d.spec.revision), "target": .table(["id": .string(d.spec.targets[t].id)]),
                                     "current_version": .string(traffic.currentVersion), "target_version": .string(traffic.targetVersion)]
            if traffic.kind == .service, let service = try? client.get("/v1/services/\(traffic.name)", as: Control.JSONValue.self) {
                if let url = service["url"]?.string { context["url"] = .string(url) }
                if let url = service["test_url"]?.string { context["test_url"] = .string(url) }
            }
            if traffic.kind == .function { context["lambda"] = .string(traffic.name); context["alias"] = .string(traffic.alias ?? "") }
            return group.runHook(event, context: context, on: stack)
        }
        let target = d.spec.targets[t]
        let host = try? hosts().first { $0.name == target.id }
        var targetTable: LuaTable = ["id": .string(target.id)]
        if let host {
            targetTable["port"] = .integer(Int64(host.port))
            targetTable["url"] = .string("http://127.0.0.1:\(host.port)")
            targetTable["root"] = .string(host.directory + "/root")
        }
        return group.runHook(event, context: ["event": .string(event.rawValue), "deployment": .string(d.spec.id),
                                              "revision": .string(d.spec.revision), "target": .table(targetTable)], on: stack)
    }

    // MARK: - Lua

    static func register(_ vm: LuaVM) {
        vm.registerType(LocalCloudBinding.self, name: typeName) { t in
            t.method("fleet") { cloud, stack in
                let f = try Fields(stack, 2)
                try f.rejectUnknown(["name", "hosts", "tags"], function: "fleet")
                let request = Control.CreateHosts(prefix: try f.string("name") ?? "host", count: try f.int("hosts") ?? 1,
                                                  tags: try f.stringMap("tags") ?? [:])
                do {
                    let created = try cloud.client.send("POST", "/v1/hosts", request, as: [Control.Host].self)
                    stack.push(table: LuaTable(array: created.map { .string($0.name) }))
                } catch {
                    throw LuaArgumentError(2, "\(error)")
                }
                return 1
            }
            t.method("tag") { cloud, stack in
                let name = try stack.checkString(2)
                let tags = try Fields(stack, 3)
                var map: [String: String] = [:]
                for key in tags.keys() { map[key] = tags.value(key).stringValue ?? tags.value(key).description }
                do {
                    _ = try cloud.client.send("PUT", "/v1/hosts/\(name)/tags", Control.Tags(tags: map), as: Control.Host.self)
                } catch {
                    throw LuaArgumentError(2, "\(error)")
                }
                return 0
            }
            t.method("remove") { cloud, stack in
                let name = try stack.checkString(2)
                do {
                    let answer = try cloud.client.delete("/v1/hosts/\(name)", as: [String: Int].self)
                    stack.push(answer["stopped"] ?? 0)
                } catch {
                    throw LuaArgumentError(2, "\(error)")
                }
                return 1
            }
            t.method("load_balancer") { cloud, stack in
                let f = try Fields(stack, 2)
                try f.rejectUnknown(["name", "port", "health", "health_interval"], function: "load_balancer")
                let interval = f.value("health_interval").isNil ? 1 : (parseDuration(f.value("health_interval")) ?? 1)
                let request = Control.CreateLoadBalancer(name: try f.requiredString("name"), port: try f.int("port") ?? 0,
                                                         healthPath: try f.string("health") ?? "/",
                                                         healthIntervalMilliseconds: max(1, interval) * 1000)
                do {
                    let lb = try cloud.client.send("POST", "/v1/load-balancers", request, as: Control.LoadBalancer.self)
                    stack.push(table: ["name": .string(lb.name), "port": .integer(Int64(lb.port)), "url": .string(lb.url)])
                } catch {
                    throw LuaArgumentError(2, "\(error)")
                }
                return 1
            }
            t.method("get") { cloud, stack in
                // A plain HTTP GET on 127.0.0.1 (what the application or a load balancer serves).
                let url = try stack.checkString(2)
                guard url.hasPrefix("http://127.0.0.1:"), let rest = url.split(separator: ":").last,
                      let port = Int(rest.prefix { $0.isNumber }) else {
                    throw LuaArgumentError(2, "an http://127.0.0.1:PORT/… address expected, got \(url)")
                }
                let path = String(rest.drop { $0.isNumber })
                do {
                    let (status, body) = try ControlClient(port: port).request("GET", path.isEmpty ? "/" : path, body: nil)
                    stack.push(String(decoding: body, as: UTF8.self))
                    stack.push(status)
                    return 2
                } catch {
                    stack.pushNil()
                    stack.push("\(error)")
                    return 2
                }
            }
            t.method("instances") { cloud, stack in
                let hosts = try cloud.hosts()
                stack.push(table: LuaTable(array: hosts.map { host in
                    .table(["id": .string(host.name), "port": .integer(Int64(host.port)),
                            "url": .string("http://127.0.0.1:\(host.port)"), "root": .string(host.directory + "/root"),
                            "tags": .table(LuaTable(strings: host.tags))])
                }))
                return 1
            }
            t.method("group") { cloud, stack in try cloud.makeGroup(stack) }
            registerTraffic(t)
            registerAutoScaling(t)
            t.metamethod("__tostring") { cloud, stack in
                stack.push("local cloud (\((try? cloud.hosts().count) ?? 0) hosts, state in \(cloud.paths.root))")
                return 1
            }
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
