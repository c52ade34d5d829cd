/// How a deregistration ended: every in-flight request finished, or the drain timeout
/// passed first (those requests are left to finish or fail on their own).
public enum DrainOutcome: Sendable, Equatable {
    case drained
    case timedOut(inFlight: Int)
}
