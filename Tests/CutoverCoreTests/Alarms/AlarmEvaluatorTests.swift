import Testing
@testable import CutoverCore

/// An alarm on a target group's 5xx count, `> 5`, over 60 s periods.
private func alarm(m: Int, n: Int, _ treat: TreatMissingData = .missing,
                   comparison: AlarmComparison = .greaterThan, threshold: Double = 5) throws -> AlarmEvaluator {
    AlarmEvaluator(try AlarmDefinition(name: "errors", metric: .targetGroup5xxCount(targetGroup: "web"), comparison: comparison,
                                       threshold: threshold, periodSeconds: 60, evaluationPeriods: n, datapointsToAlarm: m,
                                       treatMissingData: treat))
}

/// CloudWatch's notation, oldest first: `0` not breaching (1.0), `X` breaching (10.0), `-` missing.
private func points(_ row: String) -> [Double?] {
    row.split(separator: " ").map { $0 == "X" ? 10 : $0 == "0" ? 1 : nil }
}

/// One row of a documented table: the state under missing, ignore, breaching and notBreaching;
/// nil is "Retain current state".
struct MissingDataRow: CustomTestStringConvertible, Sendable {
    var points: String
    var states: [AlarmState?]
    var testDescription: String { points }
}

@Suite struct AlarmEvaluatorTests {
    // MARK: - CloudWatch's documented tables

    /// "How alarm state is evaluated when data is missing", first table: M = N = 3, range 5.
    @Test(arguments: [
        MissingDataRow(points: "0 - X - X", states: [.ok, .ok, .ok, .ok]),
        MissingDataRow(points: "0 - - - -", states: [.ok, .ok, .ok, .ok]),
        MissingDataRow(points: "- - - - -", states: [.insufficientData, nil, .alarm, .ok]),
        MissingDataRow(points: "0 X X - X", states: [.alarm, .alarm, .alarm, .alarm]),
        MissingDataRow(points: "- - X - -", states: [.alarm, nil, .alarm, .ok]),
    ])
    func threeOutOfThree(row: MissingDataRow) throws {
        try check(row, m: 3, n: 3)
    }

    /// The same page's second table: 2 out of 3.
    @Test(arguments: [
        MissingDataRow(points: "0 - X - X", states: [.alarm, .alarm, .alarm, .alarm]),
        MissingDataRow(points: "0 0 X 0 X", states: [.alarm, .alarm, .alarm, .alarm]),
        MissingDataRow(points: "0 - X - -", states: [.ok, .ok, .alarm, .ok]),
        MissingDataRow(points: "- - - - 0", states: [.ok, .ok, .alarm, .ok]),
        MissingDataRow(points: "- - - X -", states: [.alarm, nil, .alarm, .ok]),
    ])
    func twoOutOfThree(row: MissingDataRow) throws {
        try check(row, m: 2, n: 3)
    }

    private func check(_ row: MissingDataRow, m: Int, n: Int) throws {
        let modes: [TreatMissingData] = [.missing, .ignore, .breaching, .notBreaching]
        for (mode, expected) in zip(modes, row.states) {
            // "Retain current state": whatever it was, it stays.
            for current in expected == nil ? AlarmState.allCases : [.ok] {
                let result = try alarm(m: m, n: n, mode).evaluate(points(row.points), current: current)
                #expect(result.state == expected ?? current, "\(row.points) with \(mode) from \(current): \(result.reason)")
            }
        }
    }

    /// "Avoiding premature transitions": `- - - - X` and `- - - X -` do not alarm at 3 of 3.
    @Test func aRecentLoneBreachIsNotEnough() throws {
        let evaluator = try alarm(m: 3, n: 3)
        #expect(evaluator.evaluate(points("- - - - X"), current: .ok).state == .ok)
        #expect(evaluator.evaluate(points("- - - X -"), current: .ok).state == .ok)
        #expect(evaluator.evaluate(points("- - X - -"), current: .ok).state == .alarm)
    }

    // MARK: - M out of N

    @Test func mOutOfNNeedsMBreachingAmongTheLastN() throws {
        let twoOfFour = try alarm(m: 2, n: 4)
        #expect(twoOfFour.evaluate([10, 1, 1, 1], current: .ok).state == .ok)
        #expect(twoOfFour.evaluate([10, 1, 10, 1], current: .ok).state == .alarm)
        // Older datapoints than the last N do not count when the last N are all there.
        #expect(twoOfFour.evaluate([10, 10, 1, 1, 1, 10], current: .ok).state == .ok)
        // Breaching datapoints need not be consecutive.
        #expect(twoOfFour.evaluate([10, 1, 1, 10], current: .ok).state == .alarm)
        let threeOfThree = try alarm(m: 3, n: 3)
        #expect(threeOfThree.evaluate([12, 9, 15], current: .ok).state == .alarm)
        #expect(threeOfThree.evaluate([12, 1, 15], current: .alarm).state == .ok)
    }

    @Test func missingPeriodsAreSkippedWhenTheRangeHoldsNRealOnes() throws {
        // 0 X X - X: the three most recent real datapoints are X X X.
        let result = try alarm(m: 3, n: 3).evaluate([1, 10, 10, nil, 10], current: .ok)
        #expect(result.state == .alarm)
        #expect(result.evaluated == [10, 10, 10])
    }

