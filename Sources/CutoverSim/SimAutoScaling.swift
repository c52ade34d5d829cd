import CutoverCore

/// A simulated Auto Scaling group: capacity limits and what a new instance looks like.
public struct SimAutoScalingGroup: Sendable, Equatable {
    public var name: String
    public var min: Int
    public var max: Int
    public var desired: Int
    public var prefix: String
    public var tags: [String: String]
    /// Instances launched so far (for names).
    var launched = 0
}

extension SimCloud {
    /// Creates a group and launches its desired instances.
    public func createAutoScalingGroup(name: String, min: Int, max: Int, desired: Int, prefix: String? = nil,
                                       tags: [String: String] = [:]) throws(CoreError) {
        guard !name.isEmpty else { throw .invalid("an Auto Scaling group needs a name") }
        guard autoScalingGroups[name] == nil else { throw .invalid("AlreadyExists: an Auto Scaling group named \(name) exists") }
        try Self.checkCapacity(name: name, min: min, max: max, desired: desired)
        autoScalingGroups[name] = SimAutoScalingGroup(name: name, min: min, max: max, desired: 0, prefix: prefix ?? name, tags: tags)
        try scale(name, desired: desired)
    }

    static func checkCapacity(name: String, min: Int, max: Int, desired: Int) throws(CoreError) {
        guard min >= 0, max >= 1, min <= max else {
            throw .deployment(.autoScalingConfiguration, "Auto Scaling group \(name): min \(min) and max \(max) cannot be met (0 ≤ min ≤ max, max ≥ 1)")
        }
        guard (min...max).contains(desired) else {
            throw .deployment(.autoScalingConfiguration, "Auto Scaling group \(name): desired capacity \(desired) is outside min \(min) … max \(max)")
        }
    }

    /// Sets the desired capacity: new instances are launched (with a launch deployment
    /// of the last successful revision of every deployment group that targets the
    /// Auto Scaling group, reference §11); on scale-in the newest are terminated.
    public func scale(_ name: String, desired: Int) throws(CoreError) {
        guard var group = autoScalingGroups[name] else {
            throw .deployment(.autoScalingConfiguration, "ValidationError: AutoScalingGroup name not found - \(name)")
        }
        try Self.checkCapacity(name: name, min: group.min, max: group.max, desired: desired)
        let members = instances.filter { $0.autoScalingGroup == name }
        if desired < members.count {
            let gone = Set(members.suffix(members.count - desired).map(\.id))
            instances.removeAll { gone.contains($0.id) }
        } else if desired > members.count {
            var launched: [String] = []
            for _ in members.count..<desired {
                group.launched += 1
                let id = "\(group.prefix)-\(group.launched)"
                instances.append(SimInstance(id: id, tags: group.tags, autoScalingGroup: name))
                launched.append(id)
            }
            autoScalingGroups[name] = group
            for id in launched { launchDeployments(for: id, in: name) }
        }
        autoScalingGroups[name]?.desired = desired
    }

    /// A launch deployment (creator autoscaling) per group that targets the instance's
    /// Auto Scaling group and has a revision to give it.
    private func launchDeployments(for instance: String, in autoScalingGroup: String) {
        for (name, group) in groups.sorted(by: { $0.key < $1.key })
            where group.selection.autoScalingGroups.contains(autoScalingGroup) {
            guard let revision = group.lastSuccessfulRevision else { continue }
            _ = try? deploy(group: name, revision: revision, creator: .autoscaling, only: [instance])
        }
    }

    /// A failed launch deployment: the instance is terminated (ABANDON).
    func abandonLaunch(_ deployment: SimDeployment) {
        let gone = Set(deployment.spec.targets.map(\.id))
        instances.removeAll { gone.contains($0.id) && $0.autoScalingGroup != nil }
    }

    /// After a successful deployment, instances launched meanwhile run the previous
    /// revision: a follow-up deployment (creator CodeDeployAutoUpdate) brings them up to
    /// date (reference §11, outdatedInstancesStrategy UPDATE).
    func updateOutdatedInstances(after deployment: SimDeployment) {
        guard deployment.spec.blueGreen == nil, let group = groups[deployment.spec.group],
              !group.selection.autoScalingGroups.isEmpty else { return }
        let deployed = Set(deployment.spec.targets.map(\.id))
        let outdated = group.selection.select(from: instances.map(\.description))
            .filter { !deployed.contains($0.id) && $0.revision != deployment.spec.revision }
        guard !outdated.isEmpty else { return }
        if let followUp = try? deploy(group: deployment.spec.group, revision: deployment.spec.revision,
                                      creator: .codeDeployAutoUpdate, only: Set(outdated.map(\.id))) {
            deployment.followUp = followUp
        }
    }
}
