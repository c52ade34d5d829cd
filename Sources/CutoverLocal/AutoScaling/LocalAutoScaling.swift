import CutoverLoadBalancer
import Foundation

/// The daemon's Auto Scaling groups: desired, min and max capacity over Fleet hosts,
/// scale-out and scale-in, launch deployments of a deployment group's last successful
/// revision, copies for blue/green (reference §10, §11).
///
/// A group's hosts are ordinary Fleet hosts named `PREFIX-N` and tagged
/// `cutover:asg = GROUP`. The group keeps as many of them Pending or InService as its
/// desired capacity says: it launches the missing ones and terminates the newest extra
/// ones. A new host is Pending until its launch deployment succeeds (or at once when the
/// group has no launch hook), then InService; a launch deployment that fails abandons
/// the host: it is terminated and the group launches a replacement after a back-off
/// (10 s, doubling, at most 5 min; a capacity or launch hook change retries at once).
/// Terminating drains the host out of the group's load balancers, stops its processes
/// and removes it from the Fleet.
///
/// State lives in auto-scaling-groups.json. A restarted daemon re-adopts its hosts (they
/// survive in the Fleet; their processes do not: the previous daemon stopped them),
/// registers the InService ones with the load balancers again, runs the launch of the
/// Pending ones again and finishes terminating the Terminating ones.
///
/// One lock guards the groups and is held briefly; launches and terminations run on
/// threads of their own (they wait on hook scripts, health checks and drains), one at a
/// time per host.
final class LocalAutoScaling: @unchecked Sendable {
    /// The tag every host of a group carries: the orchestrator's target selection by
    /// Auto Scaling group reads it.
    static let groupTag = "cutover:asg"
    static let maximumRetryDelay: Duration = .seconds(300)

    let fleet: Fleet
    let agent: LocalAgent
    let loadBalancers: LocalLoadBalancers
    private let file: String
    /// How long a group waits before launching again after an abandoned launch; it
    /// doubles with each failure in a row.
    var launchRetryDelay: Duration = .seconds(10)

    private let lock = NSLock()
    private var groups: [String: AutoScalingGroupRecord] = [:]
    /// Per host name: held while a launch or a termination works on the host. Never
    /// removed: a later host may get the same name.
    private var hostLocks: [String: NSLock] = [:]
    /// Per group: launch failures in a row, and the relaunch waiting out its back-off.
    private var failures: [String: Int] = [:]
    private var retries: [String: DispatchWorkItem] = [:]
    private var isShutDown = false

    /// Work decided under the lock, started after it.
    private enum Action {
        case launch(group: String, host: String)
        case terminate(group: String, host: String, port: Int, loadBalancers: [String])
    }

    init(paths: LocalPaths, fleet: Fleet, agent: LocalAgent, loadBalancers: LocalLoadBalancers) {
        self.fleet = fleet
        self.agent = agent
        self.loadBalancers = loadBalancers
        file = paths.root + "/auto-scaling-groups.json"
        restore()
    }

    /// Starts no more work (the daemon is stopping); work under way stops at its next
    /// step and leaves the host as it is for the next daemon.
    func shutdown() {
        lock.withLock {
            isShutDown = true
            retries.values.forEach { $0.cancel() }
            retries = [:]
        }
    }

    // MARK: - Groups

    func list() -> [Control.AutoScalingGroup] {
        lock.withLock { groups.values.sorted { $0.name < $1.name } }.map(describe)
    }

    func describe(_ name: String) throws -> Control.AutoScalingGroup {
        describe(try lock.withLock { try group(name) })
    }

