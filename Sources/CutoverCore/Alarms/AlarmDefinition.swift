/// A metric alarm, as CloudWatch's PutMetricAlarm defines one: a metric, a threshold
/// and a comparison, and an M-out-of-N rule over fixed periods.
///
/// Every period gives one datapoint; the alarm looks at the last N (`evaluationPeriods`)
/// and goes to ALARM when M (`datapointsToAlarm`) of them breach the threshold.
/// Example: period 60, N = 3, M = 2, `> 5`: datapoints [7, 2, 9] → 2 of 3 breach → ALARM.
///
/// A definition is checked when it is made, so an existing one is always valid.
public struct AlarmDefinition: Sendable, Hashable {
    public let name: String
    public let metric: AlarmMetric
    public let comparison: AlarmComparison
    public let threshold: Double
    /// The length of one period. CloudWatch accepts 10, 30 or a multiple of 60; any
    /// whole number of seconds from 1 is accepted here, so local tests run in seconds.
    public let periodSeconds: Int
    /// N: how many of the most recent periods the alarm looks at.
    public let evaluationPeriods: Int
    /// M: how many of those N must breach for ALARM (1 ≤ M ≤ N; N when not given).
    public let datapointsToAlarm: Int
    public let treatMissingData: TreatMissingData

    /// CloudWatch's limits: an ASCII name of 1–255 characters, N ≥ 1, 1 ≤ M ≤ N, a finite
    /// threshold, and N · period at most one day. The period here is any whole number of
    /// seconds from 1 (CloudWatch: 10, 30 or 60·k).
    public init(name: String, metric: AlarmMetric, comparison: AlarmComparison, threshold: Double,
                periodSeconds: Int, evaluationPeriods: Int, datapointsToAlarm: Int? = nil,
                treatMissingData: TreatMissingData = .missing) throws(CoreError) {
        if name.isEmpty || name.utf8.count > 255 {
            throw .invalid("alarm name must have 1 to 255 characters, got \(name.utf8.count)")
        }
        if let bad = name.unicodeScalars.first(where: { !$0.isASCII || $0.value < 0x20 || $0.value == 0x7F }) {
            throw .invalid("alarm name \"\(name)\": character U+\(String(bad.value, radix: 16, uppercase: true)) is not allowed (ASCII only, no control characters)")
        }
        let label = "alarm \(name)"
        switch metric {
        case .targetGroupLatency(_, let s), .functionDuration(_, _, let s): try s.validate()
        default: break
        }
        if !threshold.isFinite { throw .invalid("\(label): the threshold must be a finite number") }
        if periodSeconds < 1 { throw .invalid("\(label): period_seconds must be at least 1, got \(periodSeconds)") }
        if evaluationPeriods < 1 { throw .invalid("\(label): evaluation_periods must be at least 1, got \(evaluationPeriods)") }
        let m = datapointsToAlarm ?? evaluationPeriods
        if m < 1 || m > evaluationPeriods {
            throw .invalid("\(label): datapoints_to_alarm must be between 1 and evaluation_periods (\(evaluationPeriods)), got \(m)")
        }
        if evaluationPeriods > 86_400 / periodSeconds {
            throw .invalid("\(label): evaluation_periods × period_seconds must be at most one day (86400 s), got \(evaluationPeriods) × \(periodSeconds)")
        }
        self.name = name
        self.metric = metric
        self.comparison = comparison
        self.threshold = threshold
        self.periodSeconds = periodSeconds
        self.evaluationPeriods = evaluationPeriods
        self.datapointsToAlarm = m
        self.treatMissingData = treatMissingData
    }

    /// How many recent periods an evaluation may reach back to when some are missing:
    /// N + 2. CloudWatch retrieves more periods than N ("the evaluation range"); how many
    /// depends on the period and is not published, and its documented examples use 5 for
    /// N = 3, which this keeps.
    public var evaluationRange: Int { evaluationPeriods + 2 }
}
