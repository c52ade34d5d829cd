import Foundation

/// Elastic Load Balancing v2: target groups and their targets (a server deployment's
/// BlockTraffic and AllowTraffic), and listeners and rules whose forward actions weigh
/// two target groups (blue/green and ECS traffic shifting).
///
/// Idempotency, per operation (see `AWSOperation`): the Describe calls are reads.
/// Register/DeregisterTargets and ModifyListener/ModifyRule set a state, so a repeat
/// does nothing more and they are retried like reads. CreateTargetGroup,
/// CreateLoadBalancer and CreateListener are documented idempotent by AWS (the same
/// settings return the existing resource); CreateRule with a taken priority is refused
/// (`PriorityInUse`) and makes no second rule: all retried too.
public struct ELBv2: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) { self.client = client }

    // MARK: - Target groups

    public struct TargetGroup: Sendable, Equatable {
        public var arn: String
        public var name: String
        /// HTTP, HTTPS, TCP… (nil for Lambda target groups).
        public var protocolName: String?
        public var port: Int?
        public var vpcID: String?
        /// `instance`, `ip`, `lambda` or `alb`.
        public var targetType: String
        /// The load balancers that route to it, each once (moto repeats one per
        /// listener or rule that names the group).
        public var loadBalancerARNs: [String]
        public var healthCheckPath: String?
        public var healthCheckPort: String?

        public init(arn: String, name: String, protocolName: String? = nil, port: Int? = nil, vpcID: String? = nil,
                    targetType: String = "instance", loadBalancerARNs: [String] = [], healthCheckPath: String? = nil,
                    healthCheckPort: String? = nil) {
            self.arn = arn
            self.name = name
            self.protocolName = protocolName
            self.port = port
            self.vpcID = vpcID
            self.targetType = targetType
            self.loadBalancerARNs = loadBalancerARNs
            self.healthCheckPath = healthCheckPath
            self.healthCheckPort = healthCheckPort
        }
    }

    /// Target groups by name, by ARN or by load balancer (AWS takes one of the three;
    /// all groups when none is given), across every page. A read. A name or ARN with
    /// no group is an error, `TargetGroupNotFound`. `pageSize` is PageSize (1 to 400).
    public func describeTargetGroups(names: [String] = [], arns: [String] = [], loadBalancerARN: String? = nil,
                                     pageSize: Int? = nil) throws -> [TargetGroup] {
        let operation = AWSOperation(.elbv2, "DescribeTargetGroups")
        var groups: [TargetGroup] = []
        try client.paginate(operation) { marker in
            var parameters: [(String, QueryValue)] = []
            if !names.isEmpty { parameters.append(("Names", .list(names.map(QueryValue.string)))) }
            if !arns.isEmpty { parameters.append(("TargetGroupArns", .list(arns.map(QueryValue.string)))) }
            if let loadBalancerARN { parameters.append(("LoadBalancerArn", .string(loadBalancerARN))) }
            if let pageSize { parameters.append(("PageSize", .int(pageSize))) }
            if let marker { parameters.append(("Marker", .string(marker))) }
            let page = try client.query(operation, parameters)
            groups += page.list("TargetGroups").map(Self.targetGroup)
            return page.nonEmptyText("NextMarker")
        }
        return groups
    }

    /// Creates a target group (tests and examples make their own). AWS returns the
    /// existing group for a repeat with the same settings: retried.
    public func createTargetGroup(name: String, protocolName: String = "HTTP", port: Int = 80, vpcID: String,
                                  targetType: String = "instance", healthCheckPath: String? = nil) throws -> TargetGroup {
        var parameters: [(String, QueryValue)] = [
            ("Name", .string(name)), ("Protocol", .string(protocolName)), ("Port", .int(port)), ("VpcId", .string(vpcID)),
            ("TargetType", .string(targetType)),
        ]
        if let healthCheckPath { parameters.append(("HealthCheckPath", .string(healthCheckPath))) }
        let result = try client.query(AWSOperation(.elbv2, "CreateTargetGroup", idempotent: true), parameters)
        return try Self.one(result.list("TargetGroups").map(Self.targetGroup), AWSOperation(.elbv2, "CreateTargetGroup"))
    }

    // MARK: - Targets

    /// An instance id (or an IP address, or a Lambda ARN), with the port it serves on
    /// when it is not the target group's.
    public struct Target: Sendable, Hashable {
        public var id: String
        public var port: Int?
        public var availabilityZone: String?

        public init(_ id: String, port: Int? = nil, availabilityZone: String? = nil) {
            self.id = id
            self.port = port
            self.availabilityZone = availabilityZone
        }
    }

    /// Registers targets: traffic reaches them once they pass the health checks.
    /// Registering a registered target changes nothing: retried.
    public func registerTargets(_ targets: [Target], in targetGroupARN: String) throws {
        guard !targets.isEmpty else { return }
        _ = try client.query(AWSOperation(.elbv2, "RegisterTargets", idempotent: true),
                             ["TargetGroupArn": .string(targetGroupARN), "Targets": Self.targetList(targets)])
    }

    /// Deregisters targets: they drain (the group's deregistration delay) and leave.
    /// Retried: deregistering an absent target changes nothing.
    public func deregisterTargets(_ targets: [Target], from targetGroupARN: String) throws {
        guard !targets.isEmpty else { return }
        _ = try client.query(AWSOperation(.elbv2, "DeregisterTargets", idempotent: true),
                             ["TargetGroupArn": .string(targetGroupARN), "Targets": Self.targetList(targets)])
    }

    /// A target's health as the load balancer sees it.
    public struct TargetHealth: Sendable, Equatable {
        public var target: Target
        /// `initial`, `healthy`, `unhealthy`, `unused`, `draining`, `unavailable`.
        public var state: String
        /// Why, when it is not healthy (`Target.ResponseCodeMismatch`, `Target.NotRegistered`…).
        public var reason: String?
        public var description: String?

        public init(target: Target, state: String, reason: String? = nil, description: String? = nil) {
            self.target = target
            self.state = state
            self.reason = reason
            self.description = description
        }

        public var isHealthy: Bool { state == "healthy" }
    }

    /// The health of `targets` in a target group (of every registered target when
    /// empty). A read; not paginated by AWS.
    public func describeTargetHealth(of targetGroupARN: String, targets: [Target] = []) throws -> [TargetHealth] {
        var parameters: [(String, QueryValue)] = [("TargetGroupArn", .string(targetGroupARN))]
        if !targets.isEmpty { parameters.append(("Targets", Self.targetList(targets))) }
        return try client.query(AWSOperation(.elbv2, "DescribeTargetHealth"), parameters)
            .list("TargetHealthDescriptions").map(Self.targetHealth)
    }

    // MARK: - Actions

    /// A target group in a forward action, with its share of the traffic (0 to 999,
    /// relative to the others).
    public struct WeightedTargetGroup: Sendable, Equatable {
        public var arn: String
        public var weight: Int?

        public init(_ arn: String, weight: Int? = nil) {
            self.arn = arn
            self.weight = weight
        }
    }

    /// Whether a client keeps going to the same target group (a weighted forward's
    /// group-level stickiness), and for how long.
    public struct Stickiness: Sendable, Equatable {
        public var enabled: Bool
        public var durationSeconds: Int?

        public init(enabled: Bool, durationSeconds: Int? = nil) {
            self.enabled = enabled
            self.durationSeconds = durationSeconds
        }
    }

    /// An action of a listener or rule. Forward actions are modelled (their target
    /// groups, weights and stickiness); any other (redirect, fixed-response,
    /// authenticate-oidc…) keeps its settings as read and is sent back unchanged.
    public struct Action: Sendable, Equatable {
        /// `forward`, `redirect`, `fixed-response`, `authenticate-oidc`, `authenticate-cognito`.
        public var type: String
        public var order: Int?
        /// A forward action's target groups.
        public var targetGroups: [WeightedTargetGroup]
        public var stickiness: Stickiness?
        /// Everything else of a non-forward action, as read.
        public var settings: QueryValue?

        public init(type: String, order: Int? = nil, targetGroups: [WeightedTargetGroup] = [], stickiness: Stickiness? = nil,
                    settings: QueryValue? = nil) {
            self.type = type
            self.order = order
            self.targetGroups = targetGroups
            self.stickiness = stickiness
            self.settings = settings
        }

        /// Forwards everything to one target group.
        public static func forward(to arn: String) -> Action {
            Action(type: "forward", targetGroups: [WeightedTargetGroup(arn)])
        }

        /// Forwards to target groups by weight: `.forward([(blue, 90), (green, 10)])`.
        public static func forward(_ weights: [(arn: String, weight: Int)], stickiness: Stickiness? = nil) -> Action {
            Action(type: "forward", targetGroups: weights.map { WeightedTargetGroup($0.arn, weight: $0.weight) }, stickiness: stickiness)
        }

        public var isForward: Bool { type == "forward" }

        /// The weight of each target group; a group without one weighs 1, as AWS counts it.
        public var weights: [String: Int] {
            Dictionary(targetGroups.map { ($0.arn, $0.weight ?? 1) }, uniquingKeysWith: +)
        }
    }

    // MARK: - Load balancers and listeners

    public struct LoadBalancer: Sendable, Equatable {
        public var arn: String
        public var name: String
        public var dnsName: String?
        /// `provisioning`, `active`, `active_impaired`, `failed`.
        public var state: String?
        /// `application`, `network`, `gateway`.
        public var type: String?
        public var vpcID: String?

        public init(arn: String, name: String, dnsName: String? = nil, state: String? = nil, type: String? = nil, vpcID: String? = nil) {
            self.arn = arn
            self.name = name
            self.dnsName = dnsName
            self.state = state
            self.type = type
            self.vpcID = vpcID
        }
    }

    /// Creates a load balancer (tests and examples). AWS returns the existing one for a
    /// repeat with the same settings: retried.
    public func createLoadBalancer(name: String, subnets: [String], securityGroups: [String] = [], type: String = "application",
                                   scheme: String = "internet-facing") throws -> LoadBalancer {
        var parameters: [(String, QueryValue)] = [
            ("Name", .string(name)), ("Subnets", .list(subnets.map(QueryValue.string))), ("Type", .string(type)),
            ("Scheme", .string(scheme)),
        ]
        if !securityGroups.isEmpty { parameters.append(("SecurityGroups", .list(securityGroups.map(QueryValue.string)))) }
        let operation = AWSOperation(.elbv2, "CreateLoadBalancer", idempotent: true)
        let result = try client.query(operation, parameters)
        return try Self.one(result.list("LoadBalancers").map(Self.loadBalancer), operation)
    }

    public struct Listener: Sendable, Equatable {
        public var arn: String
        public var loadBalancerARN: String
        public var port: Int?
        public var protocolName: String?
        public var defaultActions: [Action]

        public init(arn: String, loadBalancerARN: String, port: Int? = nil, protocolName: String? = nil, defaultActions: [Action] = []) {
            self.arn = arn
            self.loadBalancerARN = loadBalancerARN
            self.port = port
            self.protocolName = protocolName
            self.defaultActions = defaultActions
        }

        /// The default forward action, when there is one.
        public var forwardAction: Action? { defaultActions.first(where: \.isForward) }
    }

    /// Creates a listener (tests and examples). AWS returns the existing one for a
    /// repeat with the same settings: retried.
    public func createListener(loadBalancerARN: String, protocolName: String = "HTTP", port: Int,
                               defaultActions: [Action]) throws -> Listener {
        let operation = AWSOperation(.elbv2, "CreateListener", idempotent: true)
        let result = try client.query(operation, [
            ("LoadBalancerArn", .string(loadBalancerARN)), ("Protocol", .string(protocolName)), ("Port", .int(port)),
            ("DefaultActions", Self.actionList(defaultActions)),
        ])
        return try Self.one(result.list("Listeners").map(Self.listener), operation)
    }

    /// The listeners of a load balancer, or those named by ARN, across every page. A read.
    public func describeListeners(loadBalancerARN: String? = nil, arns: [String] = [], pageSize: Int? = nil) throws -> [Listener] {
        let operation = AWSOperation(.elbv2, "DescribeListeners")
        var listeners: [Listener] = []
        try client.paginate(operation) { marker in
            var parameters: [(String, QueryValue)] = []
            if let loadBalancerARN { parameters.append(("LoadBalancerArn", .string(loadBalancerARN))) }
            if !arns.isEmpty { parameters.append(("ListenerArns", .list(arns.map(QueryValue.string)))) }
            if let pageSize { parameters.append(("PageSize", .int(pageSize))) }
            if let marker { parameters.append(("Marker", .string(marker))) }
            let page = try client.query(operation, parameters)
            listeners += page.list("Listeners").map(Self.listener)
            return page.nonEmptyText("NextMarker")
        }
        return listeners
    }

    /// Replaces a listener's default actions; returns the listener as modified. Sets a
    /// state: retried.
    @discardableResult
    public func modifyListener(_ arn: String, defaultActions: [Action]) throws -> Listener {
        let operation = AWSOperation(.elbv2, "ModifyListener", idempotent: true)
        let result = try client.query(operation, [("ListenerArn", .string(arn)), ("DefaultActions", Self.actionList(defaultActions))])
        return try Self.one(result.list("Listeners").map(Self.listener), operation)
    }

    /// Sets the weights of a listener's default forward action, keeping its other
    /// actions and its stickiness: DescribeListeners, then ModifyListener. Returns the
    /// listener as modified.
    @discardableResult
    public func setForwardWeights(listener arn: String, _ weights: [(arn: String, weight: Int)]) throws -> Listener {
        let operation = AWSOperation(.elbv2, "DescribeListeners")
        let current = try Self.one(describeListeners(arns: [arn]), operation)
        return try modifyListener(arn, defaultActions: Self.reweighted(current.defaultActions, weights))
    }

    // MARK: - Rules

    /// A rule condition: the field (`path-pattern`, `host-header`,
    /// `http-request-method`, `source-ip`…) and the values it matches.
    public struct Condition: Sendable, Equatable {
        public var field: String
        public var values: [String]

        public init(_ field: String, _ values: [String]) {
            self.field = field
            self.values = values
        }
    }

    public struct Rule: Sendable, Equatable {
        public var arn: String
        /// A number, or `default` for the listener's default rule.
        public var priority: String
        public var isDefault: Bool
        public var conditions: [Condition]
        public var actions: [Action]

        public init(arn: String, priority: String, isDefault: Bool = false, conditions: [Condition] = [], actions: [Action] = []) {
            self.arn = arn
            self.priority = priority
            self.isDefault = isDefault
            self.conditions = conditions
            self.actions = actions
        }

        /// The forward action, when there is one.
        public var forwardAction: Action? { actions.first(where: \.isForward) }
    }

    /// Creates a rule (tests and examples). A repeat is refused with `PriorityInUse`
    /// and makes no second rule: retried (so a `PriorityInUse` after more than one
    /// attempt may be this call's own rule).
    public func createRule(listenerARN: String, priority: Int, conditions: [Condition], actions: [Action]) throws -> Rule {
        let operation = AWSOperation(.elbv2, "CreateRule", idempotent: true)
        let result = try client.query(operation, [
            ("ListenerArn", .string(listenerARN)), ("Priority", .int(priority)),
            ("Conditions", Self.conditionList(conditions)), ("Actions", Self.actionList(actions)),
        ])
        return try Self.one(result.list("Rules").map(Self.rule), operation)
    }

    /// The rules of a listener (its default rule included), or those named by ARN,
    /// across every page. A read.
    public func describeRules(listenerARN: String? = nil, arns: [String] = [], pageSize: Int? = nil) throws -> [Rule] {
        let operation = AWSOperation(.elbv2, "DescribeRules")
        var rules: [Rule] = []
        try client.paginate(operation) { marker in
            var parameters: [(String, QueryValue)] = []
            if let listenerARN { parameters.append(("ListenerArn", .string(listenerARN))) }
            if !arns.isEmpty { parameters.append(("RuleArns", .list(arns.map(QueryValue.string)))) }
            if let pageSize { parameters.append(("PageSize", .int(pageSize))) }
            if let marker { parameters.append(("Marker", .string(marker))) }
            let page = try client.query(operation, parameters)
            rules += page.list("Rules").map(Self.rule)
            return page.nonEmptyText("NextMarker")
        }
        return rules
    }

    /// Replaces a rule's actions (and its conditions, when given); returns the rule as
    /// modified. Sets a state: retried.
    @discardableResult
    public func modifyRule(_ arn: String, actions: [Action], conditions: [Condition]? = nil) throws -> Rule {
        let operation = AWSOperation(.elbv2, "ModifyRule", idempotent: true)
        var parameters: [(String, QueryValue)] = [("RuleArn", .string(arn)), ("Actions", Self.actionList(actions))]
        if let conditions { parameters.append(("Conditions", Self.conditionList(conditions))) }
        return try Self.one(client.query(operation, parameters).list("Rules").map(Self.rule), operation)
    }

    /// Sets the weights of a rule's forward action, keeping its other actions, its
    /// stickiness and its conditions: DescribeRules, then ModifyRule.
    @discardableResult
    public func setForwardWeights(rule arn: String, _ weights: [(arn: String, weight: Int)]) throws -> Rule {
        let current = try Self.one(describeRules(arns: [arn]), AWSOperation(.elbv2, "DescribeRules"))
        return try modifyRule(arn, actions: Self.reweighted(current.actions, weights))
    }

    // MARK: - Requests

    static func targetList(_ targets: [Target]) -> QueryValue {
        .list(targets.map { target in
            var members: [(String, QueryValue)] = [("Id", .string(target.id))]
            if let port = target.port { members.append(("Port", .int(port))) }
            if let zone = target.availabilityZone { members.append(("AvailabilityZone", .string(zone))) }
            return .structure(members)
        })
    }

    static func actionList(_ actions: [Action]) -> QueryValue {
        .list(actions.map(actionValue))
    }

    /// One action as a request parameter. A forward to one group without a weight or
    /// stickiness is sent in the short form (`TargetGroupArn`); any other forward as a
    /// `ForwardConfig` with each group's weight.
    static func actionValue(_ action: Action) -> QueryValue {
        var members: [(String, QueryValue)] = [("Type", .string(action.type))]
        if let order = action.order { members.append(("Order", .int(order))) }
        if action.isForward {
            if action.targetGroups.count == 1, action.targetGroups[0].weight == nil, action.stickiness == nil {
                members.append(("TargetGroupArn", .string(action.targetGroups[0].arn)))
            } else {
                var forward: [(String, QueryValue)] = [("TargetGroups", .list(action.targetGroups.map { group in
                    var entry: [(String, QueryValue)] = [("TargetGroupArn", .string(group.arn))]
                    if let weight = group.weight { entry.append(("Weight", .int(weight))) }
                    return .structure(entry)
                }))]
                if let stickiness = action.stickiness {
                    var config: [(String, QueryValue)] = [("Enabled", .bool(stickiness.enabled))]
                    if let duration = stickiness.durationSeconds { config.append(("DurationSeconds", .int(duration))) }
                    forward.append(("TargetGroupStickinessConfig", .structure(config)))
                }
                members.append(("ForwardConfig", .structure(forward)))
            }
        } else if case .structure(let settings)? = action.settings {
            members += settings.filter { $0.0 != "Type" && $0.0 != "Order" }
        }
        return .structure(members)
    }

    static func conditionList(_ conditions: [Condition]) -> QueryValue {
        .list(conditions.map { ["Field": .string($0.field), "Values": .list($0.values.map(QueryValue.string))] })
    }

    /// `actions` with the forward action's groups replaced by `weights` (its
    /// stickiness and the other actions kept); a forward is added when there is none.
    static func reweighted(_ actions: [Action], _ weights: [(arn: String, weight: Int)]) -> [Action] {
        let groups = weights.map { WeightedTargetGroup($0.arn, weight: $0.weight) }
        guard let index = actions.firstIndex(where: \.isForward) else {
            return actions + [Action(type: "forward", order: actions.isEmpty ? nil : (actions.compactMap(\.order).max() ?? 0) + 1,
                                     targetGroups: groups)]
        }
        var actions = actions
        actions[index].targetGroups = groups
        return actions
    }

    // MARK: - Reading answers

    /// The single resource a create or modify answers with.
    static func one<T>(_ items: [T], _ operation: AWSOperation) throws -> T {
        guard let first = items.first else {
            throw AWSError(kind: .malformedResponse, service: operation.service.name, operation: operation.name,
                           message: "the answer names no resource")
        }
        return first
    }

    static func targetGroup(_ item: XMLTree) -> TargetGroup {
        var balancers: [String] = []
        for arn in item.strings("LoadBalancerArns") where !balancers.contains(arn) { balancers.append(arn) }
        return TargetGroup(arn: item.text("TargetGroupArn") ?? "", name: item.text("TargetGroupName") ?? "",
                           protocolName: item.nonEmptyText("Protocol"), port: item.integer("Port"), vpcID: item.nonEmptyText("VpcId"),
                           targetType: item.nonEmptyText("TargetType") ?? "instance", loadBalancerARNs: balancers,
                           healthCheckPath: item.nonEmptyText("HealthCheckPath"), healthCheckPort: item.nonEmptyText("HealthCheckPort"))
    }

    static func targetHealth(_ item: XMLTree) -> TargetHealth {
        let target = item.child("Target") ?? XMLTree(name: "Target")
        return TargetHealth(target: Target(target.text("Id") ?? "", port: target.integer("Port"),
                                           availabilityZone: target.nonEmptyText("AvailabilityZone")),
                            state: item.text("TargetHealth", "State") ?? "", reason: item.nonEmptyText("TargetHealth", "Reason"),
                            description: item.nonEmptyText("TargetHealth", "Description"))
    }

    static func action(_ item: XMLTree) -> Action {
        let type = item.text("Type") ?? ""
        guard type == "forward" else {
            return Action(type: type, order: item.integer("Order"), settings: item.queryValue)
        }
        var groups: [WeightedTargetGroup] = []
        var stickiness: Stickiness?
        if let forward = item.child("ForwardConfig") {
            groups = forward.list("TargetGroups").map { WeightedTargetGroup($0.text("TargetGroupArn") ?? "", weight: $0.integer("Weight")) }
            if let config = forward.child("TargetGroupStickinessConfig"), let enabled = config.boolean("Enabled") {
                stickiness = Stickiness(enabled: enabled, durationSeconds: config.integer("DurationSeconds"))
            }
        }
        if groups.isEmpty, let arn = item.nonEmptyText("TargetGroupArn") { groups = [WeightedTargetGroup(arn)] }
        return Action(type: type, order: item.integer("Order"), targetGroups: groups, stickiness: stickiness)
    }

    static func loadBalancer(_ item: XMLTree) -> LoadBalancer {
        LoadBalancer(arn: item.text("LoadBalancerArn") ?? "", name: item.text("LoadBalancerName") ?? "",
                     dnsName: item.nonEmptyText("DNSName"), state: item.nonEmptyText("State", "Code"),
                     type: item.nonEmptyText("Type"), vpcID: item.nonEmptyText("VpcId"))
    }

    static func listener(_ item: XMLTree) -> Listener {
        Listener(arn: item.text("ListenerArn") ?? "", loadBalancerARN: item.text("LoadBalancerArn") ?? "",
                 port: item.integer("Port"), protocolName: item.nonEmptyText("Protocol"),
                 defaultActions: item.list("DefaultActions").map(action))
    }

    static func rule(_ item: XMLTree) -> Rule {
        let conditions = item.list("Conditions").map { condition -> Condition in
            let field = condition.text("Field") ?? ""
            // Values directly (the short form), or in the field's own configuration
            // (PathPatternConfig, HostHeaderConfig, HttpRequestMethodConfig, SourceIpConfig).
            var values = condition.strings("Values")
            if values.isEmpty, let config = condition.children.first(where: { $0.name.hasSuffix("Config") }) {
                values = config.strings("Values")
            }
            return Condition(field, values)
        }
        return Rule(arn: item.text("RuleArn") ?? "", priority: item.text("Priority") ?? "",
                    isDefault: item.boolean("IsDefault") ?? false, conditions: conditions,
                    actions: item.list("Actions").map(action))
    }
}