    func create(_ request: Control.CreateAutoScalingGroup) throws -> Control.AutoScalingGroup {
        try Self.checkName(request.name, field: "name")
        try Self.checkLaunch(request.launch)
        let capacity = AutoScalingCapacity(min: request.min, max: request.max, desired: request.desired)
        if let problem = capacity.problem { throw AutoScalingError.invalid(problem) }
        let grace = request.healthGraceMilliseconds ?? 0
        guard (0...3_600_000).contains(grace) else {
            throw AutoScalingError.invalid("health_grace_ms must be 0–3600000, got \(grace)")
        }
        if let r = request.launch.portRange {
            guard r.count == 2, r[0] >= 1024, r[0] <= r[1], r[1] <= 65535 else {
                throw AutoScalingError.invalid("launch.port_range \(r): give [first, last] with 1024 ≤ first ≤ last ≤ 65535")
            }
            guard r[1] - r[0] + 1 >= capacity.max else {
                throw AutoScalingError.invalid("launch.port_range \(r) holds \(r[1] - r[0] + 1) ports, fewer than the max size \(capacity.max)")
            }
        }
        let names = request.loadBalancers ?? []
        let known = Set(loadBalancers.list().map(\.name))
        for name in names where !known.contains(name) {
            throw AutoScalingError.invalid("load_balancers: no load balancer named \(name); create it with POST /v1/load-balancers first")
        }
        guard Set(names).count == names.count else { throw AutoScalingError.invalid("load_balancers: a load balancer is named twice") }
        var record = AutoScalingGroupRecord(name: request.name, capacity: capacity, launch: request.launch, loadBalancers: names,
                                            healthGraceMilliseconds: grace)
        record.record("Created the group: min \(capacity.min), max \(capacity.max), desired \(capacity.desired)"
                      + (names.isEmpty ? "" : ", load balancers \(names.joined(separator: ", "))"))
        return try add(record)
    }

    /// A new group like `source` for a blue/green replacement fleet (reference §10,
    /// COPY_AUTO_SCALING_GROUP): the same launch description, min and max, as many
    /// instances as `source` has InService, no load balancer and no launch hook. Its min
    /// is lowered to that count when it is smaller.
    func copy(_ source: String, to name: String) throws -> Control.AutoScalingGroup {
        try Self.checkName(name, field: "name")
        let original = try lock.withLock { try group(source) }
        let inService = original.instances.filter { $0.lifecycleState == .inService }.count
        let capacity = AutoScalingCapacity(min: min(original.capacity.min, inService), max: original.capacity.max, desired: inService)
        var record = AutoScalingGroupRecord(name: name, capacity: capacity, launch: original.launch, loadBalancers: [],
                                            healthGraceMilliseconds: original.healthGraceMilliseconds)
        record.record("Created as a copy of \(source) with desired capacity \(inService), as many instances as \(source) has InService")
        return try add(record)
    }

    private func add(_ record: AutoScalingGroupRecord) throws -> Control.AutoScalingGroup {
        let (added, actions) = try lock.withLock { () throws -> (AutoScalingGroupRecord, [Action]) in
            guard !isShutDown else { throw AutoScalingError.shutDown }
            guard groups[record.name] == nil else {
                throw AutoScalingError.invalid("name: an Auto Scaling group named \(record.name) already exists; delete it first or pick another name")
            }
            groups[record.name] = record
            let actions = reconcileLocked(record.name)
            save()
            return (groups[record.name]!, actions)
        }
        start(actions)
        return describe(added)
    }

    /// UpdateAutoScalingGroup: new capacity limits; the group launches or terminates to
    /// meet them.
    func setCapacity(_ name: String, _ change: Control.SetCapacity) throws -> Control.AutoScalingGroup {
        guard change.desired != nil || change.min != nil || change.max != nil else {
            throw AutoScalingError.invalid("capacity: give desired, min or max")
        }
        return try update(name) { g in
            let next = g.capacity.applying(change)
            if let problem = next.problem { throw AutoScalingError.invalid(problem) }
            if next != g.capacity {
                g.record("Capacity changed from min \(g.capacity.min), max \(g.capacity.max), desired \(g.capacity.desired) to min \(next.min), max \(next.max), desired \(next.desired)")
                g.capacity = next
            }
        }
    }

    /// Changes a group under the lock, then launches or terminates what the change calls
    /// for (a group waiting to relaunch after a failed launch tries again at once).
    private func update(_ name: String, _ body: (inout AutoScalingGroupRecord) throws -> Void) throws -> Control.AutoScalingGroup {
        let (changed, actions) = try lock.withLock { () throws -> (AutoScalingGroupRecord, [Action]) in
            var g = try group(name)
            try body(&g)
            groups[name] = g
            cancelRetryLocked(name)
            let actions = reconcileLocked(name)
            save()
            return (groups[name]!, actions)
        }
        start(actions)
        return describe(changed)
    }

