import CutoverCore

/// The simulated cloud: instances, groups, faults and a virtual clock. Deployments run
/// as a discrete-event simulation — a 30-minute deployment takes milliseconds — and the
/// same instances, faults and seed give the same events, byte for byte.
public final class SimCloud {
    /// Virtual milliseconds since the simulation began.
    public private(set) var now: Int64 = 0
    public var instances: [SimInstance] = []
    public var groups: [String: SimGroup] = [:]
    public var durations = SimDurations()
    public var faults: [SimFault] = []
    /// Probability that any lifecycle event fails with ScriptFailed (seeded).
    public var failRate: Double = 0
    /// Per event, the hook timeout in seconds for revisions without an appspec.
    public var hookTimeouts: [LifecycleEvent: Int] = [:]
    /// The appspec of each revision that has one: which events have scripts, and their
    /// timeouts. An event with no script is a no-op, as the agent reports it.
    public var appSpecs: [String: ServerAppSpec] = [:]
    public private(set) var deployments: [SimDeployment] = []
    /// Functions and services, for Lambda and ECS groups.
    public var functions: [String: SimFunction] = [:]
    public internal(set) var services: [String: SimService] = [:]
    /// Auto Scaling groups, by name.
    public internal(set) var autoScalingGroups: [String: SimAutoScalingGroup] = [:]
    /// Function alarms modelled from the traffic (`modelAlarmFires`), by name.
    public var modelAlarms: [String: AlarmDefinition] = [:]
    /// The share of failing invocations, per function and version.
    public var versionErrorRates: [String: [String: Double]] = [:]
    /// Requests per second the alarm models assume.
    public var requestRate: Double = 10
    /// Lambda and ECS appspec hooks (function names), by "group/revision".
    public var trafficHooks: [String: [LifecycleEvent: String]] = [:]
    /// Per deployment: when its traffic weight changed (for alarm models and reports).
    public internal(set) var weightHistory: [String: [(atMilliseconds: Int64, weight: Int)]] = [:]

    /// Runs a Lua (or other) hook for an event; nil: no hook, the simulation decides.
    public var hookRunner: ((SimDeployment, Int, LifecycleEvent) -> (LifecycleEventStatus, LifecycleErrorCode, String)?)?
    /// Answers `askPolicy` for a deployment that has a policy.
    public var policyRunner: ((SimDeployment) -> PolicyStep)?
    /// Told about every event as it is recorded (for live views).
    public var observer: ((SimDeployment, RecordedEvent) -> Void)?
    /// Told about each batch of events before the commands that follow them are carried
    /// out (the history records them there).
    public var recorder: ((SimDeployment, ArraySlice<RecordedEvent>) -> Void)?

    private var random: SplitMix64
    var queue = EventQueue()
    private var consumedFaults = Set<Int>()
    private var nextDeploymentNumber = 1

    /// The seed of every random choice (failures, alarm noise).
    public let seed: UInt64

    public init(seed: UInt64 = 1) {
        self.seed = seed
        random = SplitMix64(seed: seed)
    }

    // MARK: - Fleet and groups

    /// Adds `count` instances named `prefix-1…` with `tags`.
    @discardableResult
    public func addInstances(count: Int, prefix: String = "i", tags: [String: String] = [:],
                             autoScalingGroup: String? = nil) -> [String] {
        let start = instances.count
        var ids: [String] = []
        ids.reserveCapacity(count)
        for k in 0..<count {
            let id = "\(prefix)-\(start + k + 1)"
            instances.append(SimInstance(id: id, tags: tags, autoScalingGroup: autoScalingGroup))
            ids.append(id)
        }
        return ids
    }

    public func addGroup(_ group: SimGroup) throws(CoreError) {
        try group.group.validate()
        groups[group.name] = group
    }

    // MARK: - Deploying

