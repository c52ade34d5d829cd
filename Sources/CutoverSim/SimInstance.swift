import CutoverCore

/// One simulated instance: identity, tags, and what the deployments left on it.
public struct SimInstance: Sendable, Equatable {
    public var id: String
    public var tags: [String: String]
    public var autoScalingGroup: String?
    /// The revision last installed successfully.
    public var revision: String?
    public var health: TargetDescription.Health

    public init(id: String, tags: [String: String] = [:], autoScalingGroup: String? = nil,
                revision: String? = nil, health: TargetDescription.Health = .healthy) {
        self.id = id
        self.tags = tags
        self.autoScalingGroup = autoScalingGroup
        self.revision = revision
        self.health = health
    }

    public var description: TargetDescription {
        TargetDescription(id: id, tags: tags, autoScalingGroup: autoScalingGroup, health: health, revision: revision)
    }
}