    /// Sets (or with nil removes) the launch hook; a group waiting to relaunch after a
    /// failed launch tries again at once.
    func setLaunchHook(_ name: String, _ hook: Control.LaunchHook?) throws -> Control.AutoScalingGroup {
        if let hook {
            for (field, value) in [("deployment_group_id", hook.deploymentGroupID), ("application", hook.application), ("group", hook.group)]
            where value.isEmpty {
                throw AutoScalingError.invalid("launch hook: \(field) must not be empty")
            }
            if let revision = hook.revision, !revision.hasPrefix("/") || !FileManager.default.fileExists(atPath: revision) {
                throw AutoScalingError.invalid("launch hook: revision \(revision) is not an absolute path to a directory or an archive on this machine")
            }
        }
        return try update(name) { g in
            if let hook {
                g.record("Launch hook set: new hosts get \(hook.revision ?? "no revision yet") of deployment group \(hook.group) (\(hook.deploymentGroupID)) before they go InService")
            } else {
                g.record("Launch hook removed: new hosts go InService at once")
            }
            g.launchHook = hook
        }
    }

    /// DetachInstances: the hosts leave the group and keep running (blue/green's
    /// KEEP_ALIVE); they lose the group's tag and are drained out of its load balancers.
    func detach(_ name: String, _ request: Control.DetachInstances) throws -> Control.AutoScalingGroup {
        guard !request.hosts.isEmpty else { throw AutoScalingError.invalid("hosts: name at least one host to detach") }
        let decrement = request.decrementDesired ?? true
        let (detached, loadBalancerNames, actions) = try lock.withLock {
            () throws -> ([AutoScalingGroupRecord.Instance], [String], [Action]) in
            var g = try group(name)
            var detached: [AutoScalingGroupRecord.Instance] = []
            for host in Set(request.hosts).sorted() {
                guard let instance = g.instance(host) else {
                    throw AutoScalingError.invalid("hosts: \(host) is not part of Auto Scaling group \(name)")
                }
                guard instance.lifecycleState == .inService else {
                    throw AutoScalingError.invalid("hosts: \(host) is \(instance.lifecycleState.rawValue); only InService instances can be detached")
                }
                detached.append(instance)
            }
            let before = g.capacity
            if decrement {
                g.capacity.desired = max(0, g.capacity.desired - detached.count)
                g.capacity.min = min(g.capacity.min, g.capacity.desired)
            }
            for instance in detached {
                g.instances.removeAll { $0.host == instance.host }
                g.record("Detaching host \(instance.host): it keeps running outside the group"
                         + (decrement ? "" : "; the group launches a replacement"))
            }
            if g.capacity != before {
                g.record("Capacity changed from min \(before.min), max \(before.max), desired \(before.desired) to min \(g.capacity.min), max \(g.capacity.max), desired \(g.capacity.desired) (instances detached)")
            }
            groups[name] = g
            let actions = reconcileLocked(name)
            save()
            return (detached, g.drainedLoadBalancers, actions)
        }
        start(actions)
        // Off the lock: draining waits for in-flight requests.
        for instance in detached {
            _ = try? fleet.update(instance.host) { $0.tags[Self.groupTag] = nil }
            let notes = deregister(instance.port, from: loadBalancerNames)
            if !notes.isEmpty { record(in: name, "Detached host \(instance.host): \(notes.joined(separator: "; "))") }
        }
        return try describe(name)
    }

    /// Terminates the group's hosts (drained out of its load balancers first) and
    /// forgets the group; returns once they are gone.
    func delete(_ name: String) throws -> Control.DeletedAutoScalingGroup {
        let g = try lock.withLock { () throws -> AutoScalingGroupRecord in
            guard let g = groups.removeValue(forKey: name) else { throw AutoScalingError.groupNotFound(name) }
            cancelRetryLocked(name)
            failures[name] = nil
            save()
            return g
        }
        let done = DispatchGroup()
        for instance in g.instances {
            done.enter()
            let names = g.drainedLoadBalancers
            Thread.detachNewThread {
                self.hostLock(instance.host).withLock {
                    self.terminateNow(group: name, host: instance.host, port: instance.port, loadBalancers: names)
                }
                done.leave()
            }
        }
        done.wait()
        return Control.DeletedAutoScalingGroup(name: name, terminated: g.instances.map(\.host))
    }

    // MARK: - Reconciling

