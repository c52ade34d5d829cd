/// How the samples of one period become a datapoint, for metrics that have a
/// distribution (latency, duration). Counts are always sums and rates ratios of sums.
public enum AlarmStatistic: Sendable, Hashable, CustomStringConvertible {
    /// The mean of the period's samples: CloudWatch's `Average`.
    case average
    /// A percentile, 0 < p ≤ 100: `p99` is `.percentile(99)`.
    case percentile(Double)

    /// Reads `Average` (or `avg`, any case) or `pNN` / `pNN.N` (`p50`, `p99`, `p99.9`).
    public init(parsing text: String) throws(CoreError) {
        let lower = text.lowercased()
        if lower == "average" || lower == "avg" {
            self = .average
            return
        }
        guard lower.hasPrefix("p"), let p = Double(lower.dropFirst()), p.isFinite else {
            throw .invalid("statistic \"\(text)\" is not Average or a percentile such as p50, p99, p99.9")
        }
        let statistic = AlarmStatistic.percentile(p)
        try statistic.validate()
        self = statistic
    }

    public func validate() throws(CoreError) {
        if case .percentile(let p) = self, !(p > 0 && p <= 100) {
            throw .invalid("statistic p\(AlarmEvaluator.format(p)): a percentile must be above 0 and at most 100")
        }
    }

    /// `Average`, `p99`, `p99.9`: CloudWatch's spelling.
    public var description: String {
        switch self {
        case .average: "Average"
        case .percentile(let p): p == p.rounded() && p < 1e15 ? "p\(Int(p))" : "p\(AlarmEvaluator.format(p))"
        }
    }
}
