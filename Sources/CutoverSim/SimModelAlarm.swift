import CutoverCore

/// A function alarm on the simulator, modelled from the traffic: each version fails a
/// fixed share of its invocations (`SimCloud.versionErrorRates`), the alias splits the
/// requests (`SimCloud.requestRate` per second) by its weights over time, and each
/// period's datapoint is the expected error rate (percent), error count or invocation
/// count in it. The definition and its evaluation (M out of N, missing data) are the
/// same as on the local cloud (`AlarmDefinition`, `AlarmEvaluator`). A period in which
/// the measured version had no traffic has no datapoint. Metrics other than a
/// function's errors, error rate and invocations have no model: they never breach.
public struct SimModelAlarm: Sendable, Equatable {
    public var definition: AlarmDefinition

    public init(_ definition: AlarmDefinition) {
        self.definition = definition
    }
}

extension SimCloud {
    /// Whether a model alarm is in ALARM at `now`, evaluated over the whole periods
    /// that ended by then.
    func modelAlarmFires(_ alarm: SimModelAlarm) -> Bool {
        let d = alarm.definition
        let period = Int64(d.periodSeconds) * 1000
        let lastEnd = now / period * period
        let first = max(0, lastEnd / period - Int64(d.evaluationRange))
        var datapoints: [Double?] = []
        for k in first..<(lastEnd / period) {
            datapoints.append(modelDatapoint(d.metric, from: k * period, to: (k + 1) * period))
        }
        return AlarmEvaluator(d).evaluate(datapoints, current: .ok).state == .alarm
    }

    /// The expected datapoint of one period, nil when nothing was measured.
    func modelDatapoint(_ metric: AlarmMetric, from start: Int64, to end: Int64) -> Double? {
        let function: String, version: String?
        switch metric {
        case .functionErrors(let f, let v), .functionErrorRate(let f, let v), .functionInvocations(let f, let v):
            (function, version) = (f, v)
        default:
            return nil
        }
        let rates = versionErrorRates[function] ?? [:]
        let perMillisecond = requestRate / 1000
        var requests = 0.0
        var errors = 0.0
        for d in deployments where d.spec.traffic?.kind == .function && d.spec.traffic?.name == function {
            guard let traffic = d.spec.traffic, let history = weightHistory[d.spec.id], !history.isEmpty else { continue }
            let dEnd = d.state.isEnded ? (d.log.last?.time ?? now) : now
            for (i, change) in history.enumerated() {
                let from = max(start, change.atMilliseconds)
                let to = min(end, i + 1 < history.count ? history[i + 1].atMilliseconds : dEnd)
                guard to > from else { continue }
                let total = Double(to - from) * perMillisecond
                let onTarget = total * Double(change.weight) / 100
                for (v, share) in [(traffic.targetVersion, onTarget), (traffic.currentVersion, total - onTarget)]
                    where share > 0 && (version == nil || version == v) {
                    requests += share
                    errors += share * (rates[v] ?? 0)
                }
            }
        }
        guard requests > 0 else { return nil }
        switch metric {
        case .functionErrorRate: return 100 * errors / requests
        case .functionErrors: return errors
        default: return requests
        }
    }
}
