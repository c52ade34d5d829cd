/// One `CapacityProviderStrategy` entry of an ECS appspec: where replacement tasks run.
public struct CapacityProviderStrategyItem: Sendable, Equatable {
    public var capacityProvider: String
    /// Tasks placed on this provider first; only one entry may set it.
    public var base: Int
    /// The share of the remaining tasks.
    public var weight: Int

    public init(capacityProvider: String, base: Int = 0, weight: Int = 0) {
        self.capacityProvider = capacityProvider
        self.base = base
        self.weight = weight
    }
}
