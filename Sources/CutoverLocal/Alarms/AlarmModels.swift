import CutoverCore

// The alarms' part of the control API (daemon ⇄ orchestrator). Field names are
// snake_case on the wire whatever the encoder's settings, as CloudWatch's CLI input
// and the Lua side spell them.

extension Control {
    /// An alarm's definition: the body of `PUT /v1/alarms/NAME`, and the `definition` of
    /// an alarm the daemon describes (with every default filled in).
    ///
    /// `metric` is one of `target_group_5xx_count`, `target_group_request_count`,
    /// `target_group_latency`, `target_group_5xx_rate` (with `target_group`), or
    /// `function_errors`, `function_invocations`, `function_error_rate`,
    /// `function_duration` (with `function` and optionally `version`). Latency and
    /// duration need a `statistic` (`p99`, `p50`, `Average`…) and are in milliseconds;
    /// rates are percentages. `comparison` is `>`, `>=`, `<` or `<=`;
    /// `treat_missing_data` is `missing` (default), `notBreaching`, `breaching` or `ignore`.
    public struct AlarmSpec: Codable, Sendable, Equatable {
        public var metric: String
        public var targetGroup: String?
        public var function: String?
        public var version: String?
        public var statistic: String?
        public var comparison: String
        public var threshold: Double
        public var periodSeconds: Int
        public var evaluationPeriods: Int
        public var datapointsToAlarm: Int?
        public var treatMissingData: String?

        enum CodingKeys: String, CodingKey {
            case metric, function, version, statistic, comparison, threshold
            case targetGroup = "target_group"
            case periodSeconds = "period_seconds"
            case evaluationPeriods = "evaluation_periods"
            case datapointsToAlarm = "datapoints_to_alarm"
            case treatMissingData = "treat_missing_data"
        }

        public init(metric: String, targetGroup: String? = nil, function: String? = nil, version: String? = nil,
                    statistic: String? = nil, comparison: String, threshold: Double, periodSeconds: Int,
                    evaluationPeriods: Int, datapointsToAlarm: Int? = nil, treatMissingData: String? = nil) {
            self.metric = metric
            self.targetGroup = targetGroup
            self.function = function
            self.version = version
            self.statistic = statistic
            self.comparison = comparison
            self.threshold = threshold
            self.periodSeconds = periodSeconds
            self.evaluationPeriods = evaluationPeriods
            self.datapointsToAlarm = datapointsToAlarm
            self.treatMissingData = treatMissingData
        }
    }

    /// An alarm as `GET /v1/alarms/NAME` describes it.
    public struct Alarm: Codable, Sendable, Equatable {
        public var name: String
        /// `OK`, `ALARM` or `INSUFFICIENT_DATA`.
        public var state: String
        /// Why the alarm entered its state (CloudWatch's StateReason).
        public var reason: String
        /// When it entered it, ISO 8601.
        public var stateUpdatedAt: String
        /// The datapoints of the evaluation range (the last N + 2 periods), oldest first;
        /// null for a period without one.
        public var datapoints: [Double?]
        /// State changes, oldest first (the last 100).
        public var history: [AlarmStateChange]
        public var definition: AlarmSpec

        enum CodingKeys: String, CodingKey {
            case name, state, reason, datapoints, history, definition
            case stateUpdatedAt = "state_updated_at"
        }

        public init(name: String, state: String, reason: String, stateUpdatedAt: String, datapoints: [Double?],
                    history: [AlarmStateChange], definition: AlarmSpec) {
            self.name = name
            self.state = state
            self.reason = reason
            self.stateUpdatedAt = stateUpdatedAt
            self.datapoints = datapoints
            self.history = history
            self.definition = definition
        }

        public var isInAlarm: Bool { state == AlarmState.alarm.rawValue }
    }

    /// One entry of an alarm's history.
    public struct AlarmStateChange: Codable, Sendable, Equatable {
        /// ISO 8601.
        public var time: String
        public var oldState: String
        public var newState: String
        public var reason: String

        enum CodingKeys: String, CodingKey {
            case time, reason
            case oldState = "old_state"
            case newState = "new_state"
        }

        public init(time: String, oldState: String, newState: String, reason: String) {
            self.time = time
            self.oldState = oldState
            self.newState = newState
            self.reason = reason
        }
    }

    /// `PUT /v1/alarms/NAME/state`: CloudWatch's SetAlarmState. The state holds until
    /// the alarm's next evaluation (the end of its current period).
    public struct SetAlarmState: Codable, Sendable, Equatable {
        public var state: String
        public var reason: String
        public init(state: String, reason: String) {
            self.state = state
            self.reason = reason
        }
    }

    /// `POST /v1/alarms/describe`: the alarms of these names.
    public struct DescribeAlarms: Codable, Sendable, Equatable {
        public var names: [String]
        public init(names: [String]) { self.names = names }
    }

    /// The answer to `POST /v1/alarms/describe`: the alarms found, in the order asked,
    /// and the names no alarm has.
    public struct AlarmDescriptions: Codable, Sendable, Equatable {
        public var alarms: [Alarm]
        public var missing: [String]
        public init(alarms: [Alarm], missing: [String]) {
            self.alarms = alarms
            self.missing = missing
        }
    }
}
