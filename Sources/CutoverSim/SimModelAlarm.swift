import CutoverCore

extension SimCloud {
    /// Whether a function alarm (`modelAlarms`) is in ALARM now, by `SimAlarmModel` over
    /// the function's latest deployment: the version that had the traffic fails
    /// `versionErrorRates` of its invocations, the target version its own share, the
    /// alias splits `requestRate` requests per second by the deployment's weights. A
    /// metric of one version counts that version's invocations only; other metrics
    /// (load balancers, latency) have no model here and never breach.
    func modelAlarmFires(_ definition: AlarmDefinition) -> Bool {
        let function: String, version: String?
        switch definition.metric {
        case .functionErrors(let f, let v), .functionErrorRate(let f, let v), .functionInvocations(let f, let v):
            (function, version) = (f, v)
        default:
            return false
        }
        guard let d = deployments.last(where: { $0.spec.traffic?.kind == .function && $0.spec.traffic?.name == function }),
              let traffic = d.spec.traffic else { return false }
        let rates = versionErrorRates[function] ?? [:]
        let current = rates[traffic.currentVersion] ?? 0, target = rates[traffic.targetVersion] ?? 0
        let model: SimAlarmModel
        do {
            switch version {
            case nil:
                model = try SimAlarmModel(definition: definition, baselineErrorRate: current, newErrorRate: target,
                                          requestsPerSecond: requestRate)
            case traffic.targetVersion?:
                model = try SimAlarmModel(definition: definition, baselineErrorRate: current, newErrorRate: target,
                                          requestsPerSecond: requestRate, newVersionOnly: true)
            default:
                return false
            }
        } catch {
            return false
        }
        let history = (weightHistory[d.spec.id] ?? []).map { (atMs: $0.atMilliseconds, weight: $0.weight) }
        return model.state(at: now, weightHistory: history, seed: seed) == .alarm
    }
}
