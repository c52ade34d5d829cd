import Foundation

/// The daemon's alarms: CloudWatch-style alarms over metrics the daemon measures
/// (load balancer target groups, function versions). (Skeleton: filled in by the alarms work.)
final class LocalAlarms: @unchecked Sendable {
    let paths: LocalPaths
    let loadBalancers: LocalLoadBalancers
    let functions: LocalFunctions

    init(paths: LocalPaths, loadBalancers: LocalLoadBalancers, functions: LocalFunctions) {
        self.paths = paths
        self.loadBalancers = loadBalancers
        self.functions = functions
    }

    /// Answers /v1/alarms…; nil when the path is not this component's.
    func route(_ request: ControlRequest) throws -> ControlResponse? {
        nil
    }

    func shutdown() {}
}
