import CutoverCore

/// An alarm on a simulated function's errors, modelled from the traffic: each version
/// fails a fixed share of its invocations (`SimCloud.versionErrorRates`), the alias
/// splits the requests by its weights over time, and the alarm compares one datapoint
/// per period — the expected error rate (or error count) in it — with a threshold, M out
/// of the last N periods, as CloudWatch does. Periods with no traffic to the measured
/// version are missing data, which does not breach.
public struct SimModelAlarm: Sendable, Equatable {
    public enum Metric: String, Sendable {
        case errorRate = "function_error_rate"
        case errors = "function_errors"
    }

    public var name: String
    public var function: String
    /// Only this version's invocations; nil: the whole alias.
    public var version: String?
    public var metric: Metric
    /// `>`, `>=`, `<` or `<=`.
    public var comparison: String
    public var threshold: Double
    public var periodMilliseconds: Int64
    public var evaluationPeriods: Int
    public var datapointsToAlarm: Int

    public init(name: String, function: String, version: String?, metric: Metric, comparison: String, threshold: Double,
                periodMilliseconds: Int64, evaluationPeriods: Int, datapointsToAlarm: Int) {
        self.name = name
        self.function = function
        self.version = version
        self.metric = metric
        self.comparison = comparison
        self.threshold = threshold
        self.periodMilliseconds = periodMilliseconds
        self.evaluationPeriods = evaluationPeriods
        self.datapointsToAlarm = datapointsToAlarm
    }

    func breaches(_ value: Double) -> Bool {
        switch comparison {
        case ">=": value >= threshold
        case "<": value < threshold
        case "<=": value <= threshold
        default: value > threshold
        }
    }
}

extension SimCloud {
    /// Whether a model alarm is in ALARM at `now`: the last N whole periods, M breaching.
    func modelAlarmFires(_ alarm: SimModelAlarm) -> Bool {
        let period = max(1, alarm.periodMilliseconds)
        let lastEnd = now / period * period
        var breaching = 0
        for k in 0..<alarm.evaluationPeriods {
            let end = lastEnd - Int64(k) * period
            let start = end - period
            guard start >= 0, let value = modelDatapoint(alarm, from: start, to: end) else { continue }
            if alarm.breaches(value) { breaching += 1 }
        }
        return breaching >= alarm.datapointsToAlarm
    }

    /// The expected error rate (or count) of a period, nil when nothing was measured.
    func modelDatapoint(_ alarm: SimModelAlarm, from start: Int64, to end: Int64) -> Double? {
        let rates = versionErrorRates[alarm.function] ?? [:]
        // The deployments of this function, each with its versions and weight changes.
        var requests = 0.0
        var errors = 0.0
        let perMillisecond = requestRate / 1000
        for d in deployments where d.spec.traffic?.kind == .function && d.spec.traffic?.name == alarm.function {
            guard let traffic = d.spec.traffic, let history = weightHistory[d.spec.id], !history.isEmpty else { continue }
            let dEnd = d.state.isEnded ? (d.log.last?.time ?? now) : now
            for (i, change) in history.enumerated() {
                let from = max(start, change.atMilliseconds)
                let to = min(end, i + 1 < history.count ? history[i + 1].atMilliseconds : dEnd)
                guard to > from else { continue }
                let total = Double(to - from) * perMillisecond
                let onTarget = total * Double(change.weight) / 100
                let onCurrent = total - onTarget
                for (version, share) in [(traffic.targetVersion, onTarget), (traffic.currentVersion, onCurrent)]
                    where alarm.version == nil || alarm.version == version {
                    requests += share
                    errors += share * (rates[version] ?? 0)
                }
            }
        }
        guard requests > 0 else { return nil }
        return alarm.metric == .errorRate ? errors / requests : errors
    }
}