    /// Creates a deployment of `revision` to a group and starts it (it runs when the
    /// simulation runs). Refused while the group has an active deployment.
    @discardableResult
    public func deploy(group name: String, revision: String, configuration: DeploymentConfiguration? = nil,
                       policy: String? = nil, ignoreApplicationStopFailures: Bool = false,
                       creator: DeploymentCreator = .user, rollbackOf: String? = nil,
                       only: Set<String>? = nil) throws(CoreError) -> SimDeployment {
        guard let group = groups[name] else { throw .deployment(.deploymentGroupMissing, "no deployment group named \(name)") }
        // Launch deployments run beside the group's own (reference §11).
        if let active = group.activeDeployment, creator != .autoscaling {
            throw .invalid("DeploymentLimitExceededException: the deployment group \(name) already has an active deployment \(active)")
        }
        var selected: [TargetDescription]
        var traffic: TrafficTarget?
        var blueGreen: BlueGreenOptions?
        let id = "d-" + String(nextDeploymentNumber, radix: 36).uppercased().leftPadded(to: 9)
        if group.group.blueGreen != nil && creator != .autoscaling {
            let original = rollbackOf.flatMap { r in deployments.first { $0.spec.id == r } }
            (selected, blueGreen) = try blueGreenTargets(for: group, deploymentID: id, rollbackOf: original)
        } else if group.group.platform == .server {
            selected = group.selection.select(from: instances.map(\.description))
            if let only { selected = selected.filter { only.contains($0.id) } }
        } else {
            let (t, description) = try trafficTarget(for: group, revision: revision)
            traffic = t
            selected = [description]
        }
        nextDeploymentNumber += 1
        let rollbackConfiguration = traffic != nil && creator == .codeDeployRollback
            ? DeploymentConfiguration.trafficRollback(group.group.platform) : nil
        let spec = DeploymentSpec(
            id: id, application: group.application, group: name, platform: group.group.platform, revision: revision,
            lastSuccessfulRevision: group.lastSuccessfulRevision,
            configuration: rollbackConfiguration ?? configuration ?? group.configuration, targets: selected,
            loadBalanced: group.loadBalanced,
            ignoreApplicationStopFailures: ignoreApplicationStopFailures, alarms: group.alarms,
            autoRollback: group.autoRollback, creator: creator, rollbackOf: rollbackOf,
            policy: creator == .codeDeployRollback && traffic != nil ? nil : policy, traffic: traffic, blueGreen: blueGreen)
        let deployment = SimDeployment(spec: spec, at: now)
        deployments.append(deployment)
        if creator != .autoscaling { groups[name]?.activeDeployment = id }
        recorder?(deployment, deployment.log[0...0])
        observer?(deployment, deployment.log[0])
        queue.push(at: now, deployment: deployment, input: .start)
        return deployment
    }

    /// Sends an input to a deployment now (stop, approve) and lets the simulation run.
    public func send(_ input: EngineInput, to deployment: SimDeployment) {
        queue.push(at: now, deployment: deployment, input: input)
    }

    /// Runs the simulation until nothing is left to happen (every deployment ended, or
    /// waits for something only a person can give: an approval).
    public func run(until limit: Int64 = .max) {
        while let item = queue.popIfDue(notAfter: limit) {
            now = max(now, item.time)
            step(item.deployment, item.input)
        }
    }

    /// Runs until `deployment` ended (or nothing more can happen).
    /// Runs until `deployment` ended (or nothing more can happen), or until `pause`
    /// says so after a step (a blue/green deployment entering its ready wait: a person
    /// decides what comes next).
    public func run(until deployment: SimDeployment, pause: (SimDeployment) -> Bool = { _ in false }) {
        while !deployment.state.isEnded, let item = queue.popIfDue(notAfter: .max) {
            now = max(now, item.time)
            step(item.deployment, item.input)
            if pause(deployment) { return }
        }
    }

    private func step(_ deployment: SimDeployment, _ input: EngineInput) {
        var input = input
        if case .lifecycleResult(let t, let event, .succeeded, _, _) = input, deployment.spec.traffic == nil,
           t < deployment.spec.targets.count, instanceIndex(deployment.spec.targets[t].id) == nil {
            // The instance was terminated while the event ran (a scale-in).
            input = .lifecycleResult(target: t, event: event, status: .failed, error: .unknownError,
                                     message: "instance \(deployment.spec.targets[t].id) was terminated")
        }
        let (events, commands) = deployment.engine.handle(input, now: now)
        let first = deployment.log.count
        deployment.record(events, at: now) // recorded before any command is carried out
        if deployment.log.count > first { recorder?(deployment, deployment.log[first...]) }
        for index in first..<deployment.log.count {
            apply(deployment.log[index].event, of: deployment)
            observer?(deployment, deployment.log[index])
        }
        for command in commands { carryOut(command, for: deployment) }
    }

