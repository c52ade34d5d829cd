import CutoverCore
import CutoverLocal
import Foundation
import LuaRuntime

/// Auto Scaling groups and server blue/green on the local cloud.
extension LocalCloudBinding {
    /// The tag the daemon gives the hosts an Auto Scaling group launches.
    static let asgTag = "cutover:asg"

    /// Every Auto Scaling group a group deploys to gets a launch hook with the
    /// group's last successful revision (reference §11): the daemon deploys it to each
    /// host it launches before the host takes traffic.
    func syncLaunchHooks(_ name: String) {
        // Blue/green groups too: after a cutover their (copied) group launches with the revision.
        guard let entry = groups[name], entry.group.platform == .server else { return }
        for asg in entry.group.selection.autoScalingGroups {
            let hook: [String: Control.JSONValue] = [
                "deployment_group_id": .string(groupID(name)), "application": .string(entry.group.application.name),
                "group": .string(name), "revision": entry.lastSuccessfulRevision.map { .string($0) } ?? .null,
                "load_balancer": groupLoadBalancer(name).map { .string($0) } ?? .null,
            ]
            _ = try? client.send("PUT", "/v1/auto-scaling-groups/\(asg)/launch-hook", Control.JSONValue.object(hook),
                                 as: Control.JSONValue.self)
        }
    }

    /// After a success: launch hooks get the new revision; a blue/green deployment that
    /// copied the Auto Scaling group leaves the group deploying to the copy.
    func deploymentSucceeded(_ spec: DeploymentSpec) {
        if let blueGreen = spec.blueGreen, !blueGreen.rollingBack,
           let copy = spec.targets.first?.autoScalingGroup, copy.hasPrefix("CodeDeploy_"),
           case .copyAutoScalingGroup? = groups[spec.group]?.group.blueGreen?.greenFleet {
            groups[spec.group]?.group.selection.autoScalingGroups = [copy]
        }
        syncLaunchHooks(spec.group)
    }

    /// The CodeDeployAutoUpdate deployment of hosts that joined the group's Auto Scaling
    /// groups while `spec` ran and still have another revision.
    func followUp(after spec: DeploymentSpec) -> LiveRun? {
        guard spec.blueGreen == nil, spec.traffic == nil, spec.creator != .codeDeployAutoUpdate,
              let entry = groups[spec.group], !entry.group.selection.autoScalingGroups.isEmpty else { return nil }
        // Hosts still in their launch deployment are left to it (it gives them the
        // previous revision); wait for them, then bring them up to date.
        waitForLaunches(entry.group.selection.autoScalingGroups)
        guard let hosts = try? hosts() else { return nil }
        let id = groupID(spec.group)
        let deployed = Set(spec.targets.map(\.id))
        let outdated = entry.group.selection.select(from: hosts.map { description($0, groupID: id) })
            .filter { !deployed.contains($0.id) && $0.revision != spec.revision }
        guard !outdated.isEmpty,
              let binding = try? start(group: spec.group, revision: spec.revision, configuration: nil, policy: nil,
                                       ignoreApplicationStopFailures: false, creator: .codeDeployAutoUpdate, rollbackOf: nil,
                                       only: Set(outdated.map(\.id))) else { return nil }
        return binding.run as? LiveRun
    }

    /// Waits (up to 5 minutes) until no instance of these Auto Scaling groups is still
    /// Pending: launched, and InService or given up.
    func waitForLaunches(_ groups: [String]) {
        let deadline = Date().addingTimeInterval(300)
        for asg in groups {
            while Date() < deadline, let group = try? client.get("/v1/auto-scaling-groups/\(asg)", as: Control.JSONValue.self),
                  (group["instances"]?.array ?? []).contains(where: { $0["lifecycle_state"]?.string == "Pending" }) {
                Thread.sleep(forTimeInterval: 0.1) // polling the daemon: it has no event stream
            }
        }
    }

    // MARK: - Blue/green

