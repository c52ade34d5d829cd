/// What happened in a deployment. The event log is the deployment: its state is a
/// fold over these (`DeploymentState.apply`). Targets are named by their index in
/// `DeploymentSpec.targets`.
public enum DeploymentEvent: Sendable, Equatable, Codable {
    case created
    /// InProgress, with the floor and batch size computed once, at the start.
    case started(minimumHealthy: Int, batchSize: Int)
    case batchStarted(index: Int, targets: [Int])
    case lifecycleStarted(target: Int, event: LifecycleEvent)
    case lifecycleEnded(target: Int, event: LifecycleEvent, status: LifecycleEventStatus,
                        error: LifecycleErrorCode, message: String)
    case targetEnded(target: Int, status: TargetStatus)
    /// A policy's step, as it asked for it (for replay checks and `why`).
    case policyStep(PolicyStep)
    case bakeStarted(untilMilliseconds: Int64, alarms: [String])
    case bakeEnded
    case approvalWaiting(name: String)
    case approved(name: String)
    case alarmActive(name: String)
    case alarmPollFailed(message: String)
    case stopRequested(code: DeploymentErrorCode, rollback: Bool, message: String)
    case ended(status: DeploymentStatus, error: DeploymentErrorCode?, message: String)
    /// A rollback deployment of `revision` is to be created (creator codeDeployRollback).
    case rollbackRequested(revision: String)
    case rollbackUnavailable(message: String)

    // Lambda and ECS: traffic.
    /// The provider was asked to send `weight` % of the traffic to the target version.
    case trafficShiftRequested(weight: Int)
    /// The provider confirmed the shift.
    case trafficShifted(weight: Int)
    /// The deployment is ending without success after traffic moved (or a replacement
    /// was created): everything goes back to the original first, then the deployment
    /// ends as recorded here.
    case trafficRestoreRequested(status: DeploymentStatus, error: DeploymentErrorCode?, message: String, rollback: Bool)
    /// The original version has all the traffic again; `message` says what else was undone.
    case trafficRestored(message: String)
    /// ECS: the original task set is kept until then.
    case terminationWaitStarted(untilMilliseconds: Int64)
    /// ECS: the original task set is being removed and the replacement made primary.
    case originalTerminationRequested
    case originalTerminated

    // Server blue/green.
    /// A stage begins: its targets start over with its events.
    case stageStarted(BlueGreenStage)
    /// The replacements are installed; the deployment is Ready until then, or until
    /// `continueDeployment`.
    case readyWaitStarted(untilMilliseconds: Int64)
    /// Ending before traffic moved: the replacements go first, then the deployment ends
    /// as recorded here.
    case replacementDiscardRequested(status: DeploymentStatus, error: DeploymentErrorCode?, message: String)
    case replacementDiscarded(message: String)
}

/// One step a policy asks for (DESIGN.md "Policies").
public enum PolicyStep: Sendable, Equatable, Codable {
    /// Deploy these targets as one batch (indices into the spec's targets).
    case deploy([Int])
    /// Wait, watching alarms (the deployment's, or these).
    case bake(seconds: Int, alarms: [String]?)
    /// Wait until `approve(name)`.
    case approve(String)
    /// Stop the deployment as failed.
    case abort(String)
    /// The policy has finished; the configuration deploys whatever is left (server),
    /// or the rest of the traffic moves at once (lambda, ecs).
    case done
    /// Send this percentage of the traffic to the target version (lambda, ecs).
    case shift(Int)
}

/// An event as the log holds it: its place and its (virtual or real) time.
public struct RecordedEvent: Sendable, Equatable, Codable {
    public var sequence: Int
    /// Milliseconds since the deployment was created.
    public var time: Int64
    public var event: DeploymentEvent

    public init(sequence: Int, time: Int64, event: DeploymentEvent) {
        self.sequence = sequence
        self.time = time
        self.event = event
    }
}

extension DeploymentEvent {
    /// The targets (indices into the spec's) this event names: a record whose events name
    /// one its spec does not have is damaged, and is refused where it is read back
    /// rather than folded (`DeploymentState.apply` indexes by them).
    public var targetIndices: [Int] {
        switch self {
        case .batchStarted(_, let targets): return targets
        case .lifecycleStarted(let t, _), .lifecycleEnded(let t, _, _, _, _), .targetEnded(let t, _): return [t]
        case .policyStep(.deploy(let targets)): return targets
        default: return []
        }
    }
}
