/// Server blue/green options of one deployment (reference §5.3, §10).
///
/// The deployment's targets are the replacement (green) instances first, then the
/// originals (blue): `targets[0..<replacementCount]` are green.
public struct BlueGreenOptions: Sendable, Equatable, Codable {
    /// The revision a blue/green rollback names when the group had no last successful
    /// one: whatever the original instances run (they are put back as they are). It is
    /// not a revision to record as the group's last successful one.
    public static let originalsRevision = "(what the original instances run)"

    public var replacementCount: Int
    /// nil: reroute as soon as the replacements are installed (CONTINUE_DEPLOYMENT);
    /// else wait this long, status Ready, for `continueDeployment`, then stop
    /// (STOP_DEPLOYMENT).
    public var readyWaitSeconds: Int?
    /// How long the originals keep running once traffic left them.
    public var terminationWaitSeconds: Int
    /// KEEP_ALIVE: the originals are taken out of the load balancer but not terminated.
    public var keepOriginals: Bool
    /// A rollback: traffic goes back to the originals, then the replacements go.
    public var rollingBack: Bool

    public init(replacementCount: Int, readyWaitSeconds: Int? = nil, terminationWaitSeconds: Int = 0,
                keepOriginals: Bool = false, rollingBack: Bool = false) {
        self.replacementCount = replacementCount
        self.readyWaitSeconds = readyWaitSeconds
        self.terminationWaitSeconds = terminationWaitSeconds
        self.keepOriginals = keepOriginals
        self.rollingBack = rollingBack
    }
}

/// The stages of a blue/green deployment, each a set of targets going through a few
/// lifecycle events in batches.
public enum BlueGreenStage: String, Sendable, Equatable, Codable {
    /// The revision is installed on the replacements (they end Ready).
    case install
    /// The replacements are registered with the load balancer.
    case reroute
    /// The originals are taken out of it.
    case block
    /// A rollback: the originals are registered again…
    case restoreOriginals = "restore_originals"
    /// …and the replacements taken out.
    case blockReplacements = "block_replacements"

    public var events: [LifecycleEvent] {
        switch self {
        case .install: LifecycleEvent.serverInPlace
        case .reroute, .restoreOriginals: [.beforeAllowTraffic, .allowTraffic, .afterAllowTraffic]
        case .block, .blockReplacements: [.beforeBlockTraffic, .blockTraffic, .afterBlockTraffic]
        }
    }

    /// Whether the stage's targets are the replacements (else the originals).
    public var onReplacements: Bool { self == .install || self == .reroute || self == .blockReplacements }
}

extension DeploymentSpec {
    /// The targets and options of a rollback of this blue/green deployment: the same
    /// instances, those still `alive`, traffic going back to the originals. Refused when
    /// no original is left to route back to.
    public func blueGreenRollback(alive: Set<String>) throws(CoreError) -> ([TargetDescription], BlueGreenOptions) {
        guard let blueGreen else { throw .invalid("\(id) is not a blue/green deployment") }
        let targets = self.targets.filter { alive.contains($0.id) }
        let replacements = self.targets.prefix(blueGreen.replacementCount).filter { alive.contains($0.id) }.count
        guard targets.count > replacements else {
            throw .deployment(.noInstances, "the original instances are gone: there is nothing to roll back to")
        }
        return (targets, BlueGreenOptions(replacementCount: replacements, rollingBack: true))
    }
}
