/// How a datapoint is compared with an alarm's threshold: CloudWatch's
/// `ComparisonOperator`, written as the operator.
public enum AlarmComparison: String, Sendable, Hashable, CaseIterable {
    /// `GreaterThanThreshold`
    case greaterThan = ">"
    /// `GreaterThanOrEqualToThreshold`
    case greaterThanOrEqual = ">="
    /// `LessThanThreshold`
    case lessThan = "<"
    /// `LessThanOrEqualToThreshold`
    case lessThanOrEqual = "<="

    /// Reads the operator (`>`, `>=`, `<`, `<=`) or CloudWatch's name for it
    /// (`GreaterThanThreshold`…).
    public init(parsing text: String) throws(CoreError) {
        if let comparison = AlarmComparison(rawValue: text) {
            self = comparison
            return
        }
        guard let comparison = AlarmComparison.allCases.first(where: { $0.cloudWatchName == text }) else {
            throw .invalid("comparison \"\(text)\" is not one of >, >=, <, <= (or GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold, LessThanOrEqualToThreshold)")
        }
        self = comparison
    }

    /// CloudWatch's `ComparisonOperator` value.
    public var cloudWatchName: String {
        switch self {
        case .greaterThan: "GreaterThanThreshold"
        case .greaterThanOrEqual: "GreaterThanOrEqualToThreshold"
        case .lessThan: "LessThanThreshold"
        case .lessThanOrEqual: "LessThanOrEqualToThreshold"
        }
    }

    /// Whether `value` breaches `threshold`.
    public func breaches(_ value: Double, threshold: Double) -> Bool {
        switch self {
        case .greaterThan: value > threshold
        case .greaterThanOrEqual: value >= threshold
        case .lessThan: value < threshold
        case .lessThanOrEqual: value <= threshold
        }
    }

    /// The words of a state reason: "greater than", "less than or equal to"…
    public var phrase: String {
        switch self {
        case .greaterThan: "greater than"
        case .greaterThanOrEqual: "greater than or equal to"
        case .lessThan: "less than"
        case .lessThanOrEqual: "less than or equal to"
        }
    }
}
