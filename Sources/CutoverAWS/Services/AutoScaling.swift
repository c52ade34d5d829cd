import Foundation

/// Auto Scaling: the groups a server deployment targets, the copy a blue/green
/// deployment makes of one, and the lifecycle hooks that hold a launching instance
/// until its revision is installed.
///
/// Idempotency, per operation (see `AWSOperation`): the Describe calls are reads.
/// Update, attach/detach, suspend/resume, put/delete hook, heartbeat and complete set a
/// state or are refused on a repeat, so a repeat never does anything twice and they are
/// retried like reads. CreateAutoScalingGroup and DeleteAutoScalingGroup act on a
/// unique name: a repeat can only be refused (`AlreadyExists`, `ValidationError … not
/// found`), never make a second group or delete another one, so they are retried too;
/// such a refusal after more than one attempt (`AWSError.attempts`) says an earlier
/// attempt may have done the work.
public struct AutoScaling: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) { self.client = client }

    // MARK: - Groups

    /// The launch template of a group (or of one of its instances): an id or a name,
    /// and the version as the group was given it (`$Latest`, `$Default` or `3`).
    public struct LaunchTemplate: Sendable, Equatable {
        public var id: String?
        public var name: String?
        public var version: String?

        public init(id: String? = nil, name: String? = nil, version: String? = nil) {
            self.id = id
            self.name = name
            self.version = version
        }
    }

    /// What a group launches its instances from.
    public enum Launch: Sendable, Equatable {
        case template(LaunchTemplate)
        /// A launch configuration, by name (the older way).
        case configuration(String)
        /// A mixed instances policy, kept as read and sent back unchanged in a copy.
        case mixedInstancesPolicy(QueryValue)
    }

    /// A tag of a group; `propagateAtLaunch` copies it to the instances it launches.
    public struct Tag: Sendable, Equatable {
        public var key: String
        public var value: String
        public var propagateAtLaunch: Bool

        public init(_ key: String, _ value: String, propagateAtLaunch: Bool = true) {
            self.key = key
            self.value = value
            self.propagateAtLaunch = propagateAtLaunch
        }
    }

    /// What CreateAutoScalingGroup takes, and so what a copy of a group repeats.
    public struct GroupSettings: Sendable, Equatable {
        public var name: String
        public var launch: Launch
        public var minSize: Int
        public var maxSize: Int
        public var desiredCapacity: Int?
        /// Subnet ids (the VPCZoneIdentifier, split at commas).
        public var subnets: [String]
        /// Availability zones; sent only when there are no subnets, which imply them.
        public var availabilityZones: [String]
        public var targetGroupARNs: [String]
        /// Classic load balancers.
        public var loadBalancerNames: [String]
        /// `EC2` or `ELB`.
        public var healthCheckType: String?
        public var healthCheckGracePeriod: Int?
        public var defaultCooldown: Int?
        public var terminationPolicies: [String]
        public var newInstancesProtectedFromScaleIn: Bool?
        public var capacityRebalance: Bool?
        public var maxInstanceLifetime: Int?
        public var serviceLinkedRoleARN: String?
        public var tags: [Tag]

        public init(name: String, launch: Launch, minSize: Int, maxSize: Int, desiredCapacity: Int? = nil,
                    subnets: [String] = [], availabilityZones: [String] = [], targetGroupARNs: [String] = [],
                    loadBalancerNames: [String] = [], healthCheckType: String? = nil, healthCheckGracePeriod: Int? = nil,
                    defaultCooldown: Int? = nil, terminationPolicies: [String] = [], newInstancesProtectedFromScaleIn: Bool? = nil,
                    capacityRebalance: Bool? = nil, maxInstanceLifetime: Int? = nil, serviceLinkedRoleARN: String? = nil,
                    tags: [Tag] = []) {
            self.name = name
            self.launch = launch
            self.minSize = minSize
            self.maxSize = maxSize
            self.desiredCapacity = desiredCapacity
            self.subnets = subnets
            self.availabilityZones = availabilityZones
            self.targetGroupARNs = targetGroupARNs
            self.loadBalancerNames = loadBalancerNames
            self.healthCheckType = healthCheckType
            self.healthCheckGracePeriod = healthCheckGracePeriod
            self.defaultCooldown = defaultCooldown
            self.terminationPolicies = terminationPolicies
            self.newInstancesProtectedFromScaleIn = newInstancesProtectedFromScaleIn
            self.capacityRebalance = capacityRebalance
            self.maxInstanceLifetime = maxInstanceLifetime
            self.serviceLinkedRoleARN = serviceLinkedRoleARN
            self.tags = tags
        }
    }

    /// An instance of a group.
    public struct Instance: Sendable, Equatable {
        public var id: String
        /// `Pending`, `Pending:Wait` (held by a launch hook), `Pending:Proceed`,
        /// `InService`, `Standby`, `Terminating`, `Terminating:Wait`, `Terminated`…
        public var lifecycleState: String
        /// `Healthy` or `Unhealthy`.
        public var healthStatus: String
        public var availabilityZone: String?
        public var instanceType: String?
        public var launchTemplate: LaunchTemplate?
        public var protectedFromScaleIn: Bool

        public init(id: String, lifecycleState: String, healthStatus: String, availabilityZone: String? = nil,
                    instanceType: String? = nil, launchTemplate: LaunchTemplate? = nil, protectedFromScaleIn: Bool = false) {
            self.id = id
            self.lifecycleState = lifecycleState
            self.healthStatus = healthStatus
            self.availabilityZone = availabilityZone
            self.instanceType = instanceType
            self.launchTemplate = launchTemplate
            self.protectedFromScaleIn = protectedFromScaleIn
        }

        public var isInService: Bool { lifecycleState == "InService" }
        public var isHealthy: Bool { healthStatus == "Healthy" }
    }

    /// A group as DescribeAutoScalingGroups shows it: its settings (readable directly,
    /// `group.desiredCapacity`) and its current state.
    @dynamicMemberLookup
    public struct Group: Sendable, Equatable {
        public var settings: GroupSettings
        public var arn: String
        public var instances: [Instance]
        /// The processes suspended (`Launch`, `Terminate`, `AZRebalance`…).
        public var suspendedProcesses: [String]
        /// Set while the group is being deleted (`Delete in progress`).
        public var status: String?
        public var createdTime: Date?

        public init(settings: GroupSettings, arn: String, instances: [Instance] = [], suspendedProcesses: [String] = [],
                    status: String? = nil, createdTime: Date? = nil) {
            self.settings = settings
            self.arn = arn
            self.instances = instances
            self.suspendedProcesses = suspendedProcesses
            self.status = status
            self.createdTime = createdTime
        }

        public subscript<Value>(dynamicMember keyPath: KeyPath<GroupSettings, Value>) -> Value {
            settings[keyPath: keyPath]
        }
    }

    /// Groups by name (every group when `names` is empty), across every page; a name
    /// with no group is left out (Auto Scaling does not call it an error). A read.
    /// `pageSize` is MaxRecords (at most 100).
    public func describeGroups(names: [String] = [], pageSize: Int? = nil) throws -> [Group] {
        let operation = AWSOperation(.autoScaling, "DescribeAutoScalingGroups")
        var groups: [Group] = []
        try client.paginate(operation) { token in
            var parameters: [(String, QueryValue)] = []
            if !names.isEmpty { parameters.append(("AutoScalingGroupNames", .list(names.map(QueryValue.string)))) }
            if let pageSize { parameters.append(("MaxRecords", .int(pageSize))) }
            if let token { parameters.append(("NextToken", .string(token))) }
            let page = try client.query(operation, parameters)
            groups += page.list("AutoScalingGroups").map(Self.group)
            return page.nonEmptyText("NextToken")
        }
        return groups
    }

    /// The group named `name`, or nil when there is none.
    public func group(named name: String) throws -> Group? {
        try describeGroups(names: [name]).first { $0.name == name }
    }

    /// Creates a group (CreateAutoScalingGroup). Retried on failures after sending: a
    /// repeat is refused with `AlreadyExists` and makes no second group.
    public func createGroup(_ settings: GroupSettings) throws {
        _ = try client.query(AWSOperation(.autoScaling, "CreateAutoScalingGroup", idempotent: true),
                             Self.createParameters(settings))
    }

    /// Creates `name`, a copy of `group` for a blue/green replacement: the same launch
    /// template and version (or launch configuration, or mixed instances policy),
    /// subnets or zones, sizes, target groups, health checks and tags (but AWS's own
    /// `aws:` tags); `changing` adjusts the settings first (sizes, extra tags). Returns
    /// the settings the copy was created with. Idempotent as `createGroup`.
    ///
    /// ```swift
    /// let blue = try autoScaling.group(named: "web")!
    /// try autoScaling.copyGroup(from: blue, named: "web-green") { $0.tags.append(.init("cutover:deployment", id)) }
    /// ```
    @discardableResult
    public func copyGroup(from group: Group, named name: String,
                          changing: (inout GroupSettings) -> Void = { _ in }) throws -> GroupSettings {
        var settings = group.settings
        settings.name = name
        settings.tags = settings.tags.filter { !$0.key.hasPrefix("aws:") }
        changing(&settings)
        try createGroup(settings)
        return settings
    }

    /// Sets a group's sizes; nil leaves one as it is. Sets a state: retried like a read.
    public func updateGroup(named name: String, minSize: Int? = nil, maxSize: Int? = nil, desiredCapacity: Int? = nil) throws {
        var parameters: [(String, QueryValue)] = [("AutoScalingGroupName", .string(name))]
        if let minSize { parameters.append(("MinSize", .int(minSize))) }
        if let maxSize { parameters.append(("MaxSize", .int(maxSize))) }
        if let desiredCapacity { parameters.append(("DesiredCapacity", .int(desiredCapacity))) }
        _ = try client.query(AWSOperation(.autoScaling, "UpdateAutoScalingGroup", idempotent: true), parameters)
    }

    /// Deletes a group; with `force`, its instances are terminated with it (without,
    /// AWS refuses a group that still has instances). Retried: a repeat is refused
    /// with `ValidationError` (not found) and deletes nothing else.
    public func deleteGroup(named name: String, force: Bool = false) throws {
        var parameters: [(String, QueryValue)] = [("AutoScalingGroupName", .string(name))]
        if force { parameters.append(("ForceDelete", .bool(true))) }
        _ = try client.query(AWSOperation(.autoScaling, "DeleteAutoScalingGroup", idempotent: true), parameters)
    }

    // MARK: - Target groups

    /// Attaches target groups: the group registers its instances in them, and the ones
    /// it launches from then on. Attaching an attached group changes nothing: retried.
    /// Sent 10 at a time, AWS's limit per call.
    public func attachTargetGroups(_ arns: [String], to group: String) throws {
        for chunk in Self.chunks(arns, of: 10) {
            _ = try client.query(AWSOperation(.autoScaling, "AttachLoadBalancerTargetGroups", idempotent: true),
                                 ["AutoScalingGroupName": .string(group), "TargetGroupARNs": .list(chunk.map(QueryValue.string))])
        }
    }

    /// Attaches Classic Load Balancers by name (the group registers its instances). Retried.
    public func attachClassicLoadBalancers(_ names: [String], to group: String) throws {
        for chunk in Self.chunks(names, of: 10) {
            _ = try client.query(AWSOperation(.autoScaling, "AttachLoadBalancers", idempotent: true),
                                 ["AutoScalingGroupName": .string(group), "LoadBalancerNames": .list(chunk.map(QueryValue.string))])
        }
    }

    /// Detaches Classic Load Balancers by name. Retried.
    public func detachClassicLoadBalancers(_ names: [String], from group: String) throws {
        for chunk in Self.chunks(names, of: 10) {
            _ = try client.query(AWSOperation(.autoScaling, "DetachLoadBalancers", idempotent: true),
                                 ["AutoScalingGroupName": .string(group), "LoadBalancerNames": .list(chunk.map(QueryValue.string))])
        }
    }

    /// Detaches target groups (the group deregisters its instances from them). Retried.
    public func detachTargetGroups(_ arns: [String], from group: String) throws {
        for chunk in Self.chunks(arns, of: 10) {
            _ = try client.query(AWSOperation(.autoScaling, "DetachLoadBalancerTargetGroups", idempotent: true),
                                 ["AutoScalingGroupName": .string(group), "TargetGroupARNs": .list(chunk.map(QueryValue.string))])
        }
    }

    // MARK: - Processes

    /// Suspends scaling processes (`Launch`, `Terminate`, `AZRebalance`,
    /// `HealthCheck`, `ReplaceUnhealthy`, `AlarmNotification`, `ScheduledActions`,
    /// `AddToLoadBalancer`, `InstanceRefresh`); all of them when `processes` is empty.
    /// Sets a state: retried.
    public func suspendProcesses(_ processes: [String] = [], in group: String) throws {
        _ = try client.query(AWSOperation(.autoScaling, "SuspendProcesses", idempotent: true),
                             Self.processParameters(group, processes))
    }

    /// Resumes scaling processes; all of them when `processes` is empty. Retried.
    public func resumeProcesses(_ processes: [String] = [], in group: String) throws {
        _ = try client.query(AWSOperation(.autoScaling, "ResumeProcesses", idempotent: true),
                             Self.processParameters(group, processes))
    }

    // MARK: - Lifecycle hooks

    /// When a hook holds an instance: as it launches or as it terminates.
    public struct LifecycleTransition: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let launching = LifecycleTransition(rawValue: "autoscaling:EC2_INSTANCE_LAUNCHING")
        public static let terminating = LifecycleTransition(rawValue: "autoscaling:EC2_INSTANCE_TERMINATING")

        public var description: String { rawValue }
    }

    /// How a held instance goes on: `CONTINUE` (into service, or on to termination) or
    /// `ABANDON` (terminated, or terminated without the rest of the hooks).
    public struct LifecycleActionResult: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let proceed = LifecycleActionResult(rawValue: "CONTINUE")
        public static let abandon = LifecycleActionResult(rawValue: "ABANDON")

        public var description: String { rawValue }
    }

    /// A lifecycle hook of a group.
    public struct LifecycleHook: Sendable, Equatable {
        public var name: String
        public var groupName: String
        public var transition: LifecycleTransition
        /// Seconds an instance is held before `defaultResult` applies (30 to 7200).
        public var heartbeatTimeout: Int?
        /// The longest an instance can be held, heartbeats included (read only).
        public var globalTimeout: Int?
        public var defaultResult: LifecycleActionResult?
        public var notificationMetadata: String?
        public var notificationTargetARN: String?
        public var roleARN: String?

        public init(name: String, groupName: String, transition: LifecycleTransition, heartbeatTimeout: Int? = nil,
                    globalTimeout: Int? = nil, defaultResult: LifecycleActionResult? = nil, notificationMetadata: String? = nil,
                    notificationTargetARN: String? = nil, roleARN: String? = nil) {
            self.name = name
            self.groupName = groupName
            self.transition = transition
            self.heartbeatTimeout = heartbeatTimeout
            self.globalTimeout = globalTimeout
            self.defaultResult = defaultResult
            self.notificationMetadata = notificationMetadata
            self.notificationTargetARN = notificationTargetARN
            self.roleARN = roleARN
        }
    }

    /// Creates or replaces a hook (PutLifecycleHook). Sets a state: retried.
    public func putLifecycleHook(_ hook: LifecycleHook) throws {
        var parameters: [(String, QueryValue)] = [
            ("LifecycleHookName", .string(hook.name)), ("AutoScalingGroupName", .string(hook.groupName)),
            ("LifecycleTransition", .string(hook.transition.rawValue)),
        ]
        if let timeout = hook.heartbeatTimeout { parameters.append(("HeartbeatTimeout", .int(timeout))) }
        if let result = hook.defaultResult { parameters.append(("DefaultResult", .string(result.rawValue))) }
        if let metadata = hook.notificationMetadata { parameters.append(("NotificationMetadata", .string(metadata))) }
        if let target = hook.notificationTargetARN { parameters.append(("NotificationTargetARN", .string(target))) }
        if let role = hook.roleARN { parameters.append(("RoleARN", .string(role))) }
        _ = try client.query(AWSOperation(.autoScaling, "PutLifecycleHook", idempotent: true), parameters)
    }

    /// The hooks of `group` (those named, or all). A read; not paginated by AWS.
    public func describeLifecycleHooks(group: String, names: [String] = []) throws -> [LifecycleHook] {
        var parameters: [(String, QueryValue)] = [("AutoScalingGroupName", .string(group))]
        if !names.isEmpty { parameters.append(("LifecycleHookNames", .list(names.map(QueryValue.string)))) }
        return try client.query(AWSOperation(.autoScaling, "DescribeLifecycleHooks"), parameters)
            .list("LifecycleHooks").map(Self.lifecycleHook)
    }

    /// Lets an instance held by `hook` go on (CompleteLifecycleAction), found by its id
    /// and, when known, the action's token. Retried: a repeat is refused (no action is
    /// pending any more) and moves nothing twice.
    public func completeLifecycleAction(group: String, hook: String, instanceID: String, token: String? = nil,
                                        result: LifecycleActionResult) throws {
        var parameters = Self.actionParameters(group, hook, instanceID, token)
        parameters.append(("LifecycleActionResult", .string(result.rawValue)))
        _ = try client.query(AWSOperation(.autoScaling, "CompleteLifecycleAction", idempotent: true), parameters)
    }

    /// Restarts the heartbeat timeout of a held instance (a long install). Retried: a
    /// repeat restarts the same timeout.
    public func recordLifecycleActionHeartbeat(group: String, hook: String, instanceID: String, token: String? = nil) throws {
        _ = try client.query(AWSOperation(.autoScaling, "RecordLifecycleActionHeartbeat", idempotent: true),
                             Self.actionParameters(group, hook, instanceID, token))
    }

    /// Deletes a hook (instances it holds go on with its default result). Retried.
    public func deleteLifecycleHook(group: String, hook: String) throws {
        _ = try client.query(AWSOperation(.autoScaling, "DeleteLifecycleHook", idempotent: true),
                             ["AutoScalingGroupName": .string(group), "LifecycleHookName": .string(hook)])
    }

    // MARK: - Requests

    static func createParameters(_ settings: GroupSettings) -> [(String, QueryValue)] {
        var parameters: [(String, QueryValue)] = [("AutoScalingGroupName", .string(settings.name))]
        switch settings.launch {
        case .template(let template):
            // An id or a name, not both (AWS refuses both); the id survives a rename.
            var specification: [(String, QueryValue)] = []
            if let id = template.id { specification.append(("LaunchTemplateId", .string(id))) }
            else if let name = template.name { specification.append(("LaunchTemplateName", .string(name))) }
            if let version = template.version { specification.append(("Version", .string(version))) }
            parameters.append(("LaunchTemplate", .structure(specification)))
        case .configuration(let name):
            parameters.append(("LaunchConfigurationName", .string(name)))
        case .mixedInstancesPolicy(let policy):
            parameters.append(("MixedInstancesPolicy", idOnly(policy)))
        }
        parameters += [("MinSize", .int(settings.minSize)), ("MaxSize", .int(settings.maxSize))]
        if let desired = settings.desiredCapacity { parameters.append(("DesiredCapacity", .int(desired))) }
        if !settings.subnets.isEmpty {
            parameters.append(("VPCZoneIdentifier", .string(settings.subnets.joined(separator: ","))))
        } else if !settings.availabilityZones.isEmpty {
            parameters.append(("AvailabilityZones", .list(settings.availabilityZones.map(QueryValue.string))))
        }
        if !settings.targetGroupARNs.isEmpty {
            parameters.append(("TargetGroupARNs", .list(settings.targetGroupARNs.map(QueryValue.string))))
        }
        if !settings.loadBalancerNames.isEmpty {
            parameters.append(("LoadBalancerNames", .list(settings.loadBalancerNames.map(QueryValue.string))))
        }
        if let type = settings.healthCheckType { parameters.append(("HealthCheckType", .string(type))) }
        if let grace = settings.healthCheckGracePeriod { parameters.append(("HealthCheckGracePeriod", .int(grace))) }
        if let cooldown = settings.defaultCooldown { parameters.append(("DefaultCooldown", .int(cooldown))) }
        if !settings.terminationPolicies.isEmpty {
            parameters.append(("TerminationPolicies", .list(settings.terminationPolicies.map(QueryValue.string))))
        }
        if let protected = settings.newInstancesProtectedFromScaleIn {
            parameters.append(("NewInstancesProtectedFromScaleIn", .bool(protected)))
        }
        if let rebalance = settings.capacityRebalance { parameters.append(("CapacityRebalance", .bool(rebalance))) }
        if let lifetime = settings.maxInstanceLifetime { parameters.append(("MaxInstanceLifetime", .int(lifetime))) }
        if let role = settings.serviceLinkedRoleARN { parameters.append(("ServiceLinkedRoleARN", .string(role))) }
        if !settings.tags.isEmpty {
            parameters.append(("Tags", .list(settings.tags.map {
                ["Key": .string($0.key), "Value": .string($0.value), "PropagateAtLaunch": .bool($0.propagateAtLaunch)]
            })))
        }
        return parameters
    }

    /// A launch template specification read back has both the id and the name; a
    /// request takes one: the id is kept.
    static func idOnly(_ value: QueryValue) -> QueryValue {
        switch value {
        case .structure(let members):
            let hasID = members.contains { $0.0 == "LaunchTemplateId" }
            return .structure(members.filter { !(hasID && $0.0 == "LaunchTemplateName") }.map { ($0.0, idOnly($0.1)) })
        case .list(let elements):
            return .list(elements.map(idOnly))
        case .map(let entries):
            return .map(entries.map { ($0.0, idOnly($0.1)) })
        case .string:
            return value
        }
    }

    static func processParameters(_ group: String, _ processes: [String]) -> [(String, QueryValue)] {
        var parameters: [(String, QueryValue)] = [("AutoScalingGroupName", .string(group))]
        // Absent means every process; an empty list would be sent as a bare name.
        if !processes.isEmpty { parameters.append(("ScalingProcesses", .list(processes.map(QueryValue.string)))) }
        return parameters
    }

    static func actionParameters(_ group: String, _ hook: String, _ instanceID: String, _ token: String?) -> [(String, QueryValue)] {
        var parameters: [(String, QueryValue)] = [
            ("LifecycleHookName", .string(hook)), ("AutoScalingGroupName", .string(group)), ("InstanceId", .string(instanceID)),
        ]
        if let token { parameters.append(("LifecycleActionToken", .string(token))) }
        return parameters
    }

    static func chunks(_ items: [String], of size: Int) -> [[String]] {
        stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
    }

    // MARK: - Reading answers

    static func group(_ item: XMLTree) -> Group {
        let launch: Launch
        if let policy = item.child("MixedInstancesPolicy"), let value = policy.queryValue {
            launch = .mixedInstancesPolicy(value)
        } else if let template = item.child("LaunchTemplate") {
            launch = .template(launchTemplate(template))
        } else {
            launch = .configuration(item.text("LaunchConfigurationName") ?? "")
        }
        let settings = GroupSettings(
            name: item.text("AutoScalingGroupName") ?? "", launch: launch,
            minSize: item.integer("MinSize") ?? 0, maxSize: item.integer("MaxSize") ?? 0,
            desiredCapacity: item.integer("DesiredCapacity"),
            subnets: (item.text("VPCZoneIdentifier") ?? "").split(separator: ",").map { String($0).trimmingLeadingWhitespace() },
            availabilityZones: item.strings("AvailabilityZones"), targetGroupARNs: item.strings("TargetGroupARNs"),
            loadBalancerNames: item.strings("LoadBalancerNames"), healthCheckType: item.nonEmptyText("HealthCheckType"),
            healthCheckGracePeriod: item.integer("HealthCheckGracePeriod"), defaultCooldown: item.integer("DefaultCooldown"),
            terminationPolicies: item.strings("TerminationPolicies"),
            newInstancesProtectedFromScaleIn: item.boolean("NewInstancesProtectedFromScaleIn"),
            capacityRebalance: item.boolean("CapacityRebalance"), maxInstanceLifetime: item.integer("MaxInstanceLifetime"),
            serviceLinkedRoleARN: item.nonEmptyText("ServiceLinkedRoleARN"),
            tags: item.list("Tags").map { Tag($0.text("Key") ?? "", $0.text("Value") ?? "", propagateAtLaunch: $0.boolean("PropagateAtLaunch") ?? false) })
        let instances = item.list("Instances").map { member in
            Instance(id: member.text("InstanceId") ?? "", lifecycleState: member.text("LifecycleState") ?? "",
                     healthStatus: member.text("HealthStatus") ?? "", availabilityZone: member.nonEmptyText("AvailabilityZone"),
                     instanceType: member.nonEmptyText("InstanceType"), launchTemplate: member.child("LaunchTemplate").map(launchTemplate),
                     protectedFromScaleIn: member.boolean("ProtectedFromScaleIn") ?? false)
        }
        return Group(settings: settings, arn: item.text("AutoScalingGroupARN") ?? "", instances: instances,
                     suspendedProcesses: item.list("SuspendedProcesses").compactMap { $0.text("ProcessName") },
                     status: item.nonEmptyText("Status"), createdTime: item.timestamp("CreatedTime"))
    }

    static func launchTemplate(_ item: XMLTree) -> LaunchTemplate {
        LaunchTemplate(id: item.nonEmptyText("LaunchTemplateId"), name: item.nonEmptyText("LaunchTemplateName"),
                       version: item.nonEmptyText("Version"))
    }

    static func lifecycleHook(_ item: XMLTree) -> LifecycleHook {
        LifecycleHook(name: item.text("LifecycleHookName") ?? "", groupName: item.text("AutoScalingGroupName") ?? "",
                      transition: LifecycleTransition(rawValue: item.text("LifecycleTransition") ?? ""),
                      heartbeatTimeout: item.integer("HeartbeatTimeout"), globalTimeout: item.integer("GlobalTimeout"),
                      defaultResult: item.nonEmptyText("DefaultResult").map(LifecycleActionResult.init(rawValue:)),
                      notificationMetadata: item.nonEmptyText("NotificationMetadata"),
                      notificationTargetARN: item.nonEmptyText("NotificationTargetARN"), roleARN: item.nonEmptyText("RoleARN"))
    }
}
