import CutoverLoadBalancer

/// What a metric source reports: counters since it began (never reset), so an alarm
/// takes the difference between two samples to get one period's datapoint.
public struct CumulativeMetric: Sendable, Equatable {
    /// Requests or invocations.
    public var count: UInt64
    /// 5xx answers, or invocations that ended in an error.
    public var errors: UInt64
    /// Latency (load balancer) or duration (function), microseconds.
    public var latency: LatencyHistogram

    public init(count: UInt64 = 0, errors: UInt64 = 0, latency: LatencyHistogram = LatencyHistogram()) {
        self.count = count
        self.errors = errors
        self.latency = latency
    }
}
