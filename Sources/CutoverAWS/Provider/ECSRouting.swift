import CutoverCore
import Foundation

/// How an ECS service's blue/green moves on AWS (what a CodeDeploy deployment group
/// knows of it): the cluster, the production listener and optional test listener, the
/// two target groups the task sets take turns in, the container that receives traffic,
/// and how replacement task sets are launched.
public struct ECSRouting: Sendable, Codable, Equatable {
    public var cluster: String
    public var service: String
    public var listener: String
    public var testListener: String?
    /// Two target group ARNs: the replacement task set goes to the one that has no
    /// production traffic.
    public var targetGroups: [String]
    public var container: String
    public var port: Int
    public var launchType: String?
    public var subnets: [String]
    public var securityGroups: [String]
    /// How long Install waits for the replacement task set to be steady.
    public var stableTimeoutSeconds: Int

    public init(cluster: String, service: String, listener: String, testListener: String? = nil, targetGroups: [String],
                container: String, port: Int, launchType: String? = nil, subnets: [String] = [], securityGroups: [String] = [],
                stableTimeoutSeconds: Int = 600) {
        self.cluster = cluster
        self.service = service
        self.listener = listener
        self.testListener = testListener
        self.targetGroups = targetGroups
        self.container = container
        self.port = port
        self.launchType = launchType
        self.subnets = subnets
        self.securityGroups = securityGroups
        self.stableTimeoutSeconds = stableTimeoutSeconds
    }

    /// `arn:…:task-definition/web:2` → `web:2`: how versions are compared and shown.
    public static func taskDefinitionName(_ arn: String) -> String {
        arn.split(separator: "/").last.map(String.init) ?? arn
    }
}

/// ECS blue/green for the AWS executor: a replacement task set in the target group
/// without production traffic, the test listener pointed at it, the production
/// listener's weights moved, then the replacement made primary and the original deleted
/// — or, on the way back, the weights restored and the replacement deleted.
final class ECSMover: @unchecked Sendable {
    let ecs: ECS
    let elb: ELBv2
    let routing: ECSRouting
    /// Polls until a task set is steady (tests make it instant).
    let sleep: @Sendable (Duration) -> Void
    private let lock = NSLock()
    private var groups: (original: String, replacement: String)?

    init(client: AWSClient, routing: ECSRouting, sleep: @escaping @Sendable (Duration) -> Void) {
        ecs = ECS(client)
        elb = ELBv2(client)
        self.routing = routing
        self.sleep = sleep
    }

    /// Which target group serves production now, and so which one the replacement uses:
    /// the primary task set's (it stays primary until the deployment ends, so a resumed
    /// deployment finds the same one after a partial shift), else the one the production
    /// listener weighs most.
    func targetGroups() throws -> (original: String, replacement: String) {
        if let known = lock.withLock({ groups }) { return known }
        guard routing.targetGroups.count == 2 else {
            throw ECSDeploymentProblem("an ECS service needs two target groups for blue/green, got \(routing.targetGroups.count)")
        }
        let original: String
        if let primary = try primary()?.loadBalancers.first?.targetGroupARN, routing.targetGroups.contains(primary) {
            original = primary
        } else {
            let listener = try elb.describeListeners(arns: [routing.listener]).first
            let weights = listener?.forwardAction?.weights ?? [:]
            original = routing.targetGroups.max { (weights[$0] ?? 0) < (weights[$1] ?? 0) } ?? routing.targetGroups[0]
        }
        let replacement = routing.targetGroups.first { $0 != original } ?? routing.targetGroups[1]
        lock.withLock { groups = (original, replacement) }
        return (original, replacement)
    }

    /// The task set this deployment made (tagged with its id as the external id).
    func replacement(_ spec: DeploymentSpec) throws -> ECS.TaskSet? {
        try ecs.describeTaskSets(cluster: routing.cluster, service: routing.service).first { $0.externalID == spec.id }
    }

    func primary() throws -> ECS.TaskSet? {
        try ecs.describeTaskSets(cluster: routing.cluster, service: routing.service).first(where: \.isPrimary)
    }