    func startBlueGreen(_ group: DeploymentGroup, revision: String, configuration: DeploymentConfiguration?, policy: String?,
                        creator: DeploymentCreator, rollbackOf: String?) throws -> DeploymentBinding {
        guard let options = group.blueGreen else { throw LuaArgumentError(1, "not a blue/green group") }
        // A rollback to originals the group never deployed names no revision: they go
        // back as they are, nothing is installed.
        let unnamed = creator == .codeDeployRollback && revision == BlueGreenOptions.originalsRevision
        let path = unnamed ? revision : Self.absolute(revision)
        guard unnamed || FileManager.default.fileExists(atPath: path) else {
            throw LuaArgumentError(2, "revision \(revision): no such directory or archive (REVISION_MISSING)")
        }
        let id = groupID(group.name)
        let deploymentID = nextDeploymentID()
        var targets: [TargetDescription]
        var blueGreen: BlueGreenOptions
        if creator == .codeDeployRollback, let original = rollbackOf.flatMap({ handles[$0]?.run.spec }), original.blueGreen != nil {
            let alive = Set(try hosts().map(\.name))
            switch Result(catching: { () throws(CoreError) in try original.blueGreenRollback(alive: alive) }) {
            case .success(let rollback): (targets, blueGreen) = rollback
            case .failure(let error): throw LuaArgumentError(2, error.description)
            }
        } else {
            let all = try hosts()
            let originals = group.selection.select(from: all.map { description($0, groupID: id) })
            var replacements: [TargetDescription]
            switch options.greenFleet {
            case .copyAutoScalingGroup:
                guard let source = group.selection.autoScalingGroups.first else {
                    throw LuaArgumentError(2, "AUTO_SCALING_CONFIGURATION: the group has no Auto Scaling group to copy")
                }
                // As many instances as are healthy in it: wait for launches in progress first.
                waitForLaunches([source])
                let copyName = "CodeDeploy_\(group.name)_\(deploymentID)"
                _ = try call("POST", "/v1/auto-scaling-groups/\(source)/copy", .object(["name": .string(copyName)]))
                let launched = try hosts().filter { $0.tags[Self.asgTag] == copyName }
                guard !launched.isEmpty else {
                    throw LuaArgumentError(2, "NO_INSTANCES: the copy of \(source) has no instance (it had no healthy one to copy)")
                }
                replacements = launched.map { description($0, groupID: id) }
            case .discover(let selection):
                let originalIDs = Set(originals.map(\.id))
                replacements = selection.select(from: all.map { description($0, groupID: id) }).filter { !originalIDs.contains($0.id) }
                guard !replacements.isEmpty else {
                    throw LuaArgumentError(2, "NO_INSTANCES: no host matches the replacement targets of \(group.name)")
                }
            }
            targets = replacements + originals
            blueGreen = BlueGreenOptions(replacementCount: replacements.count, readyWaitSeconds: options.readyWaitSeconds,
                                         terminationWaitSeconds: options.terminationWaitSeconds, keepOriginals: options.keepOriginals)
        }
        let spec = DeploymentSpec(
            id: deploymentID, application: group.application.name, group: group.name, platform: .server,
            revision: unnamed ? revision : (path as NSString).standardizingPath, lastSuccessfulRevision: groups[group.name]?.lastSuccessfulRevision,
            configuration: configuration ?? group.configuration, targets: targets, loadBalanced: true, alarms: group.alarms,
            autoRollback: group.autoRollback, creator: creator, rollbackOf: rollbackOf, policy: policy, blueGreen: blueGreen)
        let deployment = LocalDeployment(spec: spec, client: client, revisionPath: unnamed ? "" : path, groupID: id)
        deployment.local?.loadBalancer = groupLoadBalancer(group.name)
        let client = self.client
        let sourceGroups = group.selection.autoScalingGroups
        deployment.blueGreenRunner = { command in Self.carryOutBlueGreen(command, spec: spec, client: client, sourceGroups: sourceGroups) }
        return track(deployment)
    }

