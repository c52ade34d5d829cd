/// Decides an alarm's state from its most recent datapoints, as CloudWatch does
/// (CloudWatch User Guide, "How alarm state is evaluated when data is missing" and
/// "Avoiding premature transitions to alarm state").
///
/// The evaluator looks at the evaluation range — the last N + 2 periods — and:
///
/// 1. With at least N real datapoints in the range, it takes the most recent N real
///    ones (skipping missing periods) and goes to ALARM when M of them breach, else
///    OK. The treat-missing-data option does not matter.
/// 2. With none, the option decides: `missing` → INSUFFICIENT_DATA, `ignore` → the
///    current state, `breaching` → ALARM, `notBreaching` → OK.
/// 3. With some but fewer than N, every real datapoint in the range counts and
///    N − real missing ones are filled in: as breaching, as not breaching, or (for
///    `missing` and `ignore`) as neither. ALARM when M breach, else OK — except for the
///    premature-alarm rule: when every real datapoint breaches and the oldest is at least
///    M periods old, `missing` goes to ALARM anyway and `ignore` keeps the state.
///
/// These reproduce the ten rows of CloudWatch's two documented tables, for instance
/// (M = N = 3, oldest first, X breaching, 0 not, - missing):
///
///     0 - X - X  → OK everywhere (the 3 real ones: 0 X X, only 2 breach)
///     0 - - - -  → OK everywhere (breaching fills 2: still only 2 of 3)
///     - - - - -  → INSUFFICIENT_DATA / kept / ALARM / OK
///     - - X - -  → ALARM / kept / ALARM / OK (premature rule for missing and ignore)
///
/// and for M = 2, N = 3: `0 - X - -` → OK / OK / ALARM / OK; `- - - X -` → ALARM / kept /
/// ALARM / OK.
public struct AlarmEvaluator: Sendable {
    public let definition: AlarmDefinition

    public init(_ definition: AlarmDefinition) {
        self.definition = definition
    }

    /// Evaluates `datapoints`: one per period, oldest first, the last one the period
    /// that just ended; nil (or a non-finite value) is a period without a datapoint. Only
    /// the last `evaluationRange` count; a shorter array means the periods before it had
    /// no data (the alarm did not exist yet). `current` is the state before, which
    /// `ignore` may keep.
    public func evaluate(_ datapoints: [Double?], current: AlarmState) -> AlarmEvaluation {
        let d = definition
        let range = d.evaluationRange
        let recent = datapoints.suffix(range).map { $0.flatMap { $0.isFinite ? $0 : nil } }
        let slots = Array(repeating: nil, count: range - recent.count) + recent
        let real = slots.compactMap { $0 }
        let n = d.evaluationPeriods, m = d.datapointsToAlarm

        if real.count >= n {
            let used = Array(real.suffix(n))
            let breaching = used.filter(breaches).count
            return decide(used.map { $0 }, breaching: breaching, filled: 0)
        }
        if real.isEmpty {
            let none = "no datapoints in the last \(range) periods"
            switch d.treatMissingData {
            case .missing:
                return AlarmEvaluation(state: .insufficientData,
                                       reason: "Insufficient Data: \(range) datapoints were unknown.")
            case .ignore:
                return AlarmEvaluation(state: current, reason: "Unchanged: \(none) and missing data is ignored, so the state stays \(current.rawValue).")
            case .breaching:
                return AlarmEvaluation(state: .alarm, reason: "Threshold Crossed: \(none); missing data is treated as breaching the threshold (\(Self.format(d.threshold))).",
                                       evaluated: Array(repeating: nil, count: n), breaching: n)
            case .notBreaching:
                return AlarmEvaluation(state: .ok, reason: "Threshold Crossed: \(none); missing data is treated as not breaching the threshold (\(Self.format(d.threshold))).",
                                       evaluated: Array(repeating: nil, count: n), breaching: 0)
            }
        }

        // Fewer than N real datapoints: all of them, and the most recent missing
        // periods filled in ("CloudWatch uses missing data points only as few times as possible").
        let fill = n - real.count
        var evaluated: [Double?] = []
        var fillsLeft = fill
        for slot in slots.reversed() {
            if let value = slot {
                evaluated.append(value)
            } else if fillsLeft > 0 {
                evaluated.append(nil)
                fillsLeft -= 1
            }
        }
        evaluated.reverse()
        let realBreaching = real.filter(breaches).count

        switch d.treatMissingData {
        case .breaching:
            return decide(evaluated, breaching: realBreaching + fill, filled: fill)
        case .notBreaching:
            return decide(evaluated, breaching: realBreaching, filled: fill)
        case .missing, .ignore:
            if realBreaching < m, realBreaching == real.count, let oldest = slots.firstIndex(where: { $0 != nil }),
               range - oldest >= m {
                let age = range - oldest
                if d.treatMissingData == .ignore {
                    return AlarmEvaluation(state: current, reason: "Unchanged: the datapoints [\(Self.list(evaluated))] breach the threshold (\(Self.format(d.threshold))) or are missing, and missing data is ignored, so the state stays \(current.rawValue).",
                                           evaluated: evaluated, breaching: realBreaching)
                }
                return AlarmEvaluation(state: .alarm, reason: "Threshold Crossed: \(realBreaching) out of the last \(n) datapoints [\(Self.list(evaluated))] \(realBreaching == 1 ? "was" : "were") \(d.comparison.phrase) the threshold (\(Self.format(d.threshold))) and the others are missing; the oldest breaching one is \(age) periods old, at least the \(m) datapoints for ALARM.",
                                       evaluated: evaluated, breaching: realBreaching)
            }
            return decide(evaluated, breaching: realBreaching, filled: fill)
        }
    }

