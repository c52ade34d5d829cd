/// What an alarm watches: one metric of a load balancer target group or of a
/// function, with its dimension (the target group's name; the function's name and,
/// optionally, a version — all versions together when nil).
///
/// Units: counts are per period; rates are percentages (100 · errors / requests, so a
/// threshold of 5 means 5 %); latency and duration are milliseconds. The rates are what
/// CloudWatch users write as metric math (`100 * HTTPCode_Target_5XX_Count / RequestCount`).
public enum AlarmMetric: Sendable, Hashable {
    /// Responses with a 5xx status (the balancer's own 502s and 503s included).
    case targetGroup5xxCount(targetGroup: String)
    /// Requests answered.
    case targetGroupRequestCount(targetGroup: String)
    /// Time to the end of the response, as a percentile or the average.
    case targetGroupLatency(targetGroup: String, statistic: AlarmStatistic)
    /// 5xx responses as a percentage of requests.
    case targetGroup5xxRate(targetGroup: String)
    /// Invocations that ended in an error.
    case functionErrors(function: String, version: String?)
    case functionInvocations(function: String, version: String?)
    /// Errors as a percentage of invocations.
    case functionErrorRate(function: String, version: String?)
    /// Invocation duration, as a percentile or the average.
    case functionDuration(function: String, version: String?, statistic: AlarmStatistic)

    /// The metric's name without its dimension, as the control API and Lua spell it.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case targetGroup5xxCount = "target_group_5xx_count"
        case targetGroupRequestCount = "target_group_request_count"
        case targetGroupLatency = "target_group_latency"
        case targetGroup5xxRate = "target_group_5xx_rate"
        case functionErrors = "function_errors"
        case functionInvocations = "function_invocations"
        case functionErrorRate = "function_error_rate"
        case functionDuration = "function_duration"

        /// Whether the metric is a distribution that needs a statistic.
        public var needsStatistic: Bool { self == .targetGroupLatency || self == .functionDuration }
        public var isTargetGroupMetric: Bool { rawValue.hasPrefix("target_group_") }
    }

    /// Where the numbers come from: the thing a sampler reads cumulative counters of.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        case targetGroup(String)
        case function(String, version: String?)

        public var description: String {
            switch self {
            case .targetGroup(let name): "target group \(name)"
            case .function(let name, nil): "function \(name)"
            case .function(let name, let version?): "function \(name) version \(version)"
            }
        }
    }

    /// How a period's datapoint is made from the period's counts.
    public enum Measure: Sendable, Hashable {
        /// Requests or invocations.
        case count
        /// 5xx answers or errors.
        case errors
        /// 100 · errors / count; no datapoint when count is 0.
        case errorRate
        /// Milliseconds, by the statistic; no datapoint without samples.
        case latency(AlarmStatistic)
    }

    /// Builds a metric from the separate fields of the control API or a Lua table,
    /// checking that the dimension fits the kind.
    ///
    /// Examples: (`target_group_5xx_rate`, targetGroup "web") → `.targetGroup5xxRate("web")`;
    /// (`function_duration`, function "thumbs", version "3", statistic p99) →
    /// `.functionDuration("thumbs", "3", .percentile(99))`; `target_group_latency` without a
    /// statistic, or with a function, is an error.
    public init(kind: Kind, targetGroup: String? = nil, function: String? = nil, version: String? = nil,
                statistic: AlarmStatistic? = nil) throws(CoreError) {
        let name = kind.rawValue
        if kind.isTargetGroupMetric {
            guard let targetGroup, !targetGroup.isEmpty else { throw .invalid("metric \(name) needs a target_group") }
            if function != nil || version != nil { throw .invalid("metric \(name) is measured on a target group: function and version do not apply") }
        } else {
            guard let function, !function.isEmpty else { throw .invalid("metric \(name) needs a function") }
            if targetGroup != nil { throw .invalid("metric \(name) is measured on a function: target_group does not apply") }
            if let version, version.isEmpty { throw .invalid("metric \(name): the version, when given, must not be empty") }
        }
        if kind.needsStatistic {
            guard let statistic else { throw .invalid("metric \(name) needs a statistic (Average, or a percentile such as p99)") }
            try statistic.validate()
        } else if let statistic {
            throw .invalid("metric \(name) is a \(kind == .targetGroup5xxRate || kind == .functionErrorRate ? "rate" : "count"): statistic \(statistic) does not apply")
        }
        switch kind {
        case .targetGroup5xxCount: self = .targetGroup5xxCount(targetGroup: targetGroup!)
        case .targetGroupRequestCount: self = .targetGroupRequestCount(targetGroup: targetGroup!)
        case .targetGroupLatency: self = .targetGroupLatency(targetGroup: targetGroup!, statistic: statistic!)
        case .targetGroup5xxRate: self = .targetGroup5xxRate(targetGroup: targetGroup!)
        case .functionErrors: self = .functionErrors(function: function!, version: version)
        case .functionInvocations: self = .functionInvocations(function: function!, version: version)
        case .functionErrorRate: self = .functionErrorRate(function: function!, version: version)
        case .functionDuration: self = .functionDuration(function: function!, version: version, statistic: statistic!)
        }
    }

    public var kind: Kind {
        switch self {
        case .targetGroup5xxCount: .targetGroup5xxCount
        case .targetGroupRequestCount: .targetGroupRequestCount
        case .targetGroupLatency: .targetGroupLatency
        case .targetGroup5xxRate: .targetGroup5xxRate
        case .functionErrors: .functionErrors
        case .functionInvocations: .functionInvocations
        case .functionErrorRate: .functionErrorRate
        case .functionDuration: .functionDuration
        }
    }

    public var source: Source {
        switch self {
        case .targetGroup5xxCount(let g), .targetGroupRequestCount(let g), .targetGroupLatency(let g, _),
             .targetGroup5xxRate(let g):
            .targetGroup(g)
        case .functionErrors(let f, let v), .functionInvocations(let f, let v), .functionErrorRate(let f, let v),
             .functionDuration(let f, let v, _):
            .function(f, version: v)
        }
    }

    /// The statistic of a latency or duration metric; nil for counts and rates.
    public var statistic: AlarmStatistic? {
        switch self {
        case .targetGroupLatency(_, let s), .functionDuration(_, _, let s): s
        default: nil
        }
    }

    public var measure: Measure {
        switch self {
        case .targetGroupRequestCount, .functionInvocations: .count
        case .targetGroup5xxCount, .functionErrors: .errors
        case .targetGroup5xxRate, .functionErrorRate: .errorRate
        case .targetGroupLatency(_, let s), .functionDuration(_, _, let s): .latency(s)
        }
    }

    /// The datapoint of one period from its counts: a sum for counts (0 when nothing
    /// happened: the source exists and counted nothing), a ratio for rates and the
    /// statistic for latencies (nil — missing — when there was no request: the closure
    /// answers nil for an empty period).
    ///
    /// Examples: 200 requests with 10 errors → errors 10, count 200, rate 5.0;
    /// 0 requests → errors 0, count 0, rate nil; latency p99 with no sample → nil.
    public func datapoint(count: UInt64, errors: UInt64, latencyMilliseconds: (AlarmStatistic) -> Double?) -> Double? {
        switch measure {
        case .count: Double(count)
        case .errors: Double(errors)
        case .errorRate: count == 0 ? nil : 100 * Double(errors) / Double(count)
        case .latency(let statistic): latencyMilliseconds(statistic)
        }
    }
}
