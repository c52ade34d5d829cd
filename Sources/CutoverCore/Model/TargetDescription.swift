/// What the deployment knows of one instance before it starts: identity, tags, and
/// the health CodeDeploy tracks for it (reference §7.1).
public struct TargetDescription: Sendable, Equatable, Codable {
    public enum Health: String, Sendable, Codable {
        case healthy = "Healthy"
        case unhealthy = "Unhealthy"
    }

    /// Whether the target has the group's current revision (reference §7.1).
    public enum RevisionHealth: String, Sendable, Codable {
        case current = "Current"
        case old = "Old"
        case unknown = "Unknown"
    }

    public var id: String
    public var tags: [String: String]
    public var autoScalingGroup: String?
    public var health: Health
    /// The revision last installed successfully, if any.
    public var revision: String?

    public init(id: String, tags: [String: String] = [:], autoScalingGroup: String? = nil,
                health: Health = .healthy, revision: String? = nil) {
        self.id = id
        self.tags = tags
        self.autoScalingGroup = autoScalingGroup
        self.health = health
        self.revision = revision
    }

    public func revisionHealth(current: String?) -> RevisionHealth {
        guard let revision else { return .unknown }
        return revision == current ? .current : .old
    }
}
