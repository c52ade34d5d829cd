/// What one evaluation of an alarm decided.
public struct AlarmEvaluation: Sendable, Equatable {
    /// The state the alarm is in after the evaluation (the current one when it is kept).
    public var state: AlarmState
    /// Why, in CloudWatch's words ("Threshold Crossed: …", "Insufficient Data: …").
    public var reason: String
    /// The N datapoints the decision used, oldest first; nil is a missing one filled in
    /// by the treat-missing-data option. Empty when no datapoint was found.
    public var evaluated: [Double?]
    /// How many of them breach (filled ones included when missing data is breaching).
    public var breaching: Int

    public init(state: AlarmState, reason: String, evaluated: [Double?] = [], breaching: Int = 0) {
        self.state = state
        self.reason = reason
        self.evaluated = evaluated
        self.breaching = breaching
    }
}
