/// How a target group decides whether its targets may receive traffic, as an ELB
/// target group's health check settings do.
///
/// The balancer itself sends `GET path` to each registered target every `interval`;
/// a response with a status in `successCodes` within `timeout` is a success. A target
/// becomes healthy after `healthyThreshold` consecutive successes and unhealthy after
/// `unhealthyThreshold` consecutive failures, so one slow answer does not flap it.
public struct HealthCheck: Sendable, Equatable {
    public var path: String
    public var interval: Duration
    public var timeout: Duration
    public var healthyThreshold: Int
    public var unhealthyThreshold: Int
    /// Statuses counted as healthy; ELB's default matcher is 200 only, CodeDeploy
    /// setups commonly widen it, and the local cloud uses 200–399.
    public var successCodes: ClosedRange<Int>

    public init(
        path: String = "/",
        interval: Duration = .seconds(5),
        timeout: Duration = .seconds(2),
        healthyThreshold: Int = 2,
        unhealthyThreshold: Int = 2,
        successCodes: ClosedRange<Int> = 200...399
    ) {
        self.path = path
        self.interval = interval
        self.timeout = timeout
        self.healthyThreshold = healthyThreshold
        self.unhealthyThreshold = unhealthyThreshold
        self.successCodes = successCodes
    }

    /// Rejects settings that would make checks meaningless (a path that is not a path,
    /// a non-positive interval or threshold), naming the bad setting.
    func validate() throws(LoadBalancerError) {
        guard path.hasPrefix("/") else { throw .invalidHealthCheck("path must start with /, got \(path)") }
        guard interval > .zero else { throw .invalidHealthCheck("interval must be positive, got \(interval)") }
        guard timeout > .zero else { throw .invalidHealthCheck("timeout must be positive, got \(timeout)") }
        guard healthyThreshold >= 1 else { throw .invalidHealthCheck("healthy threshold must be at least 1, got \(healthyThreshold)") }
        guard unhealthyThreshold >= 1 else { throw .invalidHealthCheck("unhealthy threshold must be at least 1, got \(unhealthyThreshold)") }
    }
}
