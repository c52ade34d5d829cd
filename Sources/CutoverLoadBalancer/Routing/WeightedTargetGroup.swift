/// A target group with its share of a listener's traffic, as in an ELB weighted
/// forward action.
public struct WeightedTargetGroup: Sendable {
    public var targetGroup: TargetGroup
    /// Relative weight, 0–999 as ELB allows; 0 sends the group nothing.
    public var weight: Int

    public init(_ targetGroup: TargetGroup, weight: Int) {
        self.targetGroup = targetGroup
        self.weight = weight
    }
}
