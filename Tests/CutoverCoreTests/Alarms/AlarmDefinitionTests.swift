import Testing
@testable import CutoverCore

@Suite struct AlarmDefinitionTests {
    private func define(name: String = "web-5xx", metric: AlarmMetric = .targetGroup5xxRate(targetGroup: "web"),
                        threshold: Double = 5, period: Int = 60, n: Int = 3, m: Int? = nil) throws(CoreError) -> AlarmDefinition {
        try AlarmDefinition(name: name, metric: metric, comparison: .greaterThan, threshold: threshold,
                            periodSeconds: period, evaluationPeriods: n, datapointsToAlarm: m)
    }

    @Test func defaults() throws {
        let d = try define()
        #expect(d.datapointsToAlarm == 3)
        #expect(d.treatMissingData == .missing)
        #expect(d.evaluationRange == 5)
    }

    @Test func rangesAreChecked() {
        #expect(throws: CoreError.invalid("alarm web-5xx: datapoints_to_alarm must be between 1 and evaluation_periods (3), got 4")) {
            try define(m: 4)
        }
        #expect(throws: CoreError.invalid("alarm web-5xx: datapoints_to_alarm must be between 1 and evaluation_periods (3), got 0")) {
            try define(m: 0)
        }
        #expect(throws: CoreError.invalid("alarm web-5xx: evaluation_periods must be at least 1, got 0")) { try define(n: 0) }
        #expect(throws: CoreError.invalid("alarm web-5xx: period_seconds must be at least 1, got 0")) { try define(period: 0) }
        #expect(throws: CoreError.invalid("alarm web-5xx: the threshold must be a finite number")) { try define(threshold: .nan) }
        #expect(throws: CoreError.invalid("alarm web-5xx: evaluation_periods × period_seconds must be at most one day (86400 s), got 1441 × 60")) {
            try define(n: 1441)
        }
        #expect(throws: Never.self) { try define(period: 1, n: 86_400) }
    }

    @Test func namesAreASCIIUpTo255() {
        #expect(throws: CoreError.invalid("alarm name must have 1 to 255 characters, got 0")) { try define(name: "") }
        #expect(throws: CoreError.self) { try define(name: String(repeating: "a", count: 256)) }
        #expect(throws: CoreError.invalid("alarm name \"café\": character U+E9 is not allowed (ASCII only, no control characters)")) {
            try define(name: "café")
        }
        #expect(throws: Never.self) { try define(name: "shop 5xx > 5% (p99)") }
    }

    @Test func metricsNeedTheirDimensionAndStatistic() throws {
        #expect(try AlarmMetric(kind: .targetGroupLatency, targetGroup: "web", statistic: .percentile(99))
                == .targetGroupLatency(targetGroup: "web", statistic: .percentile(99)))
        #expect(try AlarmMetric(kind: .functionErrorRate, function: "thumbs", version: "3") == .functionErrorRate(function: "thumbs", version: "3"))
        #expect(throws: CoreError.invalid("metric target_group_5xx_count needs a target_group")) {
            try AlarmMetric(kind: .targetGroup5xxCount, function: "thumbs")
        }
        #expect(throws: CoreError.invalid("metric function_duration needs a statistic (Average, or a percentile such as p99)")) {
            try AlarmMetric(kind: .functionDuration, function: "thumbs")
        }
        #expect(throws: CoreError.invalid("metric target_group_5xx_rate is a rate: statistic p99 does not apply")) {
            try AlarmMetric(kind: .targetGroup5xxRate, targetGroup: "web", statistic: .percentile(99))
        }
        #expect(throws: CoreError.invalid("metric function_errors is measured on a function: target_group does not apply")) {
            try AlarmMetric(kind: .functionErrors, targetGroup: "web", function: "thumbs")
        }
        #expect(throws: CoreError.self) { try AlarmMetric(kind: .functionErrors, function: "thumbs", version: "") }
    }

    @Test func statistics() throws {
        #expect(try AlarmStatistic(parsing: "p99") == .percentile(99))
        #expect(try AlarmStatistic(parsing: "p99.9") == .percentile(99.9))
        #expect(try AlarmStatistic(parsing: "Average") == .average)
        #expect(AlarmStatistic.percentile(99.9).description == "p99.9")
        #expect(AlarmStatistic.percentile(50).description == "p50")
        #expect(throws: CoreError.invalid("statistic p0.0: a percentile must be above 0 and at most 100")) { try AlarmStatistic(parsing: "p0") }
        #expect(throws: CoreError.self) { try AlarmStatistic(parsing: "p101") }
        #expect(throws: CoreError.self) { try AlarmStatistic(parsing: "Maximum") }
    }

    @Test func missingDataAndStatesParse() throws {
        #expect(try TreatMissingData(parsing: "notBreaching") == .notBreaching)
        #expect(try TreatMissingData(parsing: "not_breaching") == .notBreaching)
        #expect(throws: CoreError.self) { try TreatMissingData(parsing: "zero") }
        #expect(try AlarmState(parsing: "INSUFFICIENT_DATA") == .insufficientData)
        #expect(throws: CoreError.self) { try AlarmState(parsing: "ok") }
    }

    @Test func datapointsFromCounts() {
        let none: (AlarmStatistic) -> Double? = { _ in nil }
        #expect(AlarmMetric.targetGroup5xxRate(targetGroup: "web").datapoint(count: 200, errors: 10, latencyMilliseconds: none) == 5)
        #expect(AlarmMetric.targetGroup5xxRate(targetGroup: "web").datapoint(count: 0, errors: 0, latencyMilliseconds: none) == nil)
        #expect(AlarmMetric.functionErrors(function: "f", version: nil).datapoint(count: 0, errors: 0, latencyMilliseconds: none) == 0)
        #expect(AlarmMetric.targetGroupRequestCount(targetGroup: "web").datapoint(count: 7, errors: 1, latencyMilliseconds: none) == 7)
        #expect(AlarmMetric.functionDuration(function: "f", version: nil, statistic: .average)
                    .datapoint(count: 3, errors: 0, latencyMilliseconds: { _ in 12.5 }) == 12.5)
    }
}
