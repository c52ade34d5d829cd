/// An EC2-style tag filter (reference §14.1).
public struct TagFilter: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// The target has the key, whatever its value.
        case keyOnly = "KEY_ONLY"
        /// Some tag of the target has the value, whatever its key.
        case valueOnly = "VALUE_ONLY"
        /// The target has exactly this key and value.
        case keyAndValue = "KEY_AND_VALUE"
    }

    public var key: String?
    public var value: String?
    public var kind: Kind

    public init(key: String? = nil, value: String? = nil, kind: Kind? = nil) {
        self.key = key
        self.value = value
        // As the API infers it when the type is left out.
        self.kind = kind ?? (key == nil ? .valueOnly : value == nil ? .keyOnly : .keyAndValue)
    }

    public func matches(_ tags: [String: String]) -> Bool {
        switch kind {
        case .keyOnly: return key.map { tags[$0] != nil } ?? false
        case .valueOnly: return value.map { v in tags.values.contains(v) } ?? false
        case .keyAndValue: return key.map { tags[$0] == value } ?? false
        }
    }
}

/// On-premises instances by their tags, as CodeDeploy's onPremisesInstanceTagFilters and
/// onPremisesTagSet: kept apart from the EC2 ones, which never match an on-premises
/// instance (nor these an EC2 one).
public struct OnPremisesSelection: Sendable, Equatable, Codable {
    public var tagFilters: [TagFilter]
    public var tagSet: [[TagFilter]]

    public init(tagFilters: [TagFilter] = [], tagSet: [[TagFilter]] = []) {
        self.tagFilters = tagFilters
        self.tagSet = tagSet
    }
}

/// How a deployment group picks its targets: tag filters (any matches), or a tag set
/// (every group must match one of its filters), plus Auto Scaling groups and targets
/// named outright. The union of all of them is the target set (reference §14.1).
public struct TargetSelection: Sendable, Equatable, Codable {
    /// A target matching any of these is in (OR).
    public var tagFilters: [TagFilter]
    /// A target must match at least one filter of every inner list (AND of ORs); at most 3 lists.
    public var tagSet: [[TagFilter]]
    public var autoScalingGroups: [String]
    public var explicit: [String]
    /// On-premises instances (nil: none; a record written before they existed has none).
    public var onPremises: OnPremisesSelection?

    public init(tagFilters: [TagFilter] = [], tagSet: [[TagFilter]] = [], autoScalingGroups: [String] = [],
                explicit: [String] = [], onPremises: OnPremisesSelection? = nil) {
        self.tagFilters = tagFilters
        self.tagSet = tagSet
        self.autoScalingGroups = autoScalingGroups
        self.explicit = explicit
        self.onPremises = onPremises
    }

    /// Checks the CodeDeploy constraints: filters and a tag set are exclusive, at most
    /// three tag groups, at most ten Auto Scaling groups.
    public func validate() throws(CoreError) {
        if !tagFilters.isEmpty && !tagSet.isEmpty {
            throw .invalid("targets: use tag filters or a tag set, not both (InvalidEC2TagCombinationException)")
        }
        if tagSet.count > 3 { throw .invalid("targets: a tag set has at most 3 groups, got \(tagSet.count)") }
        if autoScalingGroups.count > 10 {
            throw .invalid("targets: at most 10 Auto Scaling groups, got \(autoScalingGroups.count)")
        }
        if let onPremises {
            if !onPremises.tagFilters.isEmpty && !onPremises.tagSet.isEmpty {
                throw .invalid("targets.on_premises: use tag filters or a tag set, not both (InvalidOnPremisesTagCombinationException)")
            }
            if onPremises.tagSet.count > 3 { throw .invalid("targets.on_premises: a tag set has at most 3 groups, got \(onPremises.tagSet.count)") }
        }
    }

    public func includes(_ target: TargetDescription) -> Bool {
        if explicit.contains(target.id) { return true }
        if target.onPremises {
            guard let onPremises else { return false }
            return Self.matches(target.tags, filters: onPremises.tagFilters, set: onPremises.tagSet)
        }
        if let group = target.autoScalingGroup, autoScalingGroups.contains(group) { return true }
        return Self.matches(target.tags, filters: tagFilters, set: tagSet)
    }

    static func matches(_ tags: [String: String], filters: [TagFilter], set: [[TagFilter]]) -> Bool {
        if !filters.isEmpty && filters.contains(where: { $0.matches(tags) }) { return true }
        if !set.isEmpty && set.allSatisfy({ group in group.contains { $0.matches(tags) } }) { return true }
        return false
    }

    /// The selected targets, in the fleet's order.
    public func select(from fleet: [TargetDescription]) -> [TargetDescription] {
        fleet.filter(includes)
    }
}
