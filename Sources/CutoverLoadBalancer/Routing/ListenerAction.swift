/// Where a listener sends its requests: one target group, or several by weight.
///
/// Blue/green and traffic shifting change a listener's action: all traffic to blue,
/// then 90/10, then all to green.
public enum ListenerAction: Sendable {
    case forward(TargetGroup)
    case weightedForward([WeightedTargetGroup])

    /// The target groups the action can send traffic to, including weight-0 ones.
    public var targetGroups: [TargetGroup] {
        switch self {
        case .forward(let group): return [group]
        case .weightedForward(let weighted): return weighted.map(\.targetGroup)
        }
    }

    /// The action as (group, weight) pairs; a plain forward has weight 1.
    var weighted: [(item: TargetGroup, weight: Int)] {
        switch self {
        case .forward(let group): return [(group, 1)]
        case .weightedForward(let weighted): return weighted.map { ($0.targetGroup, $0.weight) }
        }
    }

    /// Applies ELB's rules: 1–5 distinct groups, weights 0–999, at least one positive.
    func validate() throws(LoadBalancerError) {
        guard case .weightedForward(let weighted) = self else { return }
        guard (1...5).contains(weighted.count) else {
            throw .invalidWeights("a weighted forward needs 1 to 5 target groups, got \(weighted.count)")
        }
        var names: Set<String> = []
        for entry in weighted {
            guard (0...999).contains(entry.weight) else {
                throw .invalidWeights("weight of target group \(entry.targetGroup.name) must be 0–999, got \(entry.weight)")
            }
            guard names.insert(entry.targetGroup.name).inserted else {
                throw .invalidWeights("target group \(entry.targetGroup.name) appears twice")
            }
        }
        guard weighted.contains(where: { $0.weight > 0 }) else {
            throw .invalidWeights("at least one weight must be positive")
        }
    }
}
