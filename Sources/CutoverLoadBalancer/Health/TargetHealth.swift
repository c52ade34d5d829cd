/// A snapshot of one target's standing in its target group, for status displays.
public struct TargetHealth: Sendable, Equatable {
    public var target: Target
    public var state: TargetHealthState
    /// Why the last health check failed, when it did ("connection refused", "status 500").
    public var reason: String?
    /// Requests sent to the target whose responses have not finished.
    public var inFlight: Int

    public init(target: Target, state: TargetHealthState, reason: String? = nil, inFlight: Int = 0) {
        self.target = target
        self.state = state
        self.reason = reason
        self.inFlight = inFlight
    }
}
