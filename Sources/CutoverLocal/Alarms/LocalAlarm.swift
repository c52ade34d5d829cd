import CutoverCore
import CutoverLoadBalancer
import Foundation

/// One alarm of the daemon: its definition, the sampler's position in the current
/// period, the datapoints of the evaluation range, its state and history.
///
/// The sampler calls `tick` once a second with a cumulative snapshot of the alarm's
/// source. The first tick only takes the baseline; every `periodSeconds` ticks after
/// it close a period, whose datapoint is the difference between the snapshots at its
/// two ends, and the alarm is evaluated.
struct LocalAlarm: Sendable {
    static let historyLimit = 100

    private(set) var definition: AlarmDefinition
    private(set) var state: AlarmState = .insufficientData
    private(set) var reason = "Unchecked: Initial alarm creation"
    private(set) var stateUpdatedAt: Date
    /// The evaluation range, oldest first.
    private(set) var datapoints: [Double?] = []
    private(set) var history: [Control.AlarmStateChange] = []
    /// The snapshot at the start of the current period (nil: the source did not exist).
    private var baseline: CumulativeMetric?
    /// Seconds into the current period; nil before the first tick.
    private var elapsed: Int?

    init(definition: AlarmDefinition, at now: Date) {
        self.definition = definition
        stateUpdatedAt = now
    }

    /// A new definition for the same alarm. As CloudWatch's PutMetricAlarm, the state
    /// stays; the datapoints, measured on the old definition, go.
    mutating func redefine(_ new: AlarmDefinition) {
        guard new != definition else { return }
        definition = new
        datapoints = []
        baseline = nil
        elapsed = nil
    }

    /// One second passed; `sample` is the source's counters now (nil: no such source).
    /// Returns whether a period ended.
    @discardableResult
    mutating func tick(_ sample: CumulativeMetric?, at now: Date) -> Bool {
        guard let seconds = elapsed else {
            elapsed = 0
            baseline = sample
            return false
        }
        elapsed = seconds + 1
        guard seconds + 1 >= definition.periodSeconds else { return false }
        let datapoint = Self.datapoint(definition.metric, from: baseline, to: sample)
        baseline = sample
        elapsed = 0
        datapoints.append(datapoint)
        if datapoints.count > definition.evaluationRange { datapoints.removeFirst(datapoints.count - definition.evaluationRange) }
        let evaluation = AlarmEvaluator(definition).evaluate(datapoints, current: state)
        enter(evaluation.state, reason: evaluation.reason, at: now)
        return true
    }

    /// CloudWatch's SetAlarmState: the state holds until the next evaluation.
    mutating func force(_ new: AlarmState, reason: String, at now: Date) {
        enter(new, reason: reason, at: now)
    }

    private mutating func enter(_ new: AlarmState, reason: String, at now: Date) {
        guard new != state else { return }
        history.append(Control.AlarmStateChange(time: Self.timestamp(now), oldState: state.rawValue, newState: new.rawValue,
                                                reason: reason))
        if history.count > Self.historyLimit { history.removeFirst(history.count - Self.historyLimit) }
        state = new
        self.reason = reason
        stateUpdatedAt = now
    }

    var description: Control.Alarm {
        Control.Alarm(name: definition.name, state: state.rawValue, reason: reason, stateUpdatedAt: Self.timestamp(stateUpdatedAt),
                      datapoints: datapoints, history: history, definition: definition.spec)
    }

    // MARK: - Datapoints

    /// One period's datapoint from the snapshots at its ends: nil (missing) when the
    /// source did not exist at either end or its counters went back (it was re-created).
    /// A period without requests is 0 for counts and missing for rates and latencies.
    static func datapoint(_ metric: AlarmMetric, from start: CumulativeMetric?, to end: CumulativeMetric?) -> Double? {
        guard let start, let end, end.count >= start.count, end.errors >= start.errors else { return nil }
        return metric.datapoint(count: end.count - start.count, errors: end.errors - start.errors) { statistic in
            let period = end.latency.subtracting(start.latency)
            guard period.count > 0 else { return nil }
            switch statistic {
            case .average:
                return Double(period.totalMicroseconds) / Double(period.count) / 1000
            case .percentile(let p):
                return period.percentile(p / 100).map(milliseconds)
            }
        }
    }

    private static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
