/// Picks items in proportion to their weights, deterministically and evenly spread:
/// nginx's smooth weighted round robin.
///
/// Each pick adds every item's weight to its running score, picks the highest score
/// (the first on ties) and subtracts the total weight from the winner. Over any run of
/// `total` consecutive picks each item is picked exactly `weight` times, and picks of a
/// light item are spread out rather than bunched. A random split of 100,000 requests at
/// 10/90 lands within about ±0.3% of 10%; this one is exact.
///
/// Worked example, weights a=1, b=2 (total 3): scores start (0,0); pick 1 → (1,2) →
/// b, (1,-1); pick 2 → (2,1) → a, (-1,1); pick 3 → (0,3) → b, (0,0). Sequence b a b,
/// and the scores are back where they started.
///
/// Items with weight 0 are never picked. Not thread-safe: callers hold a lock.
public struct SmoothWeightedRoundRobin<Item> {
    public private(set) var items: [Item]
    public let weights: [Int]
    private var scores: [Int]
    private let total: Int

    /// Weights must be non-negative with a positive sum, one per item.
    public init(_ weighted: [(item: Item, weight: Int)]) {
        precondition(!weighted.isEmpty, "no items to pick from")
        precondition(weighted.allSatisfy { $0.weight >= 0 }, "negative weight")
        self.items = weighted.map(\.item)
        self.weights = weighted.map(\.weight)
        self.total = weights.reduce(0, +)
        precondition(total > 0, "weights sum to zero")
        self.scores = Array(repeating: 0, count: weighted.count)
    }

    /// The index of the next item.
    public mutating func nextIndex() -> Int {
        if items.count == 1 { return 0 }
        var best = 0
        for i in scores.indices {
            scores[i] += weights[i]
            if scores[i] > scores[best] { best = i }
        }
        scores[best] -= total
        return best
    }

    public mutating func next() -> Item {
        items[nextIndex()]
    }
}

extension SmoothWeightedRoundRobin: Sendable where Item: Sendable {}
