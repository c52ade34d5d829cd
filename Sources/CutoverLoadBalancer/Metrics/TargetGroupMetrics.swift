/// A target group's traffic so far: what alarms and the benchmark read.
///
/// Counts are cumulative since the group was created; a caller computing rates takes
/// two snapshots and subtracts. Every client request routed to the group counts once,
/// whether a target answered it or the balancer did (502, 503).
public struct TargetGroupMetrics: Sendable, Equatable {
    public var targetGroup: String
    /// Requests answered (by a target or by the balancer); excludes ones the client abandoned.
    public var requests: Int
    /// Responses with status 500–599, the balancer's own 502s and 503s included.
    public var responses5xx: Int
    /// 502s: the upstream connection failed or closed before the response was complete.
    public var badGateway: Int
    /// 503s: no healthy target in the group.
    public var noHealthyTarget: Int
    /// Requests resent to another target after a connection to the first was refused.
    public var retries: Int
    /// Requests whose client went away before the response finished.
    public var clientAborts: Int
    public var inFlight: Int
    /// Time from the request head arriving to the response's end being written.
    public var latency: LatencyHistogram

    public var p50: Duration? { latency.percentile(0.50) }
    public var p90: Duration? { latency.percentile(0.90) }
    public var p99: Duration? { latency.percentile(0.99) }
}
