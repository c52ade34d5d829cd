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
    /// An on-premises instance (matched by a group's on-premises tags, never by its EC2
    /// ones; no load balancer registration).
    public var onPremises: Bool

    public init(id: String, tags: [String: String] = [:], autoScalingGroup: String? = nil,
                health: Health = .healthy, revision: String? = nil, onPremises: Bool = false) {
        self.id = id
        self.tags = tags
        self.autoScalingGroup = autoScalingGroup
        self.health = health
        self.revision = revision
        self.onPremises = onPremises
    }

    /// Records written before on-premises instances existed have no `onPremises`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        tags = try c.decode([String: String].self, forKey: .tags)
        autoScalingGroup = try c.decodeIfPresent(String.self, forKey: .autoScalingGroup)
        health = try c.decode(Health.self, forKey: .health)
        revision = try c.decodeIfPresent(String.self, forKey: .revision)
        onPremises = try c.decodeIfPresent(Bool.self, forKey: .onPremises) ?? false
    }

    public func revisionHealth(current: String?) -> RevisionHealth {
        guard let revision else { return .unknown }
        return revision == current ? .current : .old
    }
}