    /// What the events mean for the fleet and the group.
    private func apply(_ event: DeploymentEvent, of deployment: SimDeployment) {
        switch event {
        case .targetEnded(let t, let status):
            guard deployment.spec.traffic == nil else { return }
            guard let index = instanceIndex(deployment.spec.targets[t].id) else { return }
            if let blueGreen = deployment.spec.blueGreen {
                // A replacement has the revision once installed; the originals keep theirs.
                if status == .ready && t < blueGreen.replacementCount {
                    instances[index].revision = deployment.spec.revision
                } else if status == .failed {
                    instances[index].health = .unhealthy
                }
                return
            }
            if status == .succeeded {
                instances[index].revision = deployment.spec.revision
                instances[index].health = .healthy
            } else if status == .failed {
                instances[index].health = .unhealthy
            }
        case .ended(let status, _, _):
            if deployment.spec.creator == .autoscaling {
                if status != .succeeded { abandonLaunch(deployment) }
                return
            }
            groups[deployment.spec.group]?.activeDeployment = nil
            if status == .succeeded, deployment.spec.namesRevision {
                groups[deployment.spec.group]?.lastSuccessfulRevision = deployment.spec.revision
                updateOutdatedInstances(after: deployment)
            }
        default:
            break
        }
    }

    private func carryOut(_ command: EngineCommand, for deployment: SimDeployment) {
        switch command {
        case .runLifecycleEvent(let t, let event):
            let (delay, status, code, message) = outcome(deployment, t, event)
            if status == .succeeded && event.isReserved { applyReservedTrafficEvent(event, of: deployment) }
            queue.push(at: now + delay, deployment: deployment,
                       input: .lifecycleResult(target: t, event: event, status: status, error: code, message: message))
        case .wake(let at):
            queue.push(at: max(now, at), deployment: deployment, input: .timer)
        case .pollAlarms(let names):
            if alarmPollFails() {
                queue.push(at: now, deployment: deployment, input: .alarmPollFailed(message: "simulated: alarm states could not be read"))
            } else {
                queue.push(at: now, deployment: deployment, input: .alarms(active: activeAlarms(names)))
            }
        case .askPolicy:
            let step = policyRunner?(deployment) ?? .done
            queue.push(at: now, deployment: deployment, input: .policyStep(step))
        case .startRollback(let revision):
            if let rollback = try? deploy(group: deployment.spec.group, revision: revision,
                                          creator: .codeDeployRollback, rollbackOf: deployment.spec.id) {
                deployment.rollback = rollback
            }
        case .setTraffic, .restoreTraffic:
            carryOutTraffic(command, for: deployment)
        case .terminateOriginal, .discardReplacement:
            if deployment.spec.blueGreen != nil { carryOutBlueGreen(command, for: deployment) } else { carryOutTraffic(command, for: deployment) }
        }
    }

    // MARK: - The model of the world

