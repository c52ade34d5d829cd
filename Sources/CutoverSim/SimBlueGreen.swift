import CutoverCore

extension SimCloud {
    /// The targets of a blue/green deployment: the replacements (a copy of the group's
    /// Auto Scaling group with as many instances as are healthy in it, or the instances
    /// the options discover), then the originals.
    func blueGreenTargets(for group: SimGroup, deploymentID: String, rollbackOf: SimDeployment?)
        throws(CoreError) -> ([TargetDescription], BlueGreenOptions)
    {
        let options = group.group.blueGreen!
        if let original = rollbackOf, original.spec.blueGreen != nil {
            return try original.spec.blueGreenRollback(alive: Set(instances.map(\.id)))
        }
        let originals = group.selection.select(from: instances.map(\.description))
        var replacements: [TargetDescription]
        switch options.greenFleet {
        case .copyAutoScalingGroup:
            for asg in group.selection.autoScalingGroups
                where autoScalingGroups[asg] == nil && !instances.contains(where: { $0.autoScalingGroup == asg }) {
                throw .deployment(.autoScalingConfiguration, "ValidationError: AutoScalingGroup name not found - \(asg)")
            }
            let healthy = originals.filter { $0.health == .healthy }
            guard !healthy.isEmpty else {
                throw .deployment(.noInstances, "the Auto Scaling group of \(group.name) has no healthy instance to copy")
            }
            // The copy is an Auto Scaling group like its source (reference §10), so it
            // scales, and launches with the group's revision, after the cutover.
            let copy = "CodeDeploy_\(group.name)_\(deploymentID)"
            let template = instances.first { $0.id == healthy[0].id }
            let source = group.selection.autoScalingGroups.compactMap { autoScalingGroups[$0] }.first
            autoScalingGroups[copy] = SimAutoScalingGroup(
                name: copy, min: min(source?.min ?? 1, healthy.count), max: max(source?.max ?? healthy.count, healthy.count),
                desired: healthy.count, prefix: copy, tags: template?.tags ?? [:], launched: healthy.count)
            replacements = (1...healthy.count).map { k in
                let instance = SimInstance(id: "\(copy)-\(k)", tags: template?.tags ?? [:], autoScalingGroup: copy)
                instances.append(instance)
                return instance.description
            }
        case .discover(let selection):
            let originalIDs = Set(originals.map(\.id))
            replacements = selection.select(from: instances.map(\.description)).filter { !originalIDs.contains($0.id) }
            guard !replacements.isEmpty else {
                throw .deployment(.noInstances, "no instance matches the replacement targets of \(group.name)")
            }
        }
        return (replacements + originals,
                BlueGreenOptions(replacementCount: replacements.count, readyWaitSeconds: options.readyWaitSeconds,
                                 terminationWaitSeconds: options.terminationWaitSeconds, keepOriginals: options.keepOriginals))
    }

    /// Terminates instances (they leave the fleet) and, for a copied Auto Scaling group,
    /// points the deployment group at the group that now serves.
    func carryOutBlueGreen(_ command: EngineCommand, for deployment: SimDeployment) {
        guard let options = deployment.spec.blueGreen else { return }
        let targets = deployment.spec.targets
        let replacements = targets.prefix(options.replacementCount).map(\.id)
        let originals = targets.dropFirst(options.replacementCount).map(\.id)
        switch command {
        case .discardReplacement:
            let gone = Set(replacements)
            instances.removeAll { gone.contains($0.id) }
            for target in targets.prefix(options.replacementCount) {
                if let copy = target.autoScalingGroup, copy.hasPrefix("CodeDeploy_") { autoScalingGroups[copy] = nil }
            }
            queue.push(at: now, deployment: deployment,
                        input: .replacementDiscarded(message: "\(gone.count) replacement instance(s) terminated", error: nil))
        case .terminateOriginal:
            if !options.keepOriginals {
                let gone = Set(originals)
                instances.removeAll { gone.contains($0.id) }
                // The originals' Auto Scaling group goes with them.
                for target in targets.dropFirst(options.replacementCount) {
                    if let asg = target.autoScalingGroup { autoScalingGroups[asg] = nil }
                }
            }
            // The group now deploys to the replacements' Auto Scaling group.
            if let copied = targets.first?.autoScalingGroup, var group = groups[deployment.spec.group],
               case .copyAutoScalingGroup? = group.group.blueGreen?.greenFleet {
                group.group.selection.autoScalingGroups = [copied]
                groups[deployment.spec.group] = group
            }
            queue.push(at: now, deployment: deployment, input: .originalTerminated(error: nil))
        default:
            break
        }
    }
}
