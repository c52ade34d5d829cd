import CutoverCore

/// What a report draws, read once from a recorded deployment's events: per target its
/// lifecycle events as bars, the batches and stages, the waits, the traffic weight over
/// time, alarms and stops. Pure data (times in milliseconds since the start); the
/// drawing is `TimelineSVG`'s.
///
/// The state comes from the same fold time travel uses (`DeploymentState.apply` over the
/// recorded events, as `DeploymentEngine(spec:replaying:)` and `:at(t)` do), applied
/// event by event so that each moment's state is at hand in one pass.
struct ReportTimeline {
    /// One lifecycle event on one target: from its start to its end.
    struct Bar: Equatable {
        var event: LifecycleEvent
        var start: Int64
        var end: Int64
        /// nil: still running when the record ends.
        var status: LifecycleEventStatus?
        var error: LifecycleErrorCode
        var message: String
    }

    /// What a lane stands for.
    enum Role: Equatable {
        case instance
        /// Server blue/green: a replacement (green) instance.
        case replacement
        /// Server blue/green: an original (blue) instance.
        case original
        /// Lambda: the function's alias.
        case function
        /// ECS: the service.
        case service
    }

    struct Lane: Equatable {
        /// The target's index in the specification.
        var target: Int
        var id: String
        var role: Role
        var bars: [Bar] = []
        var status: TargetStatus = .pending
        /// The batches (indices) the target was part of.
        var batches: [Int] = []
    }

    /// A stretch of time the whole deployment spends in one phase.
    struct Span: Equatable {
        enum Kind: Equatable {
            case batch(index: Int, targets: [Int])
            case stage(BlueGreenStage)
            case bake(alarms: [String])
            case approval(name: String)
            case readyWait
            case terminationWait
        }

        var kind: Kind
        var start: Int64
        var end: Int64
        /// When it was planned to end (a bake's or wait's deadline), if it had one.
        var planned: Int64?
        /// Still going when the record ends.
        var open: Bool
    }

    /// Something that happened at one moment.
    struct Marker: Equatable {
        enum Kind: Equatable {
            case alarm(name: String)
            case alarmPollFailed(message: String)
            case stop(code: DeploymentErrorCode, rollback: Bool, message: String)
            case trafficRestored(message: String)
            case replacementDiscarded(message: String)
            case originalTerminated
            case approved(name: String)
            case rollbackRequested(revision: String)
            case rollbackUnavailable(message: String)
            case ended(status: DeploymentStatus, error: DeploymentErrorCode?, message: String)
        }

        var kind: Kind
        var time: Int64
    }

    /// The share of the traffic on the new side from `time` on, in percent.
    struct WeightStep: Equatable {
        var time: Int64
        var weight: Int
    }

    /// How many targets were in each state from `time` on (the fleet's progress).
    struct Progress: Equatable {
        var time: Int64
        var inProgress = 0
        var ready = 0
        var succeeded = 0
        var failed = 0
        var skipped = 0
    }

    let spec: DeploymentSpec
    /// The final state: the fold of every event.
    let state: DeploymentState
    /// The first event's time on the recorded clock; every other time is relative to it.
    let origin: Int64
    /// The last event's time (relative).
    let end: Int64
    let lanes: [Lane]
    let spans: [Span]
    let markers: [Marker]
    /// nil: the deployment moves no traffic (server in-place).
    let weights: [WeightStep]?
    /// Where the weight is, for its label: `on version 2`, `on web:2`, `on replacements`.
    let weightMeaning: String
    let progress: [Progress]

    // The spans by kind, sorted once (reports read them many times).
    let batches: [Span]
    let stages: [Span]
    /// Bakes, approvals and waits that took time (a ready wait cut short at once is
    /// only in the events table).
    let waits: [Span]
    let alarmMarkers: [Marker]

