import CutoverCore
import Testing
@testable import CutoverSim

/// The function's error rate above 5 %, 2 of 3 one-minute periods.
private func model(n: Int = 3, m: Int = 2, noise: Bool = false, rps: Double = 100,
                   treat: TreatMissingData = .missing) throws -> SimAlarmModel {
    let definition = try AlarmDefinition(name: "thumbs-errors", metric: .functionErrorRate(function: "thumbs", version: nil),
                                         comparison: .greaterThan, threshold: 5, periodSeconds: 60, evaluationPeriods: n,
                                         datapointsToAlarm: m, treatMissingData: treat)
    return try SimAlarmModel(definition: definition, baselineErrorRate: 0.01, newErrorRate: 0.2, requestsPerSecond: rps,
                             noise: noise)
}

private let minute: Int64 = 60_000

@Suite struct SimAlarmModelTests {
    @Test func theErrorRateMixesTheVersionsByWeight() throws {
        let m = try model()
        #expect(abs(m.errorRate(weight: 0) - 0.01) < 1e-12)
        #expect(abs(m.errorRate(weight: 10) - 0.029) < 1e-12)
        #expect(abs(m.errorRate(weight: 50) - 0.105) < 1e-12)
        #expect(abs(m.errorRate(weight: 100) - 0.2) < 1e-12)
    }

    @Test func tenPercentOnTheNewVersionStaysBelowTheThreshold() throws {
        let m = try model()
        let history: [(atMs: Int64, weight: Int)] = [(0, 10)]
        for k in 1...30 { #expect(m.state(at: Int64(k) * minute, weightHistory: history, seed: 1) == .ok) }
        let last = m.evaluation(at: 10 * minute, weightHistory: history, seed: 1)
        #expect(last.reason == "Threshold Crossed: 3 out of the last 3 datapoints [2.9, 2.9, 2.9] were not greater than the threshold (5.0) (minimum 2 datapoints for ALARM).")
    }

    @Test func fiftyPercentAlarmsAfterMPeriods() throws {
        let m = try model(n: 3, m: 2)
        let history: [(atMs: Int64, weight: Int)] = [(0, 50)]
        #expect(m.state(at: minute - 1, weightHistory: history, seed: 1) == .insufficientData)
        #expect(m.state(at: minute, weightHistory: history, seed: 1) == .ok)  // 1 of 2 needed
        #expect(m.state(at: 2 * minute - 1, weightHistory: history, seed: 1) == .ok)
        #expect(m.state(at: 2 * minute, weightHistory: history, seed: 1) == .alarm)  // M = 2 periods
        let datapoints = m.datapoints(until: 2 * minute, weightHistory: history, seed: 1)
        #expect(datapoints.count == 2)
        #expect(datapoints.allSatisfy { abs(($0 ?? 0) - 10.5) < 1e-9 })
    }

    @Test func aShiftAlarmsMPeriodsAfterItAndAShiftBackClearsIt() throws {
        let m = try model(n: 3, m: 3)
        // 10 % for five minutes, then 50 %, then back to 0 at 12 minutes.
        let history: [(atMs: Int64, weight: Int)] = [(0, 10), (5 * minute, 50), (12 * minute, 0)]
        let states = (1...16).map { m.state(at: Int64($0) * minute, weightHistory: history, seed: 1) }
        #expect(states[4] == .ok)  // minute 5: the last 10 % period
        #expect(states[6] == .ok)  // 2 periods at 50 %
        #expect(states[7] == .alarm)  // minute 8: 3 periods at 50 %
        #expect(states[11] == .alarm)  // minute 12: still 50 %
        #expect(states[12] == .ok)  // one period at 1 %: 2 of 3 breach, 3 of 3 are needed
        #expect(states[15] == .ok)
    }

    @Test func aWeightChangeWithinAPeriodCountsForTheTimeItHeld() throws {
        let m = try model(n: 1, m: 1)
        // Half a minute at 0 %, half at 100 %: (1 % + 20 %) / 2.
        let history: [(atMs: Int64, weight: Int)] = [(30_000, 100)]
        let points = m.datapoints(until: minute, weightHistory: history, seed: 1)
        #expect(abs((points[0] ?? 0) - 10.5) < 1e-9)
    }

    @Test func noiseIsSeededAndCentredOnTheExpectedRate() throws {
        let m = try model(noise: true, rps: 50)
        let history: [(atMs: Int64, weight: Int)] = [(0, 10)]
        let a = m.datapoints(until: 200 * minute, weightHistory: history, seed: 7)
        #expect(a == m.datapoints(until: 200 * minute, weightHistory: history, seed: 7))
        #expect(a != m.datapoints(until: 200 * minute, weightHistory: history, seed: 8))
        // A datapoint does not depend on how far the question reaches.
        #expect(Array(a.prefix(10)) == m.datapoints(until: 10 * minute, weightHistory: history, seed: 7))
        let values = a.compactMap { $0 }
        let mean = values.reduce(0, +) / Double(values.count)
        #expect(abs(mean - 2.9) < 0.1)
        #expect(Set(values).count > 10)  // it does vary
        // 3,000 requests a minute: 2.9 % ± 0.3 never crosses 5 %.
        #expect(m.state(at: 200 * minute, weightHistory: history, seed: 7) == .ok)
        #expect(values.allSatisfy { $0 < 5 })
    }

    @Test func noTrafficIsMissingData() throws {
        let quiet = try model(rps: 0)
        #expect(quiet.datapoints(until: 3 * minute, weightHistory: [], seed: 1) == [nil, nil, nil])
        #expect(quiet.state(at: 3 * minute, weightHistory: [], seed: 1) == .insufficientData)
        #expect(try model(rps: 0, treat: .breaching).state(at: 3 * minute, weightHistory: [], seed: 1) == .alarm)
    }

    @Test func latencyIsNotModelled() throws {
        let definition = try AlarmDefinition(name: "p99", metric: .functionDuration(function: "f", version: nil, statistic: .percentile(99)),
                                             comparison: .greaterThan, threshold: 100, periodSeconds: 60, evaluationPeriods: 1)
        #expect(throws: CoreError.self) {
            try SimAlarmModel(definition: definition, baselineErrorRate: 0, newErrorRate: 0, requestsPerSecond: 1)
        }
        let rate = try AlarmDefinition(name: "r", metric: .functionErrorRate(function: "f", version: nil), comparison: .greaterThan,
                                       threshold: 1, periodSeconds: 60, evaluationPeriods: 1)
        #expect(throws: CoreError.invalid("simulated alarm r: the new version error rate must be between 0 and 1, got 20.0")) {
            try SimAlarmModel(definition: rate, baselineErrorRate: 0, newErrorRate: 20, requestsPerSecond: 1)
        }
    }
}