    /// The version deployed already serves alone (a rollback after the restore).
    func targetIsPrimary(_ traffic: TrafficTarget) throws -> Bool {
        guard let primary = try primary() else { return false }
        return ECSRouting.taskDefinitionName(primary.taskDefinition) == ECSRouting.taskDefinitionName(traffic.targetVersion)
    }

    func install(_ spec: DeploymentSpec, _ traffic: TrafficTarget) throws -> String {
        if try targetIsPrimary(traffic) { return "\(traffic.targetVersion) is already primary: nothing to replace" }
        let (_, group) = try targetGroups()
        let network = routing.subnets.isEmpty ? nil
            : ECS.NetworkConfiguration(subnets: routing.subnets, securityGroups: routing.securityGroups)
        // One made already (a resumed deployment asks again) is the replacement; the
        // client token says the same to ECS, but moto does not honour it.
        let set = try replacement(spec) ?? ecs.createTaskSet(cluster: routing.cluster, service: routing.service, taskDefinition: traffic.targetVersion,
                                        clientToken: ECS.clientToken("\(spec.id)/replacement"), externalID: spec.id,
                                        loadBalancers: [ECS.LoadBalancer(targetGroupARN: group, containerName: routing.container,
                                                                         containerPort: routing.port)],
                                        scalePercent: 100, launchType: routing.launchType, network: network)
        let deadline = ContinuousClock.now + .seconds(routing.stableTimeoutSeconds)
        while true {
            let now = try ecs.describeTaskSets(cluster: routing.cluster, service: routing.service, taskSets: [set.arn]).first
            if now?.stabilityStatus == "STEADY_STATE" { break }
            guard ContinuousClock.now < deadline else {
                throw ECSDeploymentProblem("replacement task set \(set.id) was not steady after \(routing.stableTimeoutSeconds) s")
            }
            sleep(.seconds(5))
        }
        return "replacement task set \(set.id) (\(ECSRouting.taskDefinitionName(traffic.targetVersion))) is steady"
    }

    func allowTestTraffic(_ traffic: TrafficTarget) throws -> String {
        guard let test = routing.testListener else { return "no test listener" }
        if try targetIsPrimary(traffic) { return "\(traffic.targetVersion) is primary: the test listener already routes to it" }
        let (_, replacement) = try targetGroups()
        _ = try elb.setForwardWeights(listener: test, [(arn: replacement, weight: 1)])
        return "test listener routes to the replacement"
    }

    func shift(_ weight: Int, _ traffic: TrafficTarget) throws {
        if try targetIsPrimary(traffic) { return }
        let (original, replacement) = try targetGroups()
        _ = try elb.setForwardWeights(listener: routing.listener, [(arn: original, weight: 100 - weight), (arn: replacement, weight: weight)])
    }

    /// The replacement becomes primary; the original task set goes.
    func terminateOriginal(_ spec: DeploymentSpec) throws {
        guard let replacement = try replacement(spec) else { return }   // already done (a retry)
        let original = try primary()
        _ = try ecs.updateServicePrimaryTaskSet(cluster: routing.cluster, service: routing.service, taskSet: replacement.arn)
        if let original, original.arn != replacement.arn {
            try ecs.deleteTaskSet(cluster: routing.cluster, service: routing.service, taskSet: original.arn, force: true)
        }
    }

    func restore(_ spec: DeploymentSpec, _ traffic: TrafficTarget) throws -> String {
        var undone = ["production traffic on \(ECSRouting.taskDefinitionName(traffic.currentVersion))"]
        let (original, replacement) = try targetGroups()
        _ = try elb.setForwardWeights(listener: routing.listener, [(arn: original, weight: 100), (arn: replacement, weight: 0)])
        if let test = routing.testListener { _ = try elb.setForwardWeights(listener: test, [(arn: original, weight: 1)]) }
        if let set = try self.replacement(spec), !set.isPrimary {
            try ecs.deleteTaskSet(cluster: routing.cluster, service: routing.service, taskSet: set.arn, force: true)
            undone.append("replacement task set \(set.id) removed")
        }
        return undone.joined(separator: "; ")
    }
}

/// Why an ECS step could not be taken, when AWS itself did not refuse it.
struct ECSDeploymentProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