    /// ALARM when at least M of `evaluated` breach, else OK, with CloudWatch's reason.
    private func decide(_ evaluated: [Double?], breaching: Int, filled: Int) -> AlarmEvaluation {
        let d = definition
        let n = evaluated.count, m = d.datapointsToAlarm
        let alarm = breaching >= m
        let note: String
        switch (filled, d.treatMissingData) {
        case (0, _): note = ""
        case (_, .breaching): note = "; \(filled) missing, treated as breaching"
        case (_, .notBreaching): note = "; \(filled) missing, treated as not breaching"
        case (_, .missing), (_, .ignore): note = "; \(filled) missing"
        }
        let counted: Int
        let verb: String
        if alarm {
            counted = breaching
            verb = d.comparison.phrase
        } else {
            // Filled-in datapoints that are merely missing are neither breaching nor not.
            let neither = d.treatMissingData == .missing || d.treatMissingData == .ignore ? filled : 0
            counted = n - breaching - neither
            verb = "not " + d.comparison.phrase
        }
        let reason = "Threshold Crossed: \(counted) out of the last \(n) datapoints [\(Self.list(evaluated))] \(counted == 1 ? "was" : "were") \(verb) the threshold (\(Self.format(d.threshold))) (minimum \(m) datapoint\(m == 1 ? "" : "s") for ALARM\(note))."
        return AlarmEvaluation(state: alarm ? .alarm : .ok, reason: reason, evaluated: evaluated, breaching: breaching)
    }

    private func breaches(_ value: Double) -> Bool {
        definition.comparison.breaches(value, threshold: definition.threshold)
    }

    private static func list(_ values: [Double?]) -> String {
        values.map { $0.map(format) ?? "missing" }.joined(separator: ", ")
    }

    /// A datapoint or threshold as a reason shows it: Swift's shortest form after
    /// rounding to 6 decimals, so 100 · 29 / 1000 reads 2.9 and 5 reads 5.0.
    public static func format(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return "\(value)" }
        let rounded = (value * 1e6).rounded() / 1e6
        return "\(rounded == 0 ? 0 : rounded)"
    }
}
