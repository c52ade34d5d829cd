/// Where a registered target stands, with ELB's names for the states.
public enum TargetHealthState: String, Sendable, Equatable, CustomStringConvertible {
    /// Registered and not yet through `healthyThreshold` successful checks; gets no traffic.
    case initial
    case healthy
    case unhealthy
    /// Being deregistered: gets no new requests while its in-flight requests finish.
    case draining

    public var description: String { rawValue }
}