    private var instanceIndexCache: [String: Int] = [:]
    /// The index of an instance by id, O(1): the map is rebuilt when the fleet changed.
    private func instanceIndex(_ id: String) -> Int? {
        if let i = instanceIndexCache[id], i < instances.count, instances[i].id == id { return i }
        instanceIndexCache = Dictionary(instances.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        return instanceIndexCache[id]
    }

    private func alarmPollFails() -> Bool {
        faults.contains { fault in
            if case .alarmPollFailure(let from, let duration) = fault {
                return now >= from && (duration.map { now < from + $0 } ?? true)
            }
            return false
        }
    }

    public func activeAlarms(_ names: [String]) -> [String] {
        var active: [String] = []
        for fault in faults {
            if case .alarm(let name, let from, let duration) = fault, names.contains(name), now >= from,
               duration.map({ now < from + $0 }) ?? true, !active.contains(name) {
                active.append(name)
            }
        }
        for name in names where !active.contains(name) {
            if let alarm = modelAlarms[name], modelAlarmFires(alarm) { active.append(name) }
        }
        return active.sorted()
    }

    /// How a lifecycle event goes: after how long, and with what result.
    private func outcome(_ deployment: SimDeployment, _ t: Int, _ event: LifecycleEvent)
        -> (Int64, LifecycleEventStatus, LifecycleErrorCode, String)
    {
        let id = deployment.spec.targets[t].id
        let duration = durations.duration(of: event, on: id)
        if deployment.spec.traffic == nil && instanceIndex(id) == nil {
            return (0, .failed, .unknownError, "instance \(id) was terminated")
        }
        if deployment.spec.traffic != nil && deployment.spec.creator == .codeDeployRollback && !event.isReserved {
            // A Lambda or ECS rollback only puts the original back; it runs no hooks.
            return (0, .skipped, .success, "a rollback runs no hooks")
        }
        for (k, fault) in faults.enumerated() {
            if case .unreachable(let instance, let at) = fault, instance == id, now + duration >= at {
                // The agent stops answering: CodeDeploy fails the event after 5 minutes.
                let start = max(now, at)
                return (start - now + 300_000, .failed, .unknownError, "instance \(id) is not responding")
            }
            if case .failEvent(let instance, let e, let code, let message, let once) = fault,
               instance == id, e == event, !consumedFaults.contains(k) {
                if once { consumedFaults.insert(k) }
                return (duration, .failed, code, message)
            }
        }
        if !event.isReserved {
            // Stop-type events run the previous revision's scripts (reference §5.6).
            let revision = event.usesLastSuccessfulRevision ? deployment.spec.targets[t].revision : deployment.spec.revision
            if let revision, let appSpec = appSpecs[revision] {
                let scripts = appSpec.hooks[event] ?? []
                if scripts.isEmpty { return (0, .succeeded, .success, "no scripts for \(event.rawValue)") }
                let limit = scripts.reduce(Int64(0)) { total, script in
                    let (seconds, attoseconds) = script.timeout.components
                    return total + seconds * 1000 + attoseconds / 1_000_000_000_000_000
                }
                if duration > limit {
                    return (limit, .failed, .scriptTimedOut,
                            "\(scripts.map(\.location).joined(separator: ", ")) timed out after \(limit / 1000) seconds")
                }
            } else if let timeout = hookTimeouts[event], duration > Int64(timeout) * 1000 {
                return (Int64(timeout) * 1000, .failed, .scriptTimedOut, "script timed out after \(timeout) seconds")
            }
        }
        if let result = hookRunner?(deployment, t, event) {
            return (duration, result.0, result.1, result.2)
        }
        if deployment.spec.traffic != nil, !event.isReserved,
           let function = trafficHooks[deployment.spec.group + "/" + deployment.spec.revision]?[event] {
            // A hook function of the appspec: it must exist; it reports Succeeded.
            guard functions[function] != nil else {
                return (duration, .failed, .scriptMissing, "hook function \(function) does not exist")
            }
            return (duration, .succeeded, .success, "hook function \(function) reported Succeeded")
        }
        if failRate > 0, !event.isReserved, random.unit() < failRate {
            return (duration, .failed, .scriptFailed, "simulated failure (fail_rate \(failRate))")
        }
        return (duration, .succeeded, .success, "")
    }
}

/// Inputs waiting for their time, earliest first, in arrival order at equal times.
struct EventQueue {
    struct Item {
        let time: Int64
        let order: Int
        let deployment: SimDeployment
        let input: EngineInput
    }

    private var heap: [Item] = []
    private var counter = 0

    mutating func push(at time: Int64, deployment: SimDeployment, input: EngineInput) {
        heap.append(Item(time: time, order: counter, deployment: deployment, input: input))
        counter += 1
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    mutating func popIfDue(notAfter limit: Int64) -> Item? {
        guard let first = heap.first, first.time <= limit else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && less(heap[l], heap[m]) { m = l }
                if r < heap.count && less(heap[r], heap[m]) { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return first
    }

    private func less(_ a: Item, _ b: Item) -> Bool {
        a.time != b.time ? a.time < b.time : a.order < b.order
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