    /// Launches the missing instances and marks the newest extra ones Terminating;
    /// returns the work to start. A failure to create hosts is an activity.
    private func reconcileLocked(_ name: String) -> [Action] {
        guard !isShutDown, var g = groups[name] else { return [] }
        let active = g.active
        var actions: [Action] = []
        if active.count < g.capacity.desired, retries[name] == nil {
            let count = g.capacity.desired - active.count
            let cause = "the desired capacity is \(g.capacity.desired) and the group had \(active.count) instance(s)"
            var tags = g.launch.tags
            tags[Self.groupTag] = name
            do {
                for host in try fleet.create(Control.CreateHosts(prefix: g.launch.prefix, count: count, tags: tags,
                                                                 portRange: g.launch.portRange)) {
                    g.instances.append(.init(host: host.name, port: host.port, lifecycleState: .pending, launched: Date()))
                    g.record("Launching host \(host.name) (port \(host.port)): \(cause)")
                    actions.append(.launch(group: name, host: host.name))
                }
            } catch {
                g.record("Launching \(count) host(s) failed: \(error)")
            }
        } else if active.count > g.capacity.desired {
            let cause = "the desired capacity is \(g.capacity.desired) and the group had \(active.count) instance(s); the newest go first"
            for instance in active.suffix(active.count - g.capacity.desired).reversed() {
                g.setState(instance.host, .terminating)
                g.record("Terminating host \(instance.host): \(cause)")
                actions.append(.terminate(group: name, host: instance.host, port: instance.port, loadBalancers: g.drainedLoadBalancers))
            }
        }
        groups[name] = g
        return actions
    }

    private func start(_ actions: [Action]) {
        for action in actions {
            switch action {
            case .launch(let group, let host):
                Thread.detachNewThread { self.launch(group: group, host: host) }
            case .terminate(let group, let host, let port, let names):
                Thread.detachNewThread {
                    self.hostLock(host).withLock { self.terminateNow(group: group, host: host, port: port, loadBalancers: names) }
                }
            }
        }
    }