    @Test func onlyTheEvaluationRangeCounts() throws {
        // N = 1: range 3. A breach four periods ago is out of range: all missing.
        let evaluator = try alarm(m: 1, n: 1)
        #expect(evaluator.evaluate([10, nil, nil, nil], current: .alarm).state == .insufficientData)
        #expect(evaluator.evaluate([10, nil, nil], current: .ok).state == .alarm)
    }

    @Test func aNewAlarmWithFewerDatapointsThanTheRange() throws {
        // Right after creation: the periods before the alarm existed are missing.
        let evaluator = try alarm(m: 3, n: 3)
        #expect(evaluator.evaluate([], current: .insufficientData).state == .insufficientData)
        #expect(evaluator.evaluate([1], current: .insufficientData).state == .ok)
        #expect(evaluator.evaluate([10, 10], current: .ok).state == .ok)
        #expect(evaluator.evaluate([10, 10, 10], current: .ok).state == .alarm)
    }

    @Test func nonFiniteDatapointsAreMissing() throws {
        let result = try alarm(m: 1, n: 1).evaluate([.nan, .infinity], current: .ok)
        #expect(result.state == .insufficientData)
    }

    // MARK: - Missing data options

    @Test func breachingFillsOnlyAsFewAsNeeded() throws {
        // 0 - - - -, breaching: one real (0) and two filled: 2 of 3 breach, not 3.
        let result = try alarm(m: 3, n: 3, .breaching).evaluate(points("0 - - - -"), current: .ok)
        #expect(result.state == .ok)
        #expect(result.evaluated == [1, nil, nil])
        #expect(result.breaching == 2)
        // A period later the non-breaching one is out of range: ALARM.
        #expect(try alarm(m: 3, n: 3, .breaching).evaluate(points("0 - - - - -"), current: .ok).state == .alarm)
    }

    @Test func ignoreKeepsTheStateOnlyWhenNothingDecides() throws {
        let evaluator = try alarm(m: 3, n: 3, .ignore)
        #expect(evaluator.evaluate([nil, nil, nil, nil, nil], current: .alarm).state == .alarm)
        #expect(evaluator.evaluate([nil, nil, nil, nil, nil], current: .insufficientData).state == .insufficientData)
        // Real datapoints decide even with ignore.
        #expect(evaluator.evaluate([10, 10, 10], current: .ok).state == .alarm)
        #expect(evaluator.evaluate([nil, nil, nil, nil, 1], current: .alarm).state == .ok)
    }

    @Test func notBreachingNeverAlarmsOnMissingData() throws {
        let evaluator = try alarm(m: 1, n: 3, .notBreaching)
        #expect(evaluator.evaluate([nil, nil, nil, nil, nil], current: .alarm).state == .ok)
        #expect(evaluator.evaluate([nil, nil, nil, nil, 10], current: .ok).state == .alarm)
    }

    // MARK: - Comparisons

    @Test(arguments: [
        (AlarmComparison.greaterThan, [false, false, true]),
        (.greaterThanOrEqual, [false, true, true]),
        (.lessThan, [true, false, false]),
        (.lessThanOrEqual, [true, true, false]),
    ])
    func comparisons(comparison: AlarmComparison, expected: [Bool]) throws {
        let evaluator = try alarm(m: 1, n: 1, comparison: comparison)
        let states = [4.0, 5.0, 6.0].map { evaluator.evaluate([$0], current: .ok).state == .alarm }
        #expect(states == expected)
    }

    @Test func comparisonsParseBothSpellings() throws {
        #expect(try AlarmComparison(parsing: ">=") == .greaterThanOrEqual)
        #expect(try AlarmComparison(parsing: "LessThanThreshold") == .lessThan)
        #expect(throws: CoreError.self) { try AlarmComparison(parsing: "=>") }
    }

    // MARK: - Reasons

    @Test func reasonsReadLikeCloudWatchs() throws {
        let alarmed = try alarm(m: 3, n: 3).evaluate([12, 9, 15], current: .ok)
        #expect(alarmed.reason == "Threshold Crossed: 3 out of the last 3 datapoints [12.0, 9.0, 15.0] were greater than the threshold (5.0) (minimum 3 datapoints for ALARM).")
        let ok = try alarm(m: 2, n: 3).evaluate([12, 1, 2], current: .alarm)
        #expect(ok.reason == "Threshold Crossed: 2 out of the last 3 datapoints [12.0, 1.0, 2.0] were not greater than the threshold (5.0) (minimum 2 datapoints for ALARM).")
        let filled = try alarm(m: 3, n: 3, .breaching).evaluate([12, nil, nil], current: .ok)
        #expect(filled.reason == "Threshold Crossed: 3 out of the last 3 datapoints [12.0, missing, missing] were greater than the threshold (5.0) (minimum 3 datapoints for ALARM; 2 missing, treated as breaching).")
        let none = try alarm(m: 1, n: 3).evaluate([], current: .ok)
        #expect(none.reason == "Insufficient Data: 5 datapoints were unknown.")
        let rate = try alarm(m: 1, n: 1, threshold: 5).evaluate([100.0 * 29 / 1000], current: .ok)
        #expect(rate.reason.contains("[2.9] was not greater than the threshold (5.0)"))
    }
}
