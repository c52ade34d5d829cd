/// What a server configuration would do to a fleet if every instance succeeded: the
/// floor and the batches, in deployment order. `cutover plan` prints it; the engine
/// makes the same choices one batch at a time, as outcomes arrive.
public struct BatchPlan: Sendable, Equatable, Codable {
    public var minimumHealthyHosts: Int
    public var batchSize: Int
    public var batches: [[String]]

    /// Plans a deployment over `targets`, or fails as CodeDeploy would at the start
    /// (HEALTH_CONSTRAINTS_INVALID, NO_INSTANCES).
    ///
    /// Order (reference §7.1): unhealthy instances first, then those with no revision,
    /// then old revision, then current — stable within each class.
    public static func plan(targets: [TargetDescription], rule: MinimumHealthyHosts,
                            currentRevision: String? = nil) throws(CoreError) -> BatchPlan {
        try rule.validate()
        let n = targets.count
        guard n > 0 else { throw .deployment(.noInstances, "no instances match the deployment group's targets") }
        let m = MinimumHealthy.floor(for: n, rule)
        let healthy = targets.filter { $0.health == .healthy }.count
        guard MinimumHealthy.canStart(healthy: healthy, total: n, rule) else {
            throw .deployment(.healthConstraintsInvalid,
                              "\(healthy) of \(n) instances are healthy, but the configuration needs more than \(m) to stay healthy; lower the minimum or fix the unhealthy instances")
        }
        let size = MinimumHealthy.batchSize(for: n, minimum: m)
        let ordered = schedulingOrder(targets, currentRevision: currentRevision)
        var batches: [[String]] = []
        var index = 0
        while index < ordered.count {
            let end = min(ordered.count, index + size)
            batches.append(ordered[index..<end].map(\.id))
            index = end
        }
        return BatchPlan(minimumHealthyHosts: m, batchSize: size, batches: batches)
    }

    /// Unhealthy → unknown revision → old → current, stable.
    public static func schedulingOrder(_ targets: [TargetDescription], currentRevision: String?) -> [TargetDescription] {
        func rank(_ t: TargetDescription) -> Int {
            if t.health == .unhealthy { return 0 }
            switch t.revisionHealth(current: currentRevision) {
            case .unknown: return 1
            case .old: return 2
            case .current: return 3
            }
        }
        return targets.enumerated().sorted { a, b in
            let (ra, rb) = (rank(a.element), rank(b.element))
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }
}
