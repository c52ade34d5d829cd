/// What an alarm makes of a period without a datapoint: CloudWatch's
/// `TreatMissingData`, with its spellings.
///
/// The options only matter when the evaluation range holds fewer real datapoints than
/// the alarm's evaluation periods; see `AlarmEvaluator` for the whole rule.
public enum TreatMissingData: String, Sendable, Hashable, CaseIterable {
    /// The default. With no datapoint at all the alarm goes to INSUFFICIENT_DATA;
    /// otherwise only the real datapoints count (and the premature-alarm rule applies).
    case missing
    /// Missing datapoints are good: within the threshold.
    case notBreaching
    /// Missing datapoints are bad: they breach the threshold.
    case breaching
    /// Missing datapoints keep the current state.
    case ignore

    /// Reads CloudWatch's spelling (`missing`, `notBreaching`, `breaching`, `ignore`);
    /// `not_breaching` is accepted too.
    public init(parsing text: String) throws(CoreError) {
        if let treat = TreatMissingData(rawValue: text) {
            self = treat
        } else if text == "not_breaching" {
            self = .notBreaching
        } else {
            throw .invalid("treat missing data \"\(text)\" is not one of missing, notBreaching, breaching, ignore")
        }
    }
}
