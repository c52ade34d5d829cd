import Foundation

/// What auto-scaling-groups.json keeps of a group: its definition, its instances (Fleet
/// hosts) and what happened to it lately.
struct AutoScalingGroupRecord: Codable, Sendable {
    /// One of the group's hosts.
    struct Instance: Codable, Sendable, Equatable {
        var host: String
        var port: Int
        var lifecycleState: Control.InstanceLifecycleState
        var launched: Date
        var inService: Date?
    }

    /// How many activities and launch deployments a group remembers.
    static let historyLimit = 50

    var name: String
    var capacity: AutoScalingCapacity
    var launch: Control.LaunchDescription
    var loadBalancers: [String]
    var healthGraceMilliseconds: Int
    var launchHook: Control.LaunchHook?
    /// In launch order: the last ones are the newest.
    var instances: [Instance] = []
    /// Newest first.
    var activities: [Control.ScalingActivity] = []
    /// Newest first.
    var launches: [Control.LaunchDeployment] = []

    /// The instances that count towards the desired capacity.
    var active: [Instance] { instances.filter { $0.lifecycleState != .terminating } }

    func instance(_ host: String) -> Instance? { instances.first { $0.host == host } }

    /// The load balancers a leaving host is drained out of: the group's, and the one
    /// its launch deployment may have registered it with.
    var drainedLoadBalancers: [String] {
        guard let extra = launchHook?.loadBalancer, !loadBalancers.contains(extra) else { return loadBalancers }
        return loadBalancers + [extra]
    }

    mutating func setState(_ host: String, _ state: Control.InstanceLifecycleState, at time: Date = Date()) {
        guard let index = instances.firstIndex(where: { $0.host == host }) else { return }
        instances[index].lifecycleState = state
        if state == .inService { instances[index].inService = time }
    }

    mutating func record(_ description: String, at time: Date = Date()) {
        activities.insert(Control.ScalingActivity(time: time.formatted(.iso8601), description: description), at: 0)
        if activities.count > Self.historyLimit { activities.removeLast(activities.count - Self.historyLimit) }
    }

    /// Adds or replaces a launch deployment (by id).
    mutating func record(_ launch: Control.LaunchDeployment) {
        if let index = launches.firstIndex(where: { $0.deploymentID == launch.deploymentID }) {
            launches[index] = launch
            return
        }
        launches.insert(launch, at: 0)
        if launches.count > Self.historyLimit { launches.removeLast(launches.count - Self.historyLimit) }
    }
}
