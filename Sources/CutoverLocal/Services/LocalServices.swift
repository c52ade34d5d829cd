import Foundation

/// The daemon's services: task definitions, task sets of real processes kept at their
/// desired count, production and test listeners. (Skeleton: filled in by the services work.)
final class LocalServices: @unchecked Sendable {
    let paths: LocalPaths
    let loadBalancers: LocalLoadBalancers

    init(paths: LocalPaths, loadBalancers: LocalLoadBalancers) {
        self.paths = paths
        self.loadBalancers = loadBalancers
    }

    /// Answers /v1/task-definitions… and /v1/services…; nil when the path is not this component's.
    func route(_ request: ControlRequest) throws -> ControlResponse? {
        nil
    }

    /// Stops every task process (daemon shutdown); returns how many.
    func shutdown() -> Int { 0 }
}
