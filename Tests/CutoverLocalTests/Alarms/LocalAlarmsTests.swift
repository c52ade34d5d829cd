import CutoverCore
import CutoverLoadBalancer
import Foundation
import Testing
@testable import CutoverLocal

/// Counters a test sets by hand, standing in for target groups and functions.
private final class FakeSources: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [AlarmMetric.Source: CumulativeMetric] = [:]

    func read(_ source: AlarmMetric.Source) -> CumulativeMetric? { lock.withLock { values[source] } }

    /// Adds requests (and errors, and latencies in microseconds) to a source's counters.
    func add(_ source: AlarmMetric.Source, requests: UInt64, errors: UInt64 = 0, latencies: [UInt64] = []) {
        lock.withLock {
            var metric = values[source] ?? CumulativeMetric()
            metric.count += requests
            metric.errors += errors
            for micros in latencies { metric.latency.record(microseconds: micros) }
            values[source] = metric
        }
    }

    func remove(_ source: AlarmMetric.Source) { _ = lock.withLock { values.removeValue(forKey: source) } }
}

/// The sampling and evaluation of the daemon's alarms with sources and seconds driven
/// by the test: `tick()` is one second.
@Suite struct LocalAlarmsTests {
    private let paths = LocalPaths(root: NSTemporaryDirectory() + "cutover-alarms-" + UUID().uuidString)
    private let sources = FakeSources()
    private let web = AlarmMetric.Source.targetGroup("web")

    private func alarms() throws -> LocalAlarms {
        try paths.create()
        let sources = self.sources
        return LocalAlarms(paths: paths, source: { sources.read($0) })
    }

    private func spec(_ metric: String, _ threshold: Double, comparison: String = ">", period: Int = 1, n: Int = 1,
                      m: Int? = nil, treat: String? = nil, statistic: String? = nil) -> Control.AlarmSpec {
        Control.AlarmSpec(metric: metric, targetGroup: metric.hasPrefix("target_group") ? "web" : nil,
                          function: metric.hasPrefix("function") ? "thumbs" : nil, statistic: statistic,
                          comparison: comparison, threshold: threshold, periodSeconds: period, evaluationPeriods: n,
                          datapointsToAlarm: m, treatMissingData: treat)
    }

    @Test func aPeriodsDatapointIsTheDifferenceBetweenTheSnapshotsAtItsEnds() throws {
        let alarms = try alarms()
        sources.add(web, requests: 1000, errors: 900)  // before the alarm: not counted
        _ = try alarms.put("rate", spec("target_group_5xx_rate", 5, period: 2, n: 3))
        _ = try alarms.put("count", spec("target_group_5xx_count", 0, period: 1, n: 3))
        alarms.tick()  // baseline
        sources.add(web, requests: 100, errors: 2)
        alarms.tick()
        sources.add(web, requests: 100, errors: 8)
        alarms.tick()  // the 2-second period ends: 10 of 200
        #expect(alarms.alarm(named: "rate")?.datapoints == [5.0])
        #expect(alarms.alarm(named: "count")?.datapoints == [2, 8])
    }

    @Test func fiveHundredsRaiseTheAlarmAfterMOfNPeriodsAndItClearsAgain() throws {
        let alarms = try alarms()
        _ = try alarms.put("rate", spec("target_group_5xx_rate", 5, n: 3, m: 2))
        sources.add(web, requests: 0)
        alarms.tick()
        var states: [String] = []
        for errors: UInt64 in [0, 10, 1, 10, 0, 0] {
            sources.add(web, requests: 100, errors: errors)
            alarms.tick()
            states.append(alarms.alarm(named: "rate")!.state)
        }
        // Datapoints 0, 10, 1, 10, 0, 0 (%): the second breach within three periods alarms;
        // one period later only one of the last three breaches.
        #expect(states == ["OK", "OK", "OK", "ALARM", "OK", "OK"])
        let alarm = try #require(alarms.alarm(named: "rate"))
        #expect(alarm.history.map(\.newState) == ["OK", "ALARM", "OK"])
        #expect(alarm.history[1].reason == "Threshold Crossed: 2 out of the last 3 datapoints [10.0, 1.0, 10.0] were greater than the threshold (5.0) (minimum 2 datapoints for ALARM).")
        #expect(alarm.datapoints == [10, 1, 10, 0, 0])  // the evaluation range: N + 2
    }

    @Test func latencyPercentilesComeFromTheHistogramOfThePeriod() throws {
        let alarms = try alarms()
        _ = try alarms.put("p99", spec("target_group_latency", 250, statistic: "p99"))
        _ = try alarms.put("avg", spec("target_group_latency", 250, statistic: "Average"))
        sources.add(web, requests: 100, latencies: Array(repeating: 900_000, count: 100))  // slow, but before
        alarms.tick()
        sources.add(web, requests: 100, latencies: Array(repeating: 100_000, count: 99) + [300_000])
        alarms.tick()
        let p99 = try #require(alarms.alarm(named: "p99")?.datapoints.last ?? nil)
        #expect(p99 >= 100 && p99 <= 100 * (1 + 1.0 / 16))  // 99 % of this period's are 100 ms
        #expect(alarms.alarm(named: "avg")?.datapoints == [102])
        #expect(alarms.alarm(named: "p99")?.state == "OK")
    }

    @Test func noRequestsIsMissingForRatesAndZeroForCounts() throws {
        let alarms = try alarms()
        _ = try alarms.put("rate", spec("target_group_5xx_rate", 5))
        _ = try alarms.put("count", spec("target_group_request_count", 1, comparison: "<"))
        sources.add(web, requests: 0)
        alarms.tick()
        alarms.tick()
        #expect(alarms.alarm(named: "rate")?.datapoints == [nil])
        #expect(alarms.alarm(named: "rate")?.state == "INSUFFICIENT_DATA")
        #expect(alarms.alarm(named: "count")?.datapoints == [0])
        #expect(alarms.alarm(named: "count")?.state == "ALARM")  // fewer than 1 request: nobody is served
    }

