import CutoverLoadBalancer

/// Which version each invocation through an alias runs: the alias's version, or its
/// additional version for `additional_weight` percent of invocations.
///
/// Deterministic, not random: smooth weighted round robin (the load balancer's) over
/// the two versions, so after N invocations the additional version has run within one
/// invocation of weight × N times, whatever N. Lambda picks at random; a test or an
/// alarm on a 10 % canary sees exactly 10 % here. A route starts afresh whenever the
/// alias's weights change.
struct AliasRoute {
    let alias: Control.FunctionAlias
    private var picker: SmoothWeightedRoundRobin<String>

    init(_ alias: Control.FunctionAlias) {
        self.alias = alias
        let (primary, additional) = Self.weights(percent: alias.additionalWeight ?? 0)
        if let other = alias.additionalVersion, additional > 0 {
            picker = SmoothWeightedRoundRobin([(alias.version, primary), (other, additional)])
        } else {
            picker = SmoothWeightedRoundRobin([(alias.version, 1)])
        }
    }

    /// The version the next invocation runs.
    mutating func next() -> String { picker.next() }

    /// Integer weights for a percentage with up to four decimals, reduced: 10 → (9, 1),
    /// 12.5 → (7, 1), 33.3333 → (666667, 333333), 0 → (1, 0), 100 → (0, 1).
    static func weights(percent: Double) -> (primary: Int, additional: Int) {
        let scale = 1_000_000 // 100 % in ten-thousandths of a percent
        let additional = Int((min(100, max(0, percent)) * 10_000).rounded())
        let primary = scale - additional
        let divisor = gcd(primary, additional)
        return (primary / divisor, additional / divisor)
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
