import CutoverLoadBalancer
import Foundation

/// Invocation counters since the daemon started, never reset: per function, per
/// version that ran ("$LATEST", "1", …) and per alias invoked through (CloudWatch's
/// ExecutedVersion and Resource dimensions).
final class FunctionMetrics: @unchecked Sendable {
    private struct Counters {
        var total = CumulativeMetric()
        var versions: [String: CumulativeMetric] = [:]
        var aliases: [String: CumulativeMetric] = [:]
    }

    private let lock = NSLock()
    private var counters: [String: Counters] = [:]

    func record(function: String, version: String, alias: String?, duration: Duration, failed: Bool) {
        func add(_ metric: inout CumulativeMetric) {
            metric.count += 1
            if failed { metric.errors += 1 }
            metric.latency.record(duration)
        }
        lock.withLock {
            add(&counters[function, default: Counters()].total)
            add(&counters[function, default: Counters()].versions[version, default: CumulativeMetric()])
            if let alias { add(&counters[function, default: Counters()].aliases[alias, default: CumulativeMetric()]) }
        }
    }

    /// All of a function's invocations (empty before the first).
    func total(of function: String) -> CumulativeMetric {
        lock.withLock { counters[function]?.total } ?? CumulativeMetric()
    }

    func version(_ version: String, of function: String) -> CumulativeMetric? {
        lock.withLock { counters[function]?.versions[version] }
    }

    func alias(_ alias: String, of function: String) -> CumulativeMetric? {
        lock.withLock { counters[function]?.aliases[alias] }
    }
}
