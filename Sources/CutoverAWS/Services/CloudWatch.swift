import Foundation

/// CloudWatch over JSON 1.0 (as botocore speaks it; moto answers it too): the alarms a
/// deployment watches.
///
/// Idempotency, per operation:
/// - DescribeAlarms: a read.
/// - SetAlarmState: sets a state until the next evaluation; a repeat sets it again. Retried.
/// - PutMetricAlarm (tests): creates or replaces the alarm with the same definition. Retried.
public struct CloudWatch: Sendable {
    public let client: AWSClient

    public init(_ client: AWSClient) { self.client = client }

    // MARK: - Results

    public struct Alarm: Sendable, Equatable {
        public enum State: String, Sendable, Equatable {
            case ok = "OK"
            case alarm = "ALARM"
            case insufficientData = "INSUFFICIENT_DATA"
        }

        public enum Kind: String, Sendable, Equatable {
            case metric = "MetricAlarm"
            case composite = "CompositeAlarm"
        }

        public var name: String
        public var arn: String
        public var kind: Kind
        public var state: State
        /// Why the alarm is in its state, in CloudWatch's words (or SetAlarmState's caller's).
        public var reason: String
        /// When the state last changed.
        public var updated: Date?
    }

    // MARK: - Alarms

    /// The metric and composite alarms among `names` that exist, in CloudWatch's order
    /// (by name). Names that do not exist are simply absent: use `alarms(named:)` to
    /// require them. A hundred names a call, every page of each.
    public func describeAlarms(names: [String], pageSize: Int = 100) throws -> [Alarm] {
        let operation = AWSOperation(.cloudWatch, "DescribeAlarms")
        var alarms: [Alarm] = []
        for start in stride(from: 0, to: names.count, by: 100) {
            let chunk = names[start..<min(start + 100, names.count)]
            try client.paginate(operation) { token in
                var input: [String: JSON] = [
                    "AlarmNames": .array(chunk.map(JSON.string)), "AlarmTypes": ["MetricAlarm", "CompositeAlarm"],
                    "MaxRecords": .number(Double(pageSize)),
                ]
                if let token { input["NextToken"] = .string(token) }
                let page = try client.json(operation, .object(input))
                for (key, kind) in [("MetricAlarms", Alarm.Kind.metric), ("CompositeAlarms", .composite)] {
                    alarms += try (page[key]?.array ?? []).map { try Self.alarm($0, kind: kind) }
                }
                return page["NextToken"]?.string
            }
        }
        return alarms
    }

    /// The alarms named, in the order given. One that does not exist is an `AWSError`
    /// (CloudWatch's ResourceNotFound, as SetAlarmState answers for an unknown alarm)
    /// naming every missing alarm and the region looked in: an alarm a deployment
    /// watches must exist, or it would never stop anything.
    public func alarms(named names: [String]) throws -> [Alarm] {
        let found = Dictionary(try describeAlarms(names: names).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let missing = names.filter { found[$0] == nil }
        guard missing.isEmpty else {
            let list = missing.map { "'\($0)'" }.joined(separator: ", ")
            throw AWSError(kind: .service, service: AWSService.cloudWatch.name, operation: "DescribeAlarms", code: "ResourceNotFound",
                           message: "no alarm named \(list) in \(client.configuration.region)"
                               + " (check the name and the region; DescribeAlarms answered no metric or composite alarm by that name)")
        }
        return names.compactMap { found[$0] }
    }

    /// Puts alarm `name` in `state` until CloudWatch next evaluates it (tests use it to
    /// trigger a rollback; moto never evaluates, so the state stays).
    public func setAlarmState(_ name: String, state: Alarm.State, reason: String) throws {
        _ = try client.json(AWSOperation(.cloudWatch, "SetAlarmState", idempotent: true),
                            ["AlarmName": .string(name), "StateValue": .string(state.rawValue), "StateReason": .string(reason)])
    }

    /// Creates or replaces a metric alarm on one metric (tests).
    public func putMetricAlarm(_ name: String, namespace: String, metric: String, dimensions: [String: String] = [:],
                               statistic: String = "Sum", period: Int = 60, evaluationPeriods: Int = 1, threshold: Double,
                               comparison: String = "GreaterThanThreshold") throws {
        let dimensionList: [JSON] = dimensions.sorted { $0.key < $1.key }.map { ["Name": .string($0.key), "Value": .string($0.value)] }
        _ = try client.json(AWSOperation(.cloudWatch, "PutMetricAlarm", idempotent: true), [
            "AlarmName": .string(name), "Namespace": .string(namespace), "MetricName": .string(metric),
            "Dimensions": .array(dimensionList), "Statistic": .string(statistic), "Period": .number(Double(period)),
            "EvaluationPeriods": .number(Double(evaluationPeriods)), "Threshold": .number(threshold),
            "ComparisonOperator": .string(comparison),
        ])
    }

    // MARK: - Reading answers

    static func alarm(_ json: JSON, kind: Alarm.Kind) throws -> Alarm {
        guard let name = json["AlarmName"]?.string else { throw malformed("no AlarmName in \(json)") }
        let value = json["StateValue"]?.string ?? ""
        guard let state = Alarm.State(rawValue: value) else { throw malformed("alarm \(name) has the unknown state '\(value)'") }
        return Alarm(name: name, arn: json["AlarmArn"]?.string ?? "", kind: kind, state: state,
                     reason: json["StateReason"]?.string ?? "", updated: WireTimestamp.date(json["StateUpdatedTimestamp"]))
    }

    static func malformed(_ message: String) -> AWSError {
        AWSError(kind: .malformedResponse, service: AWSService.cloudWatch.name, operation: "DescribeAlarms", message: message)
    }
}