    /// Terminates the originals (the source Auto Scaling group goes with them; KEEP_ALIVE
    /// detaches them instead) or discards the replacements (a copied group is deleted;
    /// discovered hosts are left running, out of the load balancer).
    static func carryOutBlueGreen(_ command: EngineCommand, spec: DeploymentSpec, client: ControlClient,
                                  sourceGroups: [String]) -> EngineInput {
        guard let options = spec.blueGreen else { return .timer }
        let replacements = Array(spec.targets.prefix(options.replacementCount))
        let originals = Array(spec.targets.dropFirst(options.replacementCount))
        // Gone already counts as removed: a resumed deployment may ask again for what
        // its killed process had started.
        func delete(_ path: String) throws {
            do {
                _ = try client.delete(path, as: Control.JSONValue.self)
            } catch ControlClient.Failure.rejected(status: 404, _) {
            }
        }
        func remove(_ targets: [TargetDescription], keep: Bool) throws -> String {
            var done: [String] = []
            let groupsOf = Dictionary(grouping: targets.filter { $0.autoScalingGroup != nil }, by: { $0.autoScalingGroup! })
            for (asg, members) in groupsOf.sorted(by: { $0.key < $1.key }) {
                if keep {
                    _ = try client.send("POST", "/v1/auto-scaling-groups/\(asg)/detach-instances",
                                        Control.JSONValue.object(["hosts": .array(members.map { .string($0.id) })]),
                                        as: Control.JSONValue.self)
                    done.append("\(members.count) detached from \(asg) and left running")
                } else {
                    try delete("/v1/auto-scaling-groups/\(asg)")
                    done.append("\(asg) deleted with its \(members.count) instance(s)")
                }
            }
            let loose = targets.filter { $0.autoScalingGroup == nil }
            if !loose.isEmpty {
                if keep {
                    done.append("\(loose.count) host(s) left running")
                } else {
                    for t in loose { try delete("/v1/hosts/\(t.id)") }
                    done.append("\(loose.count) host(s) removed")
                }
            }
            return done.joined(separator: "; ")
        }
        switch command {
        case .discardReplacement:
            // A copy made for this deployment goes; hosts the user gave stay.
            let copied = replacements.filter { $0.autoScalingGroup?.hasPrefix("CodeDeploy_") == true }
            do {
                var message = try remove(copied, keep: false)
                if copied.count < replacements.count { message += (message.isEmpty ? "" : "; ") + "discovered replacements left running" }
                return .replacementDiscarded(message: message, error: nil)
            } catch {
                return .replacementDiscarded(message: "", error: "\(error)")
            }
        case .terminateOriginal:
            do {
                _ = try remove(originals, keep: options.keepOriginals)
                return .originalTerminated(error: nil)
            } catch {
                return .originalTerminated(error: "\(error)")
            }
        default:
            return .timer
        }
    }

    // MARK: - Lua

    static func registerAutoScaling(_ t: LuaTypeBuilder<LocalCloudBinding>) {
        // cloud:asg{ name =, min =, max =, desired =, prefix =, tags =, load_balancer = }
        t.method("asg") { cloud, stack in
            let f = try Fields(stack, 2)
            try f.rejectUnknown(["name", "min", "max", "desired", "prefix", "tags", "load_balancer", "ports"], function: "asg")
            let name = try f.requiredString("name")
            let (min, max) = (try f.int("min") ?? 1, try f.int("max") ?? 10)
            var body: [String: Control.JSONValue] = [
                "name": .string(name), "min": .integer(Int64(min)), "max": .integer(Int64(max)),
                "desired": .integer(Int64(try f.int("desired") ?? min)),
                "launch": .object(["prefix": .string(try f.string("prefix") ?? name),
                                   "tags": .object((try f.stringMap("tags") ?? [:]).mapValues { .string($0) })]),
            ]
            // ports = { 20000, 20099 }: new hosts listen on ports of that range.
            if let ports = try f.table("ports") {
                guard let first = ports.table[1].intValue, let last = ports.table[2].intValue else {
                    throw f.error("ports", "{ first, last } expected, for example { 20000, 20099 }")
                }
                if case .object(var launch)? = body["launch"] {
                    launch["port_range"] = .array([.integer(first), .integer(last)])
                    body["launch"] = .object(launch)
                }
            }
            var lb = f.value("load_balancer").stringValue
            if case .reference(let table) = f.value("load_balancer"), table.typeName == "table" { lb = table["name"].stringValue }
            if let lb { body["load_balancers"] = .array([.string(lb)]) }
            _ = try cloud.call("POST", "/v1/auto-scaling-groups", .object(body))
            // Like `aws autoscaling wait`: back when the new instances are launched.
            cloud.waitForLaunches([name])
            stack.push(JSONBridge.lua(try cloud.call("GET", "/v1/auto-scaling-groups/\(name)")))
            return 1
        }
        t.method("scale") { cloud, stack in
            let name = try stack.checkString(2)
            let desired = try stack.checkInteger(3)
            _ = try cloud.call("PUT", "/v1/auto-scaling-groups/\(name)/capacity", .object(["desired": .integer(desired)]))
            cloud.waitForLaunches([name])
            let hosts = try cloud.hosts().filter { $0.tags[asgTag] == name }.map { LuaValue.string($0.name) }
            stack.push(table: LuaTable(array: hosts))
            return 1
        }
        t.method("describe_asg") { cloud, stack in
            stack.push(JSONBridge.lua(try cloud.call("GET", "/v1/auto-scaling-groups/\(try stack.checkString(2))")))
            return 1
        }
    }
}
