/// Everything the load balancer reports as a failure, with enough context to act on.
///
/// The daemon shows these to users through its control API, so each description says
/// what went wrong, where (listener port, target group, target) and, when known, what to do.
public enum LoadBalancerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Another socket (ours or another process's) already listens on the port.
    case portInUse(port: Int)
    /// Binding failed for another reason than the port being taken.
    case bindFailed(port: Int, reason: String)
    case listenerExists(port: Int)
    case unknownListener(port: Int)
    case targetGroupExists(name: String)
    case unknownTargetGroup(name: String)
    /// A target group cannot be deleted while a listener forwards to it.
    case targetGroupInUse(name: String, listenerPort: Int)
    case invalidWeights(String)
    case invalidHealthCheck(String)
    case invalidTarget(Target, reason: String)
    case targetNotRegistered(Target, targetGroup: String)
    /// Registering a target that is still draining would mix old and new in-flight counts.
    case targetDraining(Target, targetGroup: String)
    /// The target did not reach the awaited health state in time.
    case healthWaitTimedOut(Target, targetGroup: String, awaited: TargetHealthState, state: TargetHealthState, reason: String?, timeout: Duration)
    /// The target was deregistered while someone waited for its health.
    case targetDeregistered(Target, targetGroup: String)
    case shutDown

    public var description: String {
        switch self {
        case .portInUse(let port):
            return "port \(port) on 127.0.0.1 is already in use; pick another port or 0 for a free one"
        case .bindFailed(let port, let reason):
            return "cannot listen on 127.0.0.1:\(port): \(reason)"
        case .listenerExists(let port):
            return "a listener on port \(port) already exists; modify it or delete it first"
        case .unknownListener(let port):
            return "no listener on port \(port)"
        case .targetGroupExists(let name):
            return "target group \(name) already exists"
        case .unknownTargetGroup(let name):
            return "no target group named \(name)"
        case .targetGroupInUse(let name, let port):
            return "target group \(name) is in use by the listener on port \(port); change or delete the listener first"
        case .invalidWeights(let why):
            return "invalid forward weights: \(why)"
        case .invalidHealthCheck(let why):
            return "invalid health check: \(why)"
        case .invalidTarget(let target, let reason):
            return "invalid target \(target): \(reason)"
        case .targetNotRegistered(let target, let group):
            return "target \(target) is not registered in target group \(group)"
        case .targetDraining(let target, let group):
            return "target \(target) is still draining from target group \(group); wait for its deregistration to finish before registering it again"
        case .healthWaitTimedOut(let target, let group, let awaited, let state, let reason, let timeout):
            let why = reason.map { " (last check: \($0))" } ?? ""
            return "target \(target) in target group \(group) did not become \(awaited) within \(timeout); it is \(state)\(why)"
        case .targetDeregistered(let target, let group):
            return "target \(target) was deregistered from target group \(group) while waiting for its health"
        case .shutDown:
            return "the load balancer is shut down"
        }
    }
}
