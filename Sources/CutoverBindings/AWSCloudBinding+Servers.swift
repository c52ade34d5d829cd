import CutoverAppSpec
import CutoverAWS
import CutoverCore
import CutoverLocal
import Foundation
import LuaRuntime

/// What the AWS cloud keeps for its server groups: their target groups, and where
/// bundles go.
final class AWSServerSettings {
    /// Target group names or ARNs per deployment group (`load_balancer =`).
    var targetGroups: [String: [String]] = [:]
    /// The S3 bucket revisions travel through (`cloud:bucket "name"`, or CUTOVER_AWS_BUCKET).
    var bucket: String?
    /// Seconds between SSM and target health polls (CUTOVER_AWS_POLL, default 2).
    var pollSeconds: Double = 2
    /// Seconds an instance has to pick a command up, and SSM to manage a fresh instance
    /// (CUTOVER_AWS_DELIVERY_TIMEOUT, default 600).
    var deliverySeconds = 600

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        bucket = environment["CUTOVER_AWS_BUCKET"].flatMap { $0.isEmpty ? nil : $0 }
        if let poll = environment["CUTOVER_AWS_POLL"].flatMap(Double.init), poll > 0 { pollSeconds = poll }
        if let seconds = environment["CUTOVER_AWS_DELIVERY_TIMEOUT"].flatMap(Int.init), seconds > 0 { deliverySeconds = seconds }
    }
}

/// Server deployment groups on AWS: EC2 instances found by tags or Auto Scaling group,
/// deployed in place (or blue/green through a copy of the Auto Scaling group) by
/// `AWSServerExecutor` over SSM, S3 and ELBv2.
extension AWSCloudBinding {
    /// How `load_balancer =` names a Classic Load Balancer.
    static let classicPrefix = "classic:"

    /// The tag EC2 gives the instances an Auto Scaling group launched.
    static let autoScalingGroupTag = "aws:autoscaling:groupName"

    var ec2: EC2 { EC2(client) }
    var autoScaling: AutoScaling { AutoScaling(client) }
    var elbv2: ELBv2 { ELBv2(client) }
    var s3: S3 { S3(client) }

