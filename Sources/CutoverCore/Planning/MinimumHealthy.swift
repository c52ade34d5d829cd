/// The minimum-healthy-hosts arithmetic of reference §7, as small pure functions.
///
/// N is the number of instances in the deployment, M the minimum that must stay healthy.
public enum MinimumHealthy {
    /// M for a fleet of `n`.
    ///
    /// - HOST_COUNT v: M = v.
    /// - FLEET_PERCENT p: M = ⌈n·p/100⌉, computed once, at the start.
    /// - OneAtATime: M = n − 1 (all but one stay healthy).
    ///
    /// Examples (reference §7.2): HalfAtATime (50 %) with n = 9 → 5; FLEET_PERCENT 40
    /// with n = 9 → 4; FLEET_PERCENT 95 with n = 10 → 10; HOST_COUNT 6 → 6.
    public static func floor(for n: Int, _ rule: MinimumHealthyHosts) -> Int {
        switch rule {
        case .hostCount(let v): v
        case .fleetPercent(let p): (n * p + 99) / 100
        case .oneAtATime: max(0, n - 1)
        }
    }

    /// How many instances one batch may hold: N − M, at least 1.
    ///
    /// Examples: n = 9, M = 5 (HalfAtATime) → 4 at a time; n = 9, M = 6 → 3; n = 9, M = 4
    /// → 5; n = 10, M = 9 → 1; n = 10, M = 8 → 2; M = 0 → all n at once.
    public static func batchSize(for n: Int, minimum m: Int) -> Int {
        max(1, n - m)
    }

    /// Whether a deployment may start: more instances must be healthy than M
    /// (otherwise HEALTH_CONSTRAINTS_INVALID). OneAtATime is exempt: it deploys one
    /// instance at a time whatever the health (reference §7.2, special cases).
    ///
    /// Examples: n = 10 all healthy, FLEET_PERCENT 95 → M = 10 → cannot start;
    /// n = 9 with 4 unhealthy, HalfAtATime → 5 healthy ≤ M = 5 → cannot start.
    public static func canStart(healthy: Int, total n: Int, _ rule: MinimumHealthyHosts) -> Bool {
        if n == 0 { return false }
        if case .oneAtATime = rule { return true }
        return healthy > floor(for: n, rule)
    }

    /// The success rule of reference §7.3: at least M instances succeeded, and at least one.
    ///
    /// Examples: AllAtOnce (M = 0) with 1 of 10 succeeded → success; HalfAtATime with
    /// n = 9 and 5 succeeded → success, 4 → failure.
    public static func succeeded(_ successes: Int, minimum m: Int) -> Bool {
        successes >= max(1, m)
    }
}
