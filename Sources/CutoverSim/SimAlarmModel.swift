import CutoverCore

/// A metric alarm whose datapoints the simulator makes up from the traffic split: the
/// new version fails `newErrorRate` of its requests, the old one `baselineErrorRate`, so
/// with a weight w (0–100 %) on the new version
///
///     errorRate(w) = baselineErrorRate · (1 − w/100) + newErrorRate · w/100
///
/// Example: baseline 1 %, new version 20 %: weight 10 → 2.9 %, weight 50 → 10.5 %.
///
/// Each period of the definition (aligned to virtual time 0) gets `requestsPerSecond ·
/// periodSeconds` requests; a weight that changes within a period counts for the time it
/// held. Without noise a period's errors are their expected number; with noise they are
/// drawn from a normal approximation of the binomial (mean and variance of
/// the expected errors among the period's requests), seeded by the seed and the period's
/// index, so the same seed gives the same datapoints whatever times are asked about.
/// The datapoint is the metric's: a rate in percent, an error count, or the request
/// count. Periods are evaluated one after the other with `AlarmEvaluator`, exactly as the
/// local daemon does, from INSUFFICIENT_DATA at time 0.
///
/// The model is a pure function of the time asked about, so a discrete-event simulator
/// can ask "is it in ALARM now?" at any virtual time, in any order.
public struct SimAlarmModel: Sendable {
    public let definition: AlarmDefinition
    public let baselineErrorRate: Double
    public let newErrorRate: Double
    public let requestsPerSecond: Double
    public let noise: Bool
    /// What the metric counts: every request (an alias, a load balancer), or only the
    /// new version's (a metric of that version alone: no datapoint while it gets none).
    public let newVersionOnly: Bool

    /// Error rates are fractions (0–1); the metric must be an error rate, an error count
    /// or a request count (latency is not modelled).
    public init(definition: AlarmDefinition, baselineErrorRate: Double, newErrorRate: Double, requestsPerSecond: Double,
                noise: Bool = false, newVersionOnly: Bool = false) throws(CoreError) {
        for (label, rate) in [("baseline", baselineErrorRate), ("new version", newErrorRate)] where !(rate >= 0 && rate <= 1) {
            throw .invalid("simulated alarm \(definition.name): the \(label) error rate must be between 0 and 1, got \(rate)")
        }
        if !(requestsPerSecond >= 0 && requestsPerSecond.isFinite) {
            throw .invalid("simulated alarm \(definition.name): requests per second must be 0 or more, got \(requestsPerSecond)")
        }
        if case .latency = definition.metric.measure {
            throw .invalid("simulated alarm \(definition.name): \(definition.metric.kind.rawValue) is not modelled (error rates, error counts and request counts are)")
        }
        self.definition = definition
        self.baselineErrorRate = baselineErrorRate
        self.newErrorRate = newErrorRate
        self.requestsPerSecond = requestsPerSecond
        self.noise = noise
        self.newVersionOnly = newVersionOnly
    }

    /// The share of failing requests (0–1) with `weight` percent on the new version.
    public func errorRate(weight: Int) -> Double {
        let w = Double(min(100, max(0, weight))) / 100
        return baselineErrorRate * (1 - w) + newErrorRate * w
    }

    /// The share of the requests the metric counts at `weight`.
    private func measured(weight: Int) -> Double {
        newVersionOnly ? Double(min(100, max(0, weight))) / 100 : 1
    }

    /// The error rate among the requests the metric counts.
    private func measuredErrorRate(weight: Int) -> Double {
        newVersionOnly ? newErrorRate : errorRate(weight: weight)
    }

    /// The alarm's state at virtual time `ms`: after evaluating every period that has
    /// ended by then. `weightHistory` is when the new version's weight changed (sorted
    /// by time; 0 before the first change).
    public func state(at ms: Int64, weightHistory: [(atMs: Int64, weight: Int)], seed: UInt64) -> AlarmState {
        evaluation(at: ms, weightHistory: weightHistory, seed: seed).state
    }

    /// The last evaluation by `ms`, with CloudWatch's reason; INSUFFICIENT_DATA before the
    /// first period ends.
    public func evaluation(at ms: Int64, weightHistory: [(atMs: Int64, weight: Int)], seed: UInt64) -> AlarmEvaluation {
        let points = datapoints(until: ms, weightHistory: weightHistory, seed: seed)
        let evaluator = AlarmEvaluator(definition)
        var last = AlarmEvaluation(state: .insufficientData, reason: "Unchecked: Initial alarm creation")
        for end in points.indices {
            let window = Array(points[max(0, end + 1 - definition.evaluationRange)...end])
            last = evaluator.evaluate(window, current: last.state)
        }
        return last
    }

    /// The datapoint of every period that has ended by `ms`, oldest first.
    public func datapoints(until ms: Int64, weightHistory: [(atMs: Int64, weight: Int)], seed: UInt64) -> [Double?] {
        let period = Int64(definition.periodSeconds) * 1000
        guard ms >= period else { return [] }
        let changes = weightHistory.enumerated().sorted { ($0.element.atMs, $0.offset) < ($1.element.atMs, $1.offset) }.map(\.element)
        return (0..<(ms / period)).map { k in datapoint(k, from: k * period, to: (k + 1) * period, changes, seed: seed) }
    }

    // MARK: - One period

    private func datapoint(_ k: Int64, from start: Int64, to end: Int64, _ changes: [(atMs: Int64, weight: Int)],
                           seed: UInt64) -> Double? {
        // Requests and expected errors: each stretch of the period at its weight.
        var requests = 0.0
        var expected = 0.0
        var from = start
        var weight = changes.last { $0.atMs <= start }?.weight ?? 0
        func stretch(until t: Int64) {
            let n = requestsPerSecond * Double(t - from) / 1000 * measured(weight: weight)
            requests += n
            expected += n * measuredErrorRate(weight: weight)
        }
        for change in changes where change.atMs > start && change.atMs < end {
            stretch(until: change.atMs)
            from = change.atMs
            weight = change.weight
        }
        stretch(until: end)
        if newVersionOnly && requests == 0 { return nil } // the version got nothing to measure
        let errors = noise ? Self.draw(expected: expected, of: requests, seed: seed, period: k) : expected
        switch definition.metric.measure {
        case .count: return requests.rounded()
        case .errors: return errors
        case .errorRate: return requests > 0 ? 100 * errors / requests : nil
        case .latency: return nil
        }
    }

    /// Errors among `n` requests with mean `expected`: a normal approximation of the
    /// binomial (the sum of 12 uniforms less 6, which needs no libm), rounded and kept
    /// within 0…n.
    static func draw(expected: Double, of n: Double, seed: UInt64, period: Int64) -> Double {
        guard n > 0 else { return 0 }
        var random = SplitMix64(seed: seed ^ (UInt64(bitPattern: period) &* 0xD1B5_4A32_D192_ED03))
        let p = min(1, max(0, expected / n))
        let sigma = (n * p * (1 - p)).squareRoot()
        var z = -6.0
        for _ in 0..<12 { z += random.unit() }
        return min(n, max(0, (expected + sigma * z).rounded()))
    }
}