    @Test func anUnknownSourceIsMissingData() throws {
        let alarms = try alarms()
        _ = try alarms.put("missing", spec("function_errors", 0))
        _ = try alarms.put("breaching", spec("function_errors", 0, treat: "breaching"))
        _ = try alarms.put("ignore", spec("function_errors", 0, treat: "ignore"))
        alarms.tick()
        alarms.tick()
        #expect(alarms.alarm(named: "missing")?.state == "INSUFFICIENT_DATA")
        #expect(alarms.alarm(named: "breaching")?.state == "ALARM")
        #expect(alarms.alarm(named: "ignore")?.state == "INSUFFICIENT_DATA")
        // A source that goes away mid-period gives a missing datapoint, not a negative one.
        sources.add(web, requests: 5)
        _ = try alarms.put("web", spec("target_group_request_count", 0, treat: "notBreaching"))
        alarms.tick()
        sources.remove(web)
        alarms.tick()
        #expect(alarms.alarm(named: "web")?.datapoints == [nil])
        #expect(alarms.alarm(named: "web")?.state == "OK")
    }

    @Test func setAlarmStateHoldsUntilTheNextEvaluation() throws {
        let alarms = try alarms()
        _ = try alarms.put("count", spec("target_group_5xx_count", 0, period: 3))
        sources.add(web, requests: 0)
        alarms.tick()
        let forced = try alarms.setState("count", Control.SetAlarmState(state: "ALARM", reason: "drill"))
        #expect(forced?.state == "ALARM")
        #expect(forced?.reason == "drill")
        alarms.tick()
        alarms.tick()
        #expect(alarms.alarm(named: "count")?.state == "ALARM")  // the period has not ended
        alarms.tick()
        let after = try #require(alarms.alarm(named: "count"))
        #expect(after.state == "OK")
        #expect(after.history.map { "\($0.oldState)→\($0.newState)" } == ["INSUFFICIENT_DATA→ALARM", "ALARM→OK"])
        #expect(throws: Control.Problem.self) { try alarms.setState("count", Control.SetAlarmState(state: "FIRING", reason: "x")) }
        #expect(try alarms.setState("nope", Control.SetAlarmState(state: "OK", reason: "x")) == nil)
    }

    @Test func redefiningKeepsTheStateAndDropsTheDatapoints() throws {
        let alarms = try alarms()
        let (_, created) = try alarms.put("count", spec("target_group_5xx_count", 0))
        #expect(created)
        sources.add(web, requests: 1, errors: 1)
        alarms.tick()
        sources.add(web, requests: 1, errors: 1)
        alarms.tick()
        #expect(alarms.alarm(named: "count")?.state == "ALARM")
        let (redefined, createdAgain) = try alarms.put("count", spec("target_group_5xx_count", 10))
        #expect(!createdAgain)
        #expect(redefined.state == "ALARM")
        #expect(redefined.datapoints == [])
        #expect(redefined.definition.threshold == 10)
    }

    @Test func definitionsAreKeptInTheStateDirectory() throws {
        let first = try alarms()
        _ = try first.put("p99", spec("function_duration", 500, n: 3, m: 2, statistic: "p99"))
        _ = try first.put("gone", spec("function_errors", 0))
        #expect(first.delete("gone"))
        #expect(!first.delete("gone"))
        let second = try alarms()
        #expect(second.list().map(\.name) == ["p99"])
        let definition = try #require(second.alarm(named: "p99")?.definition)
        #expect(definition == Control.AlarmSpec(metric: "function_duration", function: "thumbs", statistic: "p99", comparison: ">",
                                                threshold: 500, periodSeconds: 1, evaluationPeriods: 3, datapointsToAlarm: 2,
                                                treatMissingData: "missing"))
        #expect(second.alarm(named: "p99")?.state == "INSUFFICIENT_DATA")
    }

    @Test func describeSaysWhichNamesHaveNoAlarm() throws {
        let alarms = try alarms()
        _ = try alarms.put("a", spec("target_group_5xx_count", 0))
        _ = try alarms.put("b", spec("target_group_5xx_count", 0))
        let answer = alarms.describe(["b", "x", "a"])
        #expect(answer.alarms.map(\.name) == ["b", "a"])
        #expect(answer.missing == ["x"])
    }

    @Test func badDefinitionsSayWhatIsWrong() throws {
        let alarms = try alarms()
        #expect(throws: ErrorText("InvalidParameterValue: alarm a: datapoints_to_alarm must be between 1 and evaluation_periods (2), got 3")) {
            do { _ = try alarms.put("a", spec("target_group_5xx_count", 0, n: 2, m: 3)) } catch { throw ErrorText("\(error)") }
        }
        #expect(throws: ErrorText("InvalidParameterValue: metric target_group_latency needs a statistic (Average, or a percentile such as p99)")) {
            do { _ = try alarms.put("a", spec("target_group_latency", 0)) } catch { throw ErrorText("\(error)") }
        }
        #expect(throws: ErrorText("InvalidParameterValue: comparison \"=>\" is not one of >, >=, <, <= (or GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold, LessThanOrEqualToThreshold)")) {
            do { _ = try alarms.put("a", spec("target_group_5xx_count", 0, comparison: "=>")) } catch { throw ErrorText("\(error)") }
        }
        #expect(alarms.list().isEmpty)
    }
}

/// An error compared by its text.
private struct ErrorText: Error, Equatable, CustomStringConvertible {
    var description: String
    init(_ text: String) { description = text }
}