    /// CodeDeploy gives a group a UUID; ours is derived from the names, so it is stable
    /// across runs (the instances' layout and the S3 record are keyed by it).
    func serverGroupID(_ name: String) -> String {
        let application = groups[name]?.group.application.name ?? name
        return "dg-" + (application + "-" + name).map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }
    }

    /// Running instances as deployment targets (their Auto Scaling group from EC2's
    /// tag, their revision from the group's record), in launch order.
    func runningInstances(_ record: RevisionRecord?, onPremises: Bool = false) throws -> [TargetDescription] {
        let ec2Targets = try ec2.describeInstances(filters: [EC2.Filter("instance-state-name", ["running"])])
            .sorted { ($0.launchTime ?? .distantPast, $0.id) < ($1.launchTime ?? .distantPast, $1.id) }
            .map { TargetDescription(id: $0.id, tags: $0.tags, autoScalingGroup: $0.tags[Self.autoScalingGroupTag],
                                     revision: record?.instances[$0.id]) }
        guard onPremises else { return ec2Targets }
        return ec2Targets + (try onlineOnPremisesInstances(record))
    }

    /// On-premises servers SSM manages and reaches now (PingStatus Online: the running
    /// ones, as EC2's are), with their tags, by id.
    func onlineOnPremisesInstances(_ record: RevisionRecord?) throws -> [TargetDescription] {
        let ssm = SSM(client)
        return try ssm.onPremisesInstances().filter { $0.pingStatus == "Online" }.sorted { $0.id < $1.id }.map {
            TargetDescription(id: $0.id, tags: try ssm.tags(ofManagedInstance: $0.id), revision: record?.instances[$0.id], onPremises: true)
        }
    }

    func serverTargetIDs(of name: String) -> [String] {
        guard var g = groups[name]?.group, let all = try? runningInstances(nil, onPremises: g.selection.onPremises != nil) else { return [] }
        if let bucket = servers.bucket, !g.selection.autoScalingGroups.isEmpty,
           let record = try? RevisionRecord.load(bucket: bucket, groupID: serverGroupID(name), from: s3) {
            g.selection.autoScalingGroups = g.selection.autoScalingGroups.map(record.currentGroup)
        }
        return g.selection.select(from: all).map(\.id)
    }

    func serverBucket() throws -> String {
        guard let bucket = servers.bucket else {
            throw LuaArgumentError(2, "server deployments on AWS carry the revision through S3: name a bucket first with "
                                   + "cloud:bucket \"name\" (or set CUTOVER_AWS_BUCKET)")
        }
        return bucket
    }

    /// The ARNs of a group's target groups (names are looked up; ARNs kept).
    func targetGroupARNs(_ names: [String]) throws -> [String] {
        let byName = names.filter { !$0.hasPrefix("arn:") }
        var arns = names.filter { $0.hasPrefix("arn:") }
        if !byName.isEmpty {
            do {
                arns += try elbv2.describeTargetGroups(names: byName).map(\.arn)
            } catch {
                throw LuaArgumentError(2, "ELASTIC_LOAD_BALANCING_INVALID: \(error)")
            }
        }
        return arns
    }

    /// The revision as a directory (an archive is unpacked into a temporary one, removed
    /// by the caller) and its server appspec.
    func serverRevision(_ revision: String) throws -> (path: String, directory: String, temporary: String?, appSpec: ServerAppSpec,
                                                      source: AWSResumeContext.AppSpecSource) {
        let expanded = (revision as NSString).expandingTildeInPath
        let path = ((expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded) as NSString)
            .standardizingPath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LuaArgumentError(2, "revision \(revision): no such directory or archive (REVISION_MISSING)")
        }
        var directory = path
        var temporary: String?
        if !isDirectory.boolValue {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-revision-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            do {
                try RevisionBundle.unpack(path, into: dir)
            } catch {
                try? FileManager.default.removeItem(atPath: dir)
                throw LuaArgumentError(2, "INVALID_REVISION: \(error)")
            }
            (directory, temporary) = (dir, dir)
        }
        guard let name = ["appspec.yml", "appspec.yaml"].first(where: { FileManager.default.fileExists(atPath: directory + "/" + $0) }),
              let text = try? String(contentsOfFile: directory + "/" + name, encoding: .utf8) else {
            if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
            throw LuaArgumentError(2, "INVALID_REVISION: revision \(revision) has no appspec.yml at its root")
        }
        switch Result(catching: { () throws(AppSpecError) in try AppSpecParser.parse(text: text, file: path + "/" + name) }) {
        case .success(.server(let appSpec)):
            return (path, directory, temporary, appSpec, AWSResumeContext.AppSpecSource(text: text, file: path + "/" + name))
        case .success:
            if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
            throw LuaArgumentError(2, "INVALID_REVISION: \(path)/\(name) is not a server appspec")
        case .failure(let error):
            if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
            throw LuaArgumentError(2, "INVALID_REVISION: \(error)")
        }
    }

    // MARK: - Starting

    /// A server deployment: in place on the group's instances, or blue/green.
    func startServer(_ named: DeploymentGroup, revision: String, configuration: DeploymentConfiguration?, policy: String?,
                     ignoreApplicationStopFailures: Bool, creator: DeploymentCreator, rollbackOf: String?,
                     only: Set<String>?) throws -> DeploymentBinding {
        let bucket = try serverBucket()
        // A blue/green rollback installs nothing: the originals go back as they are, and
        // their traffic hooks run from what they last installed (AWSServerExecutor).
        let blueGreenRollback = creator == .codeDeployRollback && rollbackOf.flatMap({ handles[$0]?.run.spec.blueGreen }) != nil
        let (path, directory, temporary, appSpec, appSpecSource) = blueGreenRollback
            ? (revision, "", nil, ServerAppSpec(os: .linux), nil) : try serverRevision(revision)
        defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
        let groupID = serverGroupID(named.name)
        let record = try aws { try RevisionRecord.load(bucket: bucket, groupID: groupID, from: s3) }
        // Auto Scaling groups an earlier blue/green replaced stand for their copies.
        var group = named
        group.selection.autoScalingGroups = group.selection.autoScalingGroups.map(record.currentGroup)
        // load_balancer = "tg-name, arn:…, classic:name": target groups, and Classic Load
        // Balancers with the classic: prefix.
        let named = servers.targetGroups[group.name] ?? []
        var tgNames = named.filter { !$0.hasPrefix(Self.classicPrefix) }
        var classic = named.filter { $0.hasPrefix(Self.classicPrefix) }.map { String($0.dropFirst(Self.classicPrefix.count)) }
        if group.loadBalanced && named.isEmpty, let asg = group.selection.autoScalingGroups.first,
           let source = try? autoScaling.group(named: asg) {
            tgNames = source.settings.targetGroupARNs
            classic = source.settings.loadBalancerNames
        }
        if group.loadBalanced && tgNames.isEmpty && classic.isEmpty {
            throw LuaArgumentError(2, "MISSING_ELB_INFORMATION: group \(group.name) is load-balanced but names no load balancer "
                                   + "(load_balancer = \"target-group-name\" or \"classic:name\")")
        }
        let targetGroups = try targetGroupARNs(tgNames)
        let deploymentID = nextDeploymentID()
        var targets: [TargetDescription]
        var blueGreen: BlueGreenOptions?
        var copy: String?
        if let options = group.blueGreen {
            if group.selection.onPremises != nil {
                throw LuaArgumentError(2, "INVALID_DEPLOYMENT_GROUP: blue/green deploys to EC2 instances; on-premises instances deploy in place")
            }
            (targets, blueGreen, copy) = try blueGreenTargets(group, options, deploymentID: deploymentID, record: record,
                                                              creator: creator, rollbackOf: rollbackOf)
        } else {
            targets = group.selection.select(from: try aws { try runningInstances(record, onPremises: group.selection.onPremises != nil) })
                .filter { only?.contains($0.id) ?? true }
        }
        guard !targets.isEmpty else {
            throw LuaArgumentError(2, "NO_INSTANCES: no running instance matches the targets of \(group.name)")
        }
        let bundle = RevisionBundle(bucket: bucket, key: RevisionBundle.key(groupID: groupID, deploymentID: deploymentID))
        do {
            if !blueGreenRollback { try bundle.upload(directory: directory, with: s3) }
        } catch {
            if let copy { try? autoScaling.deleteGroup(named: copy, force: true) }
            throw LuaArgumentError(2, "the revision could not be stored in s3://\(bucket)/\(bundle.key): \(error)")
        }
        let spec = DeploymentSpec(
            // The revision's name is its absolute path: a rollback from a later run finds it.
            id: deploymentID, application: group.application.name, group: group.name, platform: .server, revision: path,
            lastSuccessfulRevision: groups[group.name]?.lastSuccessfulRevision ?? record.lastSuccessful,
            configuration: configuration ?? group.configuration, targets: targets,
            loadBalanced: group.loadBalanced || blueGreen != nil, ignoreApplicationStopFailures: ignoreApplicationStopFailures,
            // A launch deployment that fails is not rolled back: its instance is abandoned.
            alarms: group.alarms, autoRollback: creator == .autoscaling ? AutoRollbackConfiguration() : group.autoRollback,
            creator: creator, rollbackOf: rollbackOf, policy: policy,
            blueGreen: blueGreen)
        let executor = AWSServerExecutor(client: client, appSpec: appSpec, bundle: bundle, groupID: groupID,
                                         targetGroupARNs: targetGroups, record: record)
        executor.pollInterval = .milliseconds(Int64(servers.pollSeconds * 1000))
        executor.deliveryTimeoutSeconds = servers.deliverySeconds
        executor.classicLoadBalancers = classic
        if let copy, let source = group.selection.autoScalingGroups.first { executor.replacingGroup = (source, copy) }
        let deployment = LiveDeployment(spec: spec, executor: executor)
        if blueGreen != nil {
            let client = self.client
            let classic = classic
            deployment.blueGreenRunner = { command in
                Self.carryOutBlueGreen(command, spec: spec, client: client, targetGroups: targetGroups, classic: classic)
            }
        }
        let server = AWSResumeContext.Server(bucket: bucket, bundleKey: bundle.key, groupID: groupID, targetGroupARNs: targetGroups,
                                             appSpec: appSpecSource, pollSeconds: servers.pollSeconds,
                                             deliverySeconds: servers.deliverySeconds, classicLoadBalancers: classic,
                                             replacing: executor.replacingGroup.map { [$0.original, $0.copy] })
        let binding = track(deployment, context: resumeContext(group, server: server))
        // After a blue/green success through a copy, the group deploys to the copy.
        if let copy, blueGreen?.rollingBack == false {
            let tracked = deployment.observer
            deployment.observer = { [unowned self] d, recorded in
                tracked?(d, recorded)
                if case .ended(.succeeded, _, _) = recorded.event { groups[d.spec.group]?.group.selection.autoScalingGroups = [copy] }
            }
        }
        return binding
    }

    /// Blue/green targets: the replacements (a copy of the group's Auto Scaling group,
    /// or instances found by the green targets) then the originals; a rollback's are
    /// the rolled-back deployment's that are still running.
    func blueGreenTargets(_ group: DeploymentGroup, _ options: BlueGreenGroupOptions, deploymentID: String, record: RevisionRecord,
                          creator: DeploymentCreator, rollbackOf: String?) throws -> ([TargetDescription], BlueGreenOptions, String?) {
        let all = try aws { try runningInstances(record) }
        if creator == .codeDeployRollback, let original = rollbackOf.flatMap({ handles[$0]?.run.spec }), original.blueGreen != nil {
            switch Result(catching: { () throws(CoreError) in try original.blueGreenRollback(alive: Set(all.map(\.id))) }) {
            case .success(let (targets, options)): return (targets, options, nil)
            case .failure(let error): throw LuaArgumentError(2, error.description)
            }
        }
        let originals = group.selection.select(from: all)
        var replacements: [TargetDescription]
        var copyName: String?
        switch options.greenFleet {
        case .copyAutoScalingGroup:
            guard let sourceName = group.selection.autoScalingGroups.first else {
                throw LuaArgumentError(2, "AUTO_SCALING_CONFIGURATION: the group has no Auto Scaling group to copy")
            }
            guard let source = try aws({ try autoScaling.group(named: sourceName) }) else {
                throw LuaArgumentError(2, "AUTO_SCALING_CONFIGURATION: no Auto Scaling group named \(sourceName)")
            }
            let name = "CodeDeploy_\(group.name)_\(deploymentID)"
            let capacity = max(1, source.instances.filter(\.isInService).count)
            // The copy joins the target groups at AllowTraffic (instance by instance),
            // not at launch: its instances take no traffic before they are installed.
            try aws {
                try autoScaling.copyGroup(from: source, named: name) {
                    $0.targetGroupARNs = []
                    $0.desiredCapacity = capacity
                    $0.minSize = min($0.minSize, capacity)
                    $0.maxSize = max($0.maxSize, capacity)
                }
            }
            let launched: Set<String>
            do {
                launched = try waitForInService(name, count: capacity)
            } catch {
                // Not left behind half-made: the copy goes, or the error says it stays.
                if case .failure(let deleting) = Result(catching: { try autoScaling.deleteGroup(named: name, force: true) }) {
                    throw LuaArgumentError(2, "\(error); the copy \(name) could not be deleted and remains: \(deleting)")
                }
                throw error
            }
            replacements = try aws { try runningInstances(record) }.filter { launched.contains($0.id) }
            guard !replacements.isEmpty else {
                try? autoScaling.deleteGroup(named: name, force: true)
                throw LuaArgumentError(2, "NO_INSTANCES: the copy of \(sourceName) launched no instance")
            }
            copyName = name
        case .discover(let selection):
            let originalIDs = Set(originals.map(\.id))
            replacements = selection.select(from: all).filter { !originalIDs.contains($0.id) }
            guard !replacements.isEmpty else {
                throw LuaArgumentError(2, "NO_INSTANCES: no running instance matches the replacement targets of \(group.name)")
            }
        }
        return (replacements + originals,
                BlueGreenOptions(replacementCount: replacements.count, readyWaitSeconds: options.readyWaitSeconds,
                                 terminationWaitSeconds: options.terminationWaitSeconds, keepOriginals: options.keepOriginals),
                copyName)
    }

    /// Waits (up to 10 minutes) until `count` instances of the group are InService;
    /// their ids.
    func waitForInService(_ name: String, count: Int) throws -> Set<String> {
        let deadline = Date().addingTimeInterval(600)
        while true {
            let group = try aws { try autoScaling.group(named: name) }
            let ready = Set((group?.instances ?? []).filter(\.isInService).map(\.id))
            if ready.count >= count { return ready }
            guard Date() < deadline else {
                throw LuaArgumentError(2, "AUTO_SCALING_CONFIGURATION: \(name) has \(ready.count) of \(count) instances in service after 10 minutes")
            }
            Thread.sleep(forTimeInterval: servers.pollSeconds)
        }
    }

    /// Terminates the originals (their Auto Scaling group is deleted with them;
    /// `keep_original` leaves them running, out of the target groups and detached from
    /// them) and lets the copy launch into the target groups; or discards the
    /// replacements (a copy made for the deployment is deleted; discovered instances
    /// are left running, out of the target groups).
    static func carryOutBlueGreen(_ command: EngineCommand, spec: DeploymentSpec, client: AWSClient,
                                  targetGroups: [String], classic: [String] = []) -> EngineInput {
        guard let options = spec.blueGreen else { return .timer }
        let autoScaling = AutoScaling(client)
        let replacements = Array(spec.targets.prefix(options.replacementCount))
        let originals = Array(spec.targets.dropFirst(options.replacementCount))
        // Gone already counts as removed (a resumed deployment asks again).
        func deleteGroup(_ name: String) throws {
            switch Result(catching: { try autoScaling.deleteGroup(named: name, force: true) }) {
            case .success: break
            case .failure(let error as AWSError) where error.code == "ValidationError" && error.message.contains("not found"): break
            case .failure(let error): throw error
            }
        }
        switch command {
        case .discardReplacement:
            let copies = Set(replacements.compactMap(\.autoScalingGroup).filter { $0.hasPrefix("CodeDeploy_") })
            do {
                for copy in copies.sorted() { try deleteGroup(copy) }
                let kept = replacements.filter { !($0.autoScalingGroup?.hasPrefix("CodeDeploy_") ?? false) }.count
                return .replacementDiscarded(message: (copies.sorted().map { "\($0) deleted" } + (kept > 0 ? ["\(kept) discovered replacement(s) left running"] : []))
                    .joined(separator: "; "), error: nil)
            } catch {
                return .replacementDiscarded(message: "", error: "\(error)")
            }
        case .terminateOriginal:
            do {
                for copy in Set(replacements.compactMap(\.autoScalingGroup)).sorted() where copy.hasPrefix("CodeDeploy_") {
                    try autoScaling.attachTargetGroups(targetGroups, to: copy)
                    try autoScaling.attachClassicLoadBalancers(classic, to: copy)
                }
                let asgs = Set(originals.compactMap(\.autoScalingGroup)).sorted()
                for asg in asgs {
                    if options.keepOriginals {
                        try autoScaling.detachTargetGroups(targetGroups, from: asg)
                        try autoScaling.detachClassicLoadBalancers(classic, from: asg)
                    } else {
                        try deleteGroup(asg)
                    }
                }
                let loose = originals.filter { $0.autoScalingGroup == nil }.map(\.id)
                if !options.keepOriginals && !loose.isEmpty { try EC2(client).terminateInstances(ids: loose) }
                return .originalTerminated(error: nil)
            } catch {
                return .originalTerminated(error: "\(error)")
            }
        default:
            return .timer
        }
    }

    /// Instances an Auto Scaling group launched while an in-place deployment ran missed
    /// it: a CodeDeployAutoUpdate deployment of the same revision brings them up to date,
    /// as CodeDeploy's follow-on deployment does. (Instances launched between deployments
    /// keep what their launch template gives them: Cutover runs no agent of its own on AWS
    /// to catch launches through a lifecycle hook.)
    func serverFollowUp(after spec: DeploymentSpec) -> LiveRun? {
        guard spec.platform == .server, spec.blueGreen == nil, spec.traffic == nil, spec.creator != .codeDeployAutoUpdate,
              spec.creator != .codeDeployRollback, let entry = groups[spec.group],
              !entry.group.selection.autoScalingGroups.isEmpty, let bucket = servers.bucket,
              let record = try? RevisionRecord.load(bucket: bucket, groupID: serverGroupID(spec.group), from: s3),
              let all = try? runningInstances(record, onPremises: entry.group.selection.onPremises != nil) else { return nil }
        var selection = entry.group.selection
        selection.autoScalingGroups = selection.autoScalingGroups.map(record.currentGroup)
        let deployed = Set(spec.targets.map(\.id))
        let outdated = selection.select(from: all).filter { !deployed.contains($0.id) && $0.revision != spec.revision }
        guard !outdated.isEmpty else { return nil }
        switch Result(catching: { try start(group: spec.group, revision: spec.revision, configuration: nil, policy: nil,
                                            ignoreApplicationStopFailures: false, creator: .codeDeployAutoUpdate, rollbackOf: nil,
                                            hooks: [:], only: Set(outdated.map(\.id))) }) {
        case .success(let binding):
            return binding.run as? LiveRun
        case .failure(let error):
            let reason = (error as? LuaArgumentError)?.message ?? "\(error)"
            FileHandle.standardError.write(Data("cutover: \(spec.id): \(outdated.count) instance(s) launched meanwhile were not brought up to date: \(reason)\n".utf8))
            return nil
        }
    }

    // MARK: - Lua

    static func registerServers(_ t: LuaTypeBuilder<AWSCloudBinding>) {
        t.method("bucket") { cloud, stack in
            // cloud:bucket "name": revisions go through this bucket; cloud:bucket() says which.
            if stack.top >= 2 { cloud.servers.bucket = try stack.checkString(2) }
            stack.push(cloud.servers.bucket.map(LuaValue.string) ?? .nil)
            return 1
        }
        t.method("instances") { cloud, stack in
            // cloud:instances{ tags = { env = "prod" }, asg = "web", state = "running" }
            //   → { { id =, state =, private_ip =, tags = {…}, asg = }, … }
            var filters: [EC2.Filter] = []
            if stack.top >= 2 {
                let f = try Fields(stack, 2)
                try f.rejectUnknown(["tags", "asg", "state", "on_premises"], function: "instances")
                if try f.bool("on_premises") == true {
                    // cloud:instances{ on_premises = true, tags = {…} } → SSM's managed on-premises servers
                    let ssm = SSM(cloud.client)
                    let wanted = try f.stringMap("tags") ?? [:]
                    let managed = try cloud.aws { try ssm.onPremisesInstances() }.sorted { $0.id < $1.id }
                    var rows: [LuaValue] = []
                    for m in managed {
                        let tags = try cloud.aws { try ssm.tags(ofManagedInstance: m.id) }
                        guard wanted.allSatisfy({ tags[$0.key] == $0.value }) else { continue }
                        var row: LuaTable = ["id": .string(m.id), "state": .string(m.pingStatus), "tags": .table(LuaTable(strings: tags)),
                                             "on_premises": .boolean(true)]
                        if let ip = m.ipAddress { row["private_ip"] = .string(ip) }
                        if let name = m.computerName { row["name"] = .string(name) }
                        rows.append(.table(row))
                    }
                    stack.push(table: LuaTable(array: rows))
                    return 1
                }
                for (key, value) in (try f.stringMap("tags") ?? [:]).sorted(by: { $0.key < $1.key }) {
                    filters.append(EC2.Filter("tag:\(key)", [value]))
                }
                if let asg = try f.string("asg") { filters.append(EC2.Filter("tag:\(autoScalingGroupTag)", [asg])) }
                if let state = try f.string("state") { filters.append(EC2.Filter("instance-state-name", [state])) }
            }
            let instances = try cloud.aws { try cloud.ec2.describeInstances(filters: filters) }
                .sorted { ($0.launchTime ?? .distantPast, $0.id) < ($1.launchTime ?? .distantPast, $1.id) }
            stack.push(table: LuaTable(array: instances.map { i in
                var row: LuaTable = ["id": .string(i.id), "state": .string(i.state), "tags": .table(LuaTable(strings: i.tags))]
                if let ip = i.privateIP { row["private_ip"] = .string(ip) }
                if let asg = i.tags[autoScalingGroupTag] { row["asg"] = .string(asg) }
                return .table(row)
            }))
            return 1
        }
        t.method("target_health") { cloud, stack in
            // cloud:target_health "name-or-arn" → { { id =, port =, state =, reason = }, … }
            let name = try stack.checkString(2)
            let arn = try cloud.targetGroupARNs([name]).first ?? name
            let health = try cloud.aws { try cloud.elbv2.describeTargetHealth(of: arn) }
            stack.push(table: LuaTable(array: health.sorted { $0.target.id < $1.target.id }.map { h in
                var row: LuaTable = ["id": .string(h.target.id), "state": .string(h.state)]
                if let port = h.target.port { row["port"] = .integer(Int64(port)) }
                if let reason = h.reason { row["reason"] = .string(reason) }
                return .table(row)
            }))
            return 1
        }
        t.method("scale") { cloud, stack in
            // cloud:scale("name", desired) → the group's instance ids once that many are InService
            let name = try stack.checkString(2)
            let desired = Int(try stack.checkInteger(3))
            try cloud.aws { try cloud.autoScaling.updateGroup(named: name, desiredCapacity: desired) }
            let ids = try cloud.waitForInService(name, count: desired)
            stack.push(table: LuaTable(array: ids.sorted().map { .string($0) }))
            return 1
        }
        t.method("asg") { cloud, stack in
            // cloud:asg "name" → { name =, desired =, instances = { { id =, state = }, … } }, or nil
            let name = try stack.checkString(2)
            guard let group = try cloud.aws({ try cloud.autoScaling.group(named: name) }) else {
                stack.push(LuaValue.nil)
                return 1
            }
            stack.push(table: ["name": .string(name), "desired": .integer(Int64(group.settings.desiredCapacity ?? 0)),
                               "instances": .table(LuaTable(array: group.instances.map {
                                   .table(["id": .string($0.id), "state": .string($0.lifecycleState)])
                               }))])
            return 1
        }
    }
}