    init(spec: DeploymentSpec, events: [RecordedEvent]) {
        let origin = events.first?.time ?? 0
        let end = max(0, (events.last?.time ?? origin) - origin)
        let replacements = spec.blueGreen?.replacementCount ?? 0
        var lanes: [Lane] = spec.targets.enumerated().map { i, t in
            let role: Role = if spec.blueGreen != nil { i < replacements ? .replacement : .original }
                else if spec.traffic?.kind == .function { .function }
                else if spec.traffic?.kind == .service { .service }
                else { .instance }
            return Lane(target: i, id: t.id, role: role)
        }
        var spans: [Span] = []
        var markers: [Marker] = []
        var progress: [Progress] = []

        var state = DeploymentState(spec: spec)
        var running: [Int: (event: LifecycleEvent, start: Int64)] = [:]
        var batchOf: [Int: Int] = [:]           // target → the index in `spans` of its latest batch
        var batchLeft: [Int: Int] = [:]         // index in `spans` → targets not ended
        var openWaits: [Int] = []               // indices in `spans` of waits still going
        var openStage: Int?
        // Lambda and ECS: the state's weight; server blue/green: the registrations'.
        var registration = spec.blueGreen.map { BlueGreenRegistration(spec: spec, replacements: $0.replacementCount) }
        let hasTraffic = spec.traffic != nil || registration != nil
        var weights = [WeightStep(time: 0, weight: registration?.weight ?? 0)]
        var counts = Progress(time: 0)

        func closeWaits(_ t: Int64, where matches: (Span.Kind) -> Bool = { _ in true }) {
            openWaits.removeAll { i in
                guard matches(spans[i].kind) else { return false }
                spans[i].end = t
                spans[i].open = false
                return true
            }
        }
        func openWait(_ span: Span) {
            spans.append(span)
            openWaits.append(spans.count - 1)
        }
        func count(_ status: TargetStatus, _ delta: Int) {
            switch status {
            case .inProgress: counts.inProgress += delta
            case .ready: counts.ready += delta
            case .succeeded: counts.succeeded += delta
            case .failed: counts.failed += delta
            case .skipped: counts.skipped += delta
            case .pending, .unknown: break
            }
        }

        for recorded in events {
            let t = recorded.time - origin
            let before = state.targetStatus
            state.apply(recorded.event)
            switch recorded.event {
            case .batchStarted(let index, let targets):
                spans.append(Span(kind: .batch(index: index, targets: targets), start: t, end: t, open: true))
                batchLeft[spans.count - 1] = targets.count
                for target in targets where target < lanes.count {
                    batchOf[target] = spans.count - 1
                    lanes[target].batches.append(index)
                }
            case .lifecycleStarted(let target, let event):
                running[target] = (event, t)
            case .lifecycleEnded(let target, let event, let status, let error, let message):
                let started = running[target].flatMap { $0.event == event ? $0.start : nil } ?? t
                running[target] = nil
                if target < lanes.count {
                    lanes[target].bars.append(Bar(event: event, start: started, end: t, status: status, error: error, message: message))
                }
                if status == .succeeded { registration?.note(target: target, event: event) }
            case .targetEnded(let target, _):
                if let b = batchOf.removeValue(forKey: target), let left = batchLeft[b] {
                    batchLeft[b] = left - 1
                    if left == 1 {
                        spans[b].end = t
                        spans[b].open = false
                    }
                }
            case .stageStarted(let stage):
                if let s = openStage {
                    spans[s].end = t
                    spans[s].open = false
                }
                spans.append(Span(kind: .stage(stage), start: t, end: t, open: true))
                openStage = spans.count - 1
                closeWaits(t) { $0 == .readyWait }
            case .bakeStarted(let until, let alarms):
                openWait(Span(kind: .bake(alarms: alarms), start: t, end: t, planned: until - origin, open: true))
            case .bakeEnded:
                closeWaits(t) { if case .bake = $0 { true } else { false } }
            case .approvalWaiting(let name):
                openWait(Span(kind: .approval(name: name), start: t, end: t, open: true))
            case .approved(let name):
                closeWaits(t) { $0 == .approval(name: name) }
                markers.append(Marker(kind: .approved(name: name), time: t))
            case .readyWaitStarted(let until):
                openWait(Span(kind: .readyWait, start: t, end: t, planned: until - origin, open: true))
            case .terminationWaitStarted(let until):
                openWait(Span(kind: .terminationWait, start: t, end: t, planned: until - origin, open: true))
            case .originalTerminationRequested:
                closeWaits(t) { $0 == .terminationWait }
            case .originalTerminated:
                markers.append(Marker(kind: .originalTerminated, time: t))
            case .alarmActive(let name):
                markers.append(Marker(kind: .alarm(name: name), time: t))
            case .alarmPollFailed(let message):
                markers.append(Marker(kind: .alarmPollFailed(message: message), time: t))
            case .stopRequested(let code, let rollback, let message):
                markers.append(Marker(kind: .stop(code: code, rollback: rollback, message: message), time: t))
                // A stop ends bakes and approvals at once (the state drops them too).
                closeWaits(t) { if case .bake = $0 { true } else if case .approval = $0 { true } else { false } }
            case .trafficRestoreRequested:
                closeWaits(t)
            case .trafficRestored(let message):
                markers.append(Marker(kind: .trafficRestored(message: message), time: t))
            case .replacementDiscardRequested:
                closeWaits(t) { $0 == .readyWait }
            case .replacementDiscarded(let message):
                markers.append(Marker(kind: .replacementDiscarded(message: message), time: t))
            case .rollbackRequested(let revision):
                markers.append(Marker(kind: .rollbackRequested(revision: revision), time: t))
            case .rollbackUnavailable(let message):
                markers.append(Marker(kind: .rollbackUnavailable(message: message), time: t))
            case .ended(let status, let error, let message):
                markers.append(Marker(kind: .ended(status: status, error: error, message: message), time: t))
                closeWaits(t)
            case .created, .started, .policyStep, .trafficShiftRequested, .trafficShifted:
                break
            }

            // The fleet's progress: the targets whose status the event changed.
            let changed: [Int] = switch recorded.event {
            case .batchStarted(_, let targets): targets
            case .targetEnded(let target, _): [target]
            case .stageStarted: Array(lanes.indices)
            default: []
            }
            if !changed.isEmpty {
                for i in changed where i < lanes.count && before[i] != state.targetStatus[i] {
                    count(before[i], -1)
                    count(state.targetStatus[i], 1)
                }
                counts.time = t
                if progress.last?.time == t { progress[progress.count - 1] = counts } else { progress.append(counts) }
            }

            // The traffic weight, a step whenever it changes (the last change at a moment wins).
            if hasTraffic, let weight = spec.traffic != nil ? state.trafficWeight : registration?.weight, weights[weights.count - 1].weight != weight {
                if weights[weights.count - 1].time == t && weights.count > 1 { weights[weights.count - 1].weight = weight }
                else { weights.append(WeightStep(time: t, weight: weight)) }
            }
        }

        // Whatever is still going ends with the record.
        for (target, run) in running where target < lanes.count {
            lanes[target].bars.append(Bar(event: run.event, start: run.start, end: end, status: nil, error: .success, message: ""))
        }
        for i in spans.indices where spans[i].open { spans[i].end = end }
        for i in lanes.indices { lanes[i].status = state.targetStatus[i] }

        self.spec = spec
        self.state = state
        self.origin = origin
        self.end = end
        self.lanes = lanes
        self.spans = spans
        self.markers = markers
        self.progress = progress
        self.weights = hasTraffic ? weights : nil
        batches = spans.filter { if case .batch = $0.kind { true } else { false } }
        stages = spans.filter { if case .stage = $0.kind { true } else { false } }
        waits = spans.filter {
            switch $0.kind {
            case .batch, .stage: false
            default: $0.end > $0.start
            }
        }
        alarmMarkers = markers.filter {
            switch $0.kind {
            case .alarm, .alarmPollFailed: true
            default: false
            }
        }
        weightMeaning = if let traffic = spec.traffic { traffic.kind == .function ? "on version \(traffic.targetVersion)" : "on \(traffic.targetVersion)" }
            else if hasTraffic { "on replacements" }
            else { "" }
    }
}

/// Server blue/green: which instances the load balancer sends traffic to, from the
/// AllowTraffic and BlockTraffic events that succeeded. The originals start registered
/// (a rollback: the replacements do); the weight is the replacements' share of the
/// registered instances, as a round-robin load balancer spreads requests.
struct BlueGreenRegistration {
    private var registered: [Bool]
    private let replacements: Int

    init(spec: DeploymentSpec, replacements: Int) {
        let rollingBack = spec.blueGreen?.rollingBack ?? false
        registered = spec.targets.indices.map { ($0 < replacements) == rollingBack }
        self.replacements = replacements
    }

    mutating func note(target: Int, event: LifecycleEvent) {
        guard target < registered.count else { return }
        if event == .allowTraffic { registered[target] = true }
        if event == .blockTraffic { registered[target] = false }
    }

    /// nil: nothing is registered (the weight is unchanged).
    var weight: Int? {
        let onReplacements = registered.prefix(replacements).filter { $0 }.count
        let total = registered.filter { $0 }.count
        return total == 0 ? nil : (onReplacements * 100 + total / 2) / total
    }
}
