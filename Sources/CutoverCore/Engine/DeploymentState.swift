/// A deployment's state: a fold over its events (`apply`). Nothing else changes it.
///
/// Per-target data lives in arrays indexed like `DeploymentSpec.targets`, so every
/// event costs O(1) to apply (100k-instance fleets stay linear).
public struct DeploymentState: Sendable {
    /// The events every target goes through (blue/green: those of the current stage).
    public private(set) var order: [LifecycleEvent]
    public private(set) var status: DeploymentStatus = .created
    public private(set) var error: DeploymentErrorCode?
    public private(set) var message = ""
    public private(set) var minimumHealthy = 0
    public private(set) var batchSize = 1
    public private(set) var targetStatus: [TargetStatus]
    /// Per target: the index in `order` of the event running or next to run.
    public private(set) var nextEvent: [Int]
    /// Per target: the event running now, if any.
    public private(set) var running: [LifecycleEvent?]
    /// Per target: healthy now (instances being deployed to are counted out).
    public private(set) var healthy: [Bool]
    /// How many of `healthy` are true, kept as events apply (O(1) per event).
    public private(set) var healthyCount: Int
    public private(set) var batches: [[Int]] = []
    /// Targets of the current batch that have not ended.
    public private(set) var batchRemaining = 0
    public private(set) var succeeded = 0
    public private(set) var failed = 0
    public private(set) var stopping: (code: DeploymentErrorCode, rollback: Bool, message: String)?
    public private(set) var bakeUntil: Int64?
    public private(set) var bakeAlarms: [String] = []
    public private(set) var awaitingApproval: String?
    public private(set) var policySteps = 0
    public private(set) var policyDone = false
    public private(set) var rollbackRevision: String?
    public private(set) var eventCount = 0

    // Lambda and ECS.
    /// The percentage of the traffic the target version has (confirmed by the provider).
    public private(set) var trafficWeight = 0
    /// A shift asked for and not yet confirmed.
    public private(set) var shiftInFlight: Int?
    /// Shifts confirmed during AllowTraffic: the schedule's next step.
    public private(set) var shiftsDone = 0
    /// The configuration's wait before the next step has passed.
    public private(set) var scheduleWaitDone = false
    /// Something changed that ending without success must undo: a replacement was
    /// created, test traffic or production traffic moved.
    public private(set) var trafficTouched = false
    /// Set while traffic goes back to the original: how the deployment will then end.
    public private(set) var restoring: (status: DeploymentStatus, error: DeploymentErrorCode?, message: String, rollback: Bool)?
    public private(set) var restored = false
    public private(set) var terminationUntil: Int64?
    public private(set) var terminatingOriginal = false
    public private(set) var originalTerminated = false

    // Server blue/green.
    /// How many of the first targets are the replacements (0: not blue/green).
    public let replacementCount: Int
    public private(set) var stage: BlueGreenStage?
    public private(set) var readyUntil: Int64?
    /// Traffic went to a replacement (a rollback must route it back).
    public private(set) var rerouted = false
    public private(set) var discarding: (status: DeploymentStatus, error: DeploymentErrorCode?, message: String)?
    public private(set) var discarded = false

    let platformShiftsTraffic: Bool

    public init(spec: DeploymentSpec) {
        order = spec.lifecycleOrder
        platformShiftsTraffic = spec.shiftsTraffic
        replacementCount = spec.blueGreen?.replacementCount ?? 0
        let n = spec.targets.count
        targetStatus = Array(repeating: .pending, count: n)
        nextEvent = Array(repeating: 0, count: n)
        running = Array(repeating: nil, count: n)
        healthy = spec.targets.map { $0.health == .healthy }
        healthyCount = healthy.reduce(0) { $0 + ($1 ? 1 : 0) }
    }

    private mutating func setHealthy(_ t: Int, _ value: Bool) {
        if healthy[t] != value { healthyCount += value ? 1 : -1 }
        healthy[t] = value
    }

    public var isEnded: Bool { status.isFinal }


    public mutating func apply(_ event: DeploymentEvent) {
        eventCount += 1
        switch event {
        case .created:
            status = .created
        case .started(let m, let b):
            status = .inProgress
            minimumHealthy = m
            batchSize = b
        case .batchStarted(_, let targets):
            batches.append(targets)
            batchRemaining = targets.count
            for t in targets {
                targetStatus[t] = .inProgress
                setHealthy(t, false)
            }
        case .lifecycleStarted(let t, let e):
            running[t] = e
            if e == .install || e == .allowTestTraffic || e == .allowTraffic, platformShiftsTraffic { trafficTouched = true }
        case .lifecycleEnded(let t, _, let status, _, _):
            running[t] = nil
            if status != .failed || nextEvent[t] < order.count { nextEvent[t] += 1 }
        case .targetEnded(let t, let status):
            let wasInBatch = targetStatus[t] == .inProgress
            targetStatus[t] = status
            running[t] = nil
            switch status {
            case .succeeded:
                succeeded += 1
                setHealthy(t, true)
            case .failed:
                failed += 1
                setHealthy(t, false)
            default:
                break
            }
            if wasInBatch { batchRemaining -= 1 }
        case .policyStep(let step):
            policySteps += 1
            if step == .done { policyDone = true }
        case .bakeStarted(let until, let alarms):
            bakeUntil = until
            bakeAlarms = alarms
        case .bakeEnded:
            bakeUntil = nil
            bakeAlarms = []
            scheduleWaitDone = true
        case .approvalWaiting(let name):
            awaitingApproval = name
        case .approved:
            awaitingApproval = nil
        case .alarmActive, .alarmPollFailed, .rollbackUnavailable:
            break
        case .stopRequested(let code, let rollback, let message):
            stopping = (code, rollback, message)
            bakeUntil = nil
            awaitingApproval = nil
        case .ended(let status, let error, let message):
            self.status = status
            self.error = error
            self.message = message
        case .rollbackRequested(let revision):
            rollbackRevision = revision
        case .trafficShiftRequested(let weight):
            shiftInFlight = weight
        case .trafficShifted(let weight):
            shiftInFlight = nil
            trafficWeight = weight
            shiftsDone += 1
            scheduleWaitDone = false
        case .trafficRestoreRequested(let status, let error, let message, let rollback):
            restoring = (status, error, message, rollback)
            shiftInFlight = nil
            bakeUntil = nil
            awaitingApproval = nil
            terminationUntil = nil
        case .trafficRestored:
            trafficWeight = 0
            restored = true
        case .terminationWaitStarted(let until):
            terminationUntil = until
        case .originalTerminationRequested:
            terminationUntil = nil
            terminatingOriginal = true
        case .originalTerminated:
            terminatingOriginal = false
            originalTerminated = true
        case .stageStarted(let stage):
            self.stage = stage
            order = stage.events
            readyUntil = nil
            if status == .ready { status = .inProgress }
            let range = stage.onReplacements ? 0..<replacementCount : replacementCount..<targetStatus.count
            for t in range where targetStatus[t] != .failed && targetStatus[t] != .skipped {
                targetStatus[t] = .pending
                nextEvent[t] = 0
            }
            if stage == .reroute { rerouted = true }
        case .readyWaitStarted(let until):
            readyUntil = until
            status = .ready
        case .replacementDiscardRequested(let status, let error, let message):
            discarding = (status, error, message)
            readyUntil = nil
            if self.status == .ready { self.status = .inProgress }
        case .replacementDiscarded:
            discarded = true
        }
    }
}
