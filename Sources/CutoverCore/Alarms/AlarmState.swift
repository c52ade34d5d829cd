/// The state of a metric alarm, spelled as CloudWatch spells it.
public enum AlarmState: String, Sendable, Hashable, CaseIterable {
    case ok = "OK"
    case alarm = "ALARM"
    /// No decision yet: the alarm was just created, or every datapoint it looks at is
    /// missing and missing data is treated as missing.
    case insufficientData = "INSUFFICIENT_DATA"

    /// Reads `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    public init(parsing text: String) throws(CoreError) {
        guard let state = AlarmState(rawValue: text) else {
            throw .invalid("alarm state \"\(text)\" is not one of OK, ALARM, INSUFFICIENT_DATA")
        }
        self = state
    }
}