    /// After an abandoned launch: the next launch waits out the back-off.
    private func scheduleRetryLocked(_ name: String) -> Duration {
        let failed = (failures[name] ?? 0) + 1
        failures[name] = failed
        var delay = launchRetryDelay
        for _ in 1..<failed where delay < Self.maximumRetryDelay { delay *= 2 }
        delay = min(delay, Self.maximumRetryDelay)
        let item = DispatchWorkItem { [weak self] in
            guard let self else { return }
            let actions = self.lock.withLock { () -> [Action] in
                self.retries[name] = nil
                let actions = self.reconcileLocked(name)
                self.save()
                return actions
            }
            self.start(actions)
        }
        retries[name]?.cancel()
        retries[name] = item
        let milliseconds = Int(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds), execute: item)
        return delay
    }

    private func cancelRetryLocked(_ name: String) {
        retries.removeValue(forKey: name)?.cancel()
    }

    // MARK: - Launching and terminating

    private func hostLock(_ host: String) -> NSLock {
        lock.withLock {
            if let existing = hostLocks[host] { return existing }
            let created = NSLock()
            hostLocks[host] = created
            return created
        }
    }

    /// Whether `host` is still a Pending instance of `group` and the daemon goes on.
    private func isPendingLocked(_ group: String, _ host: String) -> Bool {
        !isShutDown && groups[group]?.instance(host)?.lifecycleState == .pending
    }

    /// Takes a Pending host InService: through its launch deployment when the group has
    /// a launch hook with a revision, at once (and registered with the load balancers)
    /// when it has none.
    private func launch(group: String, host: String) {
        hostLock(host).withLock {
            let plan = lock.withLock { () -> (hook: Control.LaunchHook?, loadBalancers: [String], host: Control.Host)? in
                guard isPendingLocked(group, host), let g = groups[group], let described = try? fleet.host(host) else { return nil }
                return (g.launchHook, g.loadBalancers, described)
            }
            guard let plan else { return }
            guard let hook = plan.hook, let revision = hook.revision else {
                // Registered first, so that an InService instance is always registered.
                let problems = register(plan.host.port, with: plan.loadBalancers)
                lock.withLock {
                    guard isPendingLocked(group, host) else { return }
                    groups[group]?.setState(host, .inService)
                    groups[group]?.record("Host \(host) is InService" + (plan.hook == nil ? " (no launch hook)" : " (the launch hook has no revision yet)")
                                          + (problems.isEmpty ? "" : "; registering it with its load balancers failed: \(problems.joined(separator: "; "))"))
                    save()
                }
                return
            }
            var names = plan.loadBalancers
            if let extra = hook.loadBalancer, !names.contains(extra) { names.append(extra) }
            runLaunchDeployment(group: group, host: plan.host, hook: hook, revision: revision, loadBalancers: names)
        }
    }

    /// The launch deployment, with the host's lock held; success takes the host
    /// InService, failure abandons it (terminated, relaunched after the back-off).
    private func runLaunchDeployment(group: String, host: Control.Host, hook: Control.LaunchHook, revision: String,
                                     loadBalancers names: [String]) {
        let run = LaunchDeploymentRun(agent: agent, hook: hook, revision: revision, loadBalancers: names,
                                      deploymentID: LaunchDeploymentRun.newDeploymentID())
        var launch = Control.LaunchDeployment(deploymentID: run.deploymentID, host: host.name, revision: revision,
                                              deploymentGroupID: hook.deploymentGroupID, status: "InProgress", events: [])
        lock.withLock {
            groups[group]?.record(launch)
            groups[group]?.record("Launch deployment \(run.deploymentID) of \(revision) on host \(host.name) started (deployment group \(hook.group), creator autoscaling)")
            save()
        }
        let outcome = run.run(on: host) { result in
            launch.events.append(result)
            return lock.withLock {
                groups[group]?.record(launch)
                save()
                return isPendingLocked(group, host.name)
            }
        }
        switch outcome {
        case .interrupted:
            lock.withLock {
                guard !isShutDown else { return }
                launch.status = "Stopped"
                groups[group]?.record(launch)
                groups[group]?.record("Launch deployment \(run.deploymentID) on host \(host.name) stopped: the host is no longer Pending")
                save()
            }
        case .succeeded:
            launch.status = "Succeeded"
            _ = try? fleet.update(host.name) { $0.revisions[hook.deploymentGroupID] = revision }
            lock.withLock {
                groups[group]?.record(launch)
                if isPendingLocked(group, host.name) {
                    groups[group]?.setState(host.name, .inService)
                    groups[group]?.record("Launch deployment \(run.deploymentID) succeeded (CONTINUE): host \(host.name) is InService with \(revision)")
                    failures[group] = nil
                }
                save()
            }
        case .failed(let event, let message):
            launch.status = "Failed"
            let abandon = lock.withLock { () -> Bool in
                groups[group]?.record(launch)
                guard isPendingLocked(group, host.name) else {
                    save()
                    return false
                }
                groups[group]?.setState(host.name, .terminating)
                let delay = scheduleRetryLocked(group)
                groups[group]?.record("Launch deployment \(run.deploymentID) of \(revision) on host \(host.name) failed at \(event): \(message) — ABANDON: the host is terminated; the group launches a replacement in \(delay.components.seconds) s")
                save()
                return true
            }
            if abandon { terminateNow(group: group, host: host.name, port: host.port, loadBalancers: names) }
        }
    }

    /// Drains the host out of the load balancers, stops its processes and removes it
    /// from the Fleet and the group. The caller holds the host's lock.
    private func terminateNow(group: String, host: String, port: Int, loadBalancers names: [String]) {
        guard !lock.withLock({ isShutDown }), (try? fleet.host(host)) != nil else { return }
        var notes = deregister(port, from: names)
        var stopped = 0
        do {
            stopped = try fleet.remove(host)
        } catch {
            notes.append("\(error)")
        }
        lock.withLock {
            groups[group]?.instances.removeAll { $0.host == host }
            groups[group]?.record("Terminated host \(host): \(stopped) process(es) stopped" + (notes.isEmpty ? "" : "; " + notes.joined(separator: "; ")))
            save()
        }
    }

    // MARK: - Load balancers

    /// Registers a port with each load balancer (health checks start; no waiting);
    /// returns what went wrong.
    private func register(_ port: Int, with names: [String]) -> [String] {
        names.compactMap { name in
            guard let group = loadBalancers.balancer.targetGroup(named: name) else { return "\(name): no such load balancer" }
            do {
                try group.register(Target(port: port))
                return nil
            } catch {
                return "\(name): \(error)"
            }
        }
    }

    /// Deregisters a port from each load balancer, draining it; returns what happened.
    private func deregister(_ port: Int, from names: [String]) -> [String] {
        names.map { name in
            do {
                return "\(name): " + (try loadBalancers.block(host: port, in: name))
            } catch {
                return "\(name): \(error)"
            }
        }
    }

    // MARK: - Describing

    private func describe(_ g: AutoScalingGroupRecord) -> Control.AutoScalingGroup {
        let now = Date()
        let instances = g.instances.map { instance -> Control.AutoScalingInstance in
            var states: [String: String] = [:]
            for name in g.loadBalancers {
                states[name] = loadBalancers.balancer.targetGroup(named: name)?.health(of: Target(port: instance.port))
                    .map { "\($0.state)" } ?? "unregistered"
            }
            let graceOver = instance.inService.map { now.timeIntervalSince($0) * 1000 >= Double(g.healthGraceMilliseconds) } ?? false
            let unhealthy = instance.lifecycleState == .inService && graceOver && states.values.contains { $0 != "healthy" }
            return .init(host: instance.host, port: instance.port, lifecycleState: instance.lifecycleState,
                         health: unhealthy ? "Unhealthy" : "Healthy", loadBalancerStates: states)
        }
        return Control.AutoScalingGroup(
            name: g.name, min: g.capacity.min, max: g.capacity.max, desired: g.capacity.desired, launch: g.launch,
            loadBalancers: g.loadBalancers, healthGraceMilliseconds: g.healthGraceMilliseconds, launchHook: g.launchHook,
            instances: instances, activities: g.activities, launches: g.launches)
    }

    // MARK: - State

    private func group(_ name: String) throws -> AutoScalingGroupRecord {
        guard let g = groups[name] else { throw AutoScalingError.groupNotFound(name) }
        return g
    }

    private func record(in group: String, _ description: String) {
        lock.withLock {
            groups[group]?.record(description)
            save()
        }
    }

    /// Re-adopts the groups of an earlier daemon (see the type's comment).
    private func restore() {
        guard let data = FileManager.default.contents(atPath: file),
              let saved = try? JSONDecoder().decode([AutoScalingGroupRecord].self, from: data) else { return }
        let hosts = Set(fleet.list().map(\.name))
        var registrations: [(port: Int, loadBalancers: [String])] = []
        let actions = lock.withLock { () -> [Action] in
            var actions: [Action] = []
            for var g in saved {
                for gone in g.instances where !hosts.contains(gone.host) {
                    g.record("Host \(gone.host) is no longer in the fleet; removed from the group")
                }
                g.instances.removeAll { !hosts.contains($0.host) }
                g.record("The daemon restarted: re-adopted \(g.instances.count) host(s)")
                groups[g.name] = g
                for instance in g.instances {
                    switch instance.lifecycleState {
                    case .pending: actions.append(.launch(group: g.name, host: instance.host))
                    case .terminating:
                        actions.append(.terminate(group: g.name, host: instance.host, port: instance.port, loadBalancers: g.drainedLoadBalancers))
                    case .inService: registrations.append((instance.port, g.loadBalancers))
                    }
                }
                actions += reconcileLocked(g.name)
            }
            save()
            return actions
        }
        for registration in registrations { _ = register(registration.port, with: registration.loadBalancers) }
        start(actions)
    }

    /// Writes auto-scaling-groups.json; the caller holds the lock.
    private func save() {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try? encoder.encode(groups.values.sorted { $0.name < $1.name }).write(to: URL(fileURLWithPath: file), options: .atomic)
    }

    // MARK: - Validation

    static func checkName(_ name: String, field: String) throws {
        guard !name.isEmpty, name.count <= 255,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw AutoScalingError.invalid("\(field): '\(name)' must be 1–255 letters, digits, - or _")
        }
    }

    static func checkLaunch(_ launch: Control.LaunchDescription) throws {
        guard !launch.prefix.isEmpty,
              launch.prefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw AutoScalingError.invalid("launch.prefix: '\(launch.prefix)' must be letters, digits, - or _ (hosts are named PREFIX-N)")
        }
        if launch.tags[groupTag] != nil {
            throw AutoScalingError.invalid("launch.tags: \(groupTag) is set by the group itself")
        }
    }
}
