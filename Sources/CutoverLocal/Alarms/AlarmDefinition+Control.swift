import CutoverCore

extension AlarmDefinition {
    /// The definition the control API sends, checked; errors say which field is wrong.
    public init(name: String, spec: Control.AlarmSpec) throws(CoreError) {
        guard let kind = AlarmMetric.Kind(rawValue: spec.metric) else {
            throw .invalid("alarm \(name): metric \"\(spec.metric)\" is not one of \(AlarmMetric.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let statistic: AlarmStatistic?
        if let text = spec.statistic { statistic = try AlarmStatistic(parsing: text) } else { statistic = nil }
        let metric = try AlarmMetric(kind: kind, targetGroup: spec.targetGroup, function: spec.function,
                                     version: spec.version, statistic: statistic)
        let treat: TreatMissingData
        if let text = spec.treatMissingData { treat = try TreatMissingData(parsing: text) } else { treat = .missing }
        try self.init(name: name, metric: metric, comparison: try AlarmComparison(parsing: spec.comparison),
                      threshold: spec.threshold, periodSeconds: spec.periodSeconds,
                      evaluationPeriods: spec.evaluationPeriods, datapointsToAlarm: spec.datapointsToAlarm,
                      treatMissingData: treat)
    }

    /// The control API's form, every default spelled out.
    var spec: Control.AlarmSpec {
        var targetGroup: String?, function: String?, version: String?
        switch metric.source {
        case .targetGroup(let name): targetGroup = name
        case .function(let name, let v):
            function = name
            version = v
        }
        return Control.AlarmSpec(metric: metric.kind.rawValue, targetGroup: targetGroup, function: function, version: version,
                                 statistic: metric.statistic?.description, comparison: comparison.rawValue,
                                 threshold: threshold, periodSeconds: periodSeconds, evaluationPeriods: evaluationPeriods,
                                 datapointsToAlarm: datapointsToAlarm, treatMissingData: treatMissingData.rawValue)
    }
}
