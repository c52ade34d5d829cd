import CutoverLoadBalancer
import Foundation

/// The daemon's services: task definitions, task sets of real processes kept at their
/// desired count, production and test listeners — what CodeDeploy drives in an ECS
/// blue/green deployment (reference §5.8, §12).
///
/// State lives in `services/` under the state directory: task-definitions.json,
/// services.json, and one directory per service holding its tasks' logs. A restarted
/// daemon rebuilds each service from services.json (same ports, same target groups, the
/// PRIMARY and ACTIVE task sets with their traffic weights) and starts its tasks again;
/// first it kills any task a daemon that died left running (tasks carry
/// `CUTOVER_HOST_ROOT=<state>/services`, the marker daemon-started processes carry). That
/// is best effort: a service whose port is taken meanwhile is reported in the daemon's
/// log and skipped.
///
/// Two locks: `lock` guards the services and their supervisors and is held briefly
/// (requests, and a ticker every 50 ms that reaps and restarts tasks); `mutations`
/// serializes the requests that change things, which may wait on listeners, drains and
/// stopping processes without holding up the ticker or readers.
final class LocalServices: @unchecked Sendable {
    static let marker = "CUTOVER_HOST_ROOT"

    let paths: LocalPaths
    let loadBalancers: LocalLoadBalancers
    let definitions: TaskDefinitionStore
    /// `<state>/services`.
    let directory: String
    /// How long promote and rollback let in-flight requests to the old tasks finish.
    var drainTimeout: Duration = .seconds(10)

    private let lock = NSLock()
    private let mutations = NSLock()
    private var services: [String: ServiceRuntime] = [:]
    private var isShutDown = false
    private let queue = DispatchQueue(label: "cutover.local.services")
    private let ticker: DispatchSourceTimer
    /// Left once services.json has been restored; requests wait for it.
    private let restored = DispatchGroup()

    init(paths: LocalPaths, loadBalancers: LocalLoadBalancers) {
        self.paths = paths
        self.loadBalancers = loadBalancers
        directory = paths.root + "/services"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        definitions = TaskDefinitionStore(file: directory + "/task-definitions.json")
        ticker = DispatchSource.makeTimerSource(queue: queue)
        ticker.schedule(deadline: .now() + .milliseconds(50), repeating: .milliseconds(50))
        ticker.setEventHandler { [weak self] in self?.tick() }
        // Restoring creates listeners (async work run to its end): off the caller's
        // thread, which may be a Swift concurrency one.
        restored.enter()
        queue.async {
            self.restore()
            self.ticker.resume()
            self.restored.leave()
        }
    }

    deinit { ticker.cancel() }

    var balancer: LoadBalancer { loadBalancers.balancer }

    // MARK: - Supervision

    private func tick() {
        lock.withLock {
            guard !isShutDown else { return }
            let now = ContinuousClock.now
            for service in services.values {
                for set in service.sets { set.reconcile(now: now) }
            }
        }
    }

    /// Stops every task process (daemon shutdown); returns how many. services.json stays,
    /// so the next daemon starts them again.
    func shutdown() -> Int {
        restored.wait()
        let processes = lock.withLock { () -> [TaskProcess] in
            isShutDown = true
            return services.values.flatMap { $0.sets.flatMap(\.processes) }
        }
        ticker.cancel()
        queue.sync {}
        let stopped = TaskProcess.stop(processes)
        return stopped + TaskProcess.stopMarked(Self.marker, directory)
    }

    // MARK: - Services

    func list() -> [Control.Service] {
        lock.withLock { services.values.sorted { $0.name < $1.name }.map { $0.describe() } }
    }

    func describe(_ name: String) throws -> Control.Service {
        try lock.withLock { try service(name).describe() }
    }

    func createService(_ request: Control.CreateService) throws -> Control.Service {
        guard TaskDefinitionStore.isName(request.name) else {
            throw ServiceError.invalid("service name '\(request.name)' must be 1–255 letters, digits, - or _")
        }
        guard (0...100).contains(request.desiredCount) else {
            throw ServiceError.invalid("desired_count must be 0–100, got \(request.desiredCount)")
        }
        for port in [request.port, request.testPort].compactMap({ $0 }) where !(0...65535).contains(port) {
            throw ServiceError.invalid("port \(port) must be 0–65535 (0 picks a free one)")
        }
        let interval = request.healthIntervalMilliseconds ?? 1000
        guard (10...60_000).contains(interval) else {
            throw ServiceError.invalid("health_interval_ms must be 10–60000, got \(interval)")
        }
        let definition = try definitions.find(request.taskDefinition)
        return try mutations.withLock {
            try lock.withLock {
                if isShutDown { throw ServiceError.shutDown }
                if services[request.name] != nil {
                    throw ServiceError.invalid("service \(request.name) already exists; delete it first or pick another name")
                }
            }
            let (blue, _) = ServiceRuntime.groupNames(of: request.name)
            let record = ServiceRuntime.Record(
                name: request.name, port: request.port, testPort: request.testPort, desiredCount: request.desiredCount,
                healthIntervalMilliseconds: interval, replacementWeight: 0, testToReplacement: false,
                taskSets: [.init(id: Self.newTaskSetID(), status: .primary, taskDefinition: definition.reference, targetGroup: blue)])
            let runtime = try open(record, definitions: [definition.reference: definition])
            return lock.withLock {
                services[runtime.name] = runtime
                for set in runtime.sets { set.reconcile() }
                save()
                return runtime.describe()
            }
        }
    }

    func deleteService(_ name: String) throws -> Control.DeletedService {
        try mutations.withLock {
            let (runtime, released) = try lock.withLock { () throws -> (ServiceRuntime, [(processes: [TaskProcess], drains: [TargetDrain])]) in
                guard let runtime = services.removeValue(forKey: name) else { throw ServiceError.serviceNotFound(name) }
                let released = runtime.sets.map { $0.release(drainTimeout: .seconds(1)) }
                save()
                return (runtime, released)
            }
            let balancer = self.balancer
            let ports = [runtime.port] + (runtime.testPort.map { [$0] } ?? [])
            let groups = Array(runtime.groups.keys)
            let drains = released.flatMap(\.drains)
            try? blocking {
                for port in ports { try? await balancer.deleteListener(port: port, gracePeriod: .seconds(1)) }
                for drain in drains { _ = await drain.outcome() }
                for group in groups { try? await balancer.deleteTargetGroup(named: group) }
            }
            let stopped = TaskProcess.stop(released.flatMap(\.processes))
            try? FileManager.default.removeItem(atPath: runtime.directory)
            return Control.DeletedService(name: name, stopped: stopped)
        }
    }

    // MARK: - Task sets

    /// Creates the replacement task set in the target group the primary does not use
    /// and starts its tasks.
    func createTaskSet(service name: String, _ request: Control.CreateTaskSet) throws -> Control.TaskSet {
        let definition = try definitions.find(request.taskDefinition)
        return try mutations.withLock {
            let (spare, healthInterval, existing) = try lock.withLock { () throws -> (String, Int, TargetGroup?) in
                let runtime = try service(name)
                if let replacement = runtime.replacement {
                    throw ServiceError.invalid("service \(name) already has a replacement task set \(replacement.id) "
                                               + "(\(replacement.definition.reference)); promote it or delete it first")
                }
                return (runtime.spareGroupName, runtime.healthIntervalMilliseconds, runtime.groups[runtime.spareGroupName])
            }
            // The spare group is idle (no listener, no targets): give it this definition's health check.
            var group = existing
            if group?.healthCheck.path != definition.healthPath {
                let balancer = self.balancer
                try? blocking { try await balancer.deleteTargetGroup(named: spare) }
                group = try makeGroup(spare, healthPath: definition.healthPath, intervalMilliseconds: healthInterval)
            }
            return try lock.withLock {
                let runtime = try service(name)
                runtime.groups[spare] = group
                let set = TaskSetSupervisor(id: Self.newTaskSetID(), status: .active, definition: definition, group: group!,
                                            desired: runtime.desiredCount, context: context(of: runtime))
                runtime.sets.append(set)
                runtime.replacementWeight = 0
                set.reconcile()
                save()
                return set.describe(trafficWeight: 0)
            }
        }
    }

    /// Returns once every task of the set runs and is healthy in its target group; fails
    /// with ECS_UPDATE_ERROR at once when a task cannot start or keeps exiting, else at the timeout.
    func waitStable(service name: String, taskSet id: String, timeout: Duration) throws -> Control.Stability {
        let clock = ContinuousClock()
        let started = clock.now
        var first = true
        while true {
            let answer = try lock.withLock { () throws -> Result<Control.TaskSet, ServiceError>? in
                let runtime = try service(name)
                guard let set = runtime.sets.first(where: { $0.id == id }) else {
                    if first { throw ServiceError.taskSetNotFound(service: name, id: id) }
                    return .failure(.updateError("task set \(id) of service \(name) was deleted while waiting for it to become stable"))
                }
                if set.isStable { return .success(set.describe(trafficWeight: runtime.weight(of: set))) }
                if let problem = set.fatalProblem { return .failure(.updateError(problem)) }
                if clock.now - started >= timeout {
                    return .failure(.updateError("task set \(id) (\(set.definition.reference)) of service \(name) did not become "
                                                 + "stable within \(Self.milliseconds(timeout)) ms: \(set.progress)"))
                }
                return nil
            }
            first = false
            switch answer {
            case .success(let set):
                return Control.Stability(stable: true, taskSet: set, waitedMilliseconds: Self.milliseconds(clock.now - started))
            case .failure(let error):
                throw error
            case nil:
                usleep(20_000)
            }
        }
    }

    /// Production: the replacement gets `weight` percent, the primary the rest.
    func shiftTraffic(service name: String, replacementWeight weight: Int) throws -> Control.Service {
        guard (0...100).contains(weight) else { throw ServiceError.invalid("replacement_weight must be 0–100, got \(weight)") }
        return try mutations.withLock {
            try lock.withLock {
                let runtime = try service(name)
                if runtime.replacement == nil && weight > 0 {
                    throw ServiceError.invalid("service \(name) has no replacement task set to send traffic to; create one first")
                }
                let previous = runtime.replacementWeight
                runtime.replacementWeight = weight
                do {
                    try runtime.applyListeners(balancer)
                } catch {
                    runtime.replacementWeight = previous
                    throw error
                }
                save()
                return runtime.describe()
            }
        }
    }

    /// The test listener forwards to the replacement or back to the primary.
    func routeTestTraffic(service name: String, to destination: Control.RouteTestTraffic.Destination) throws -> Control.Service {
        try mutations.withLock {
            try lock.withLock {
                let runtime = try service(name)
                guard runtime.testPort != nil else {
                    throw ServiceError.invalid("service \(name) has no test listener (create the service with test_port)")
                }
                if destination == .replacement && runtime.replacement == nil {
                    throw ServiceError.invalid("service \(name) has no replacement task set for test traffic; create one first")
                }
                runtime.testToReplacement = destination == .replacement
                try runtime.applyListeners(balancer)
                save()
                return runtime.describe()
            }
        }
    }

    /// The replacement becomes the primary and gets all traffic, production and test; the
    /// old primary drains out of its target group, its tasks stop, and it is deleted.
    func promote(service name: String, taskSet id: String) throws -> Control.Service {
        try retire(service: name) { runtime in
            let set = try runtime.taskSet(id)
            guard set.status == .active, let old = runtime.primary else {
                throw ServiceError.invalid("task set \(id) is the \(set.status.rawValue) task set of service \(name); only the replacement (ACTIVE) can be promoted")
            }
            old.status = .draining
            set.status = .primary
            return old
        }
    }

    /// Rollback: listeners back to the primary alone; the replacement drains, stops and is deleted.
    func deleteTaskSet(service name: String, taskSet id: String) throws -> Control.Service {
        try retire(service: name) { runtime in
            let set = try runtime.taskSet(id)
            guard set.status == .active else {
                throw ServiceError.invalid("task set \(id) is the \(set.status.rawValue) task set of service \(name); only the replacement (ACTIVE) can be deleted (delete the service to remove everything)")
            }
            set.status = .draining
            return set
        }
    }

    /// Marks one set draining (`choose` does, and says which), sends every listener to the
    /// primary, drains and stops the set's tasks, then removes it.
    private func retire(service name: String, choose: (ServiceRuntime) throws -> TaskSetSupervisor) throws -> Control.Service {
        try mutations.withLock {
            let (leaving, released) = try lock.withLock { () throws -> (TaskSetSupervisor, (processes: [TaskProcess], drains: [TargetDrain])) in
                let runtime = try service(name)
                let leaving = try choose(runtime)
                runtime.replacementWeight = 0
                runtime.testToReplacement = false
                try runtime.applyListeners(balancer)
                let released = leaving.release(drainTimeout: drainTimeout)
                save()
                return (leaving, released)
            }
            try? blocking {
                for drain in released.drains { _ = await drain.outcome() }
            }
            _ = TaskProcess.stop(released.processes)
            return try lock.withLock {
                let runtime = try service(name)
                runtime.sets.removeAll { $0 === leaving }
                save()
                return runtime.describe()
            }
        }
    }

    // MARK: - Building

    /// Builds a service from its record: target groups, listeners, task set supervisors
    /// (tasks start at the next tick or reconcile). Undoes what it made when a step fails.
    private func open(_ record: ServiceRuntime.Record, definitions known: [String: Control.TaskDefinition]) throws -> ServiceRuntime {
        let sets = record.taskSets.filter { $0.status != .draining }
        guard let primaryRecord = sets.first(where: { $0.status == .primary }),
              let primaryDefinition = known[primaryRecord.taskDefinition] else {
            throw ServiceError.invalid("service \(record.name) has no primary task set with a known task definition")
        }
        let (blue, green) = ServiceRuntime.groupNames(of: record.name)
        let balancer = self.balancer
        var made: [String] = []
        var listeners: [Int] = []
        func undo() {
            let (listeners, made) = (listeners, made)
            try? blocking {
                for port in listeners { try? await balancer.deleteListener(port: port, gracePeriod: .zero) }
                for name in made { try? await balancer.deleteTargetGroup(named: name) }
            }
        }
        do {
            var groups: [String: TargetGroup] = [:]
            for name in [blue, green] {
                let user = sets.first { $0.targetGroup == name }
                let healthPath = user.flatMap { known[$0.taskDefinition]?.healthPath } ?? primaryDefinition.healthPath
                groups[name] = try makeGroup(name, healthPath: healthPath, intervalMilliseconds: record.healthIntervalMilliseconds)
                made.append(name)
            }
            let primaryGroup = groups[primaryRecord.targetGroup] ?? groups[blue]!
            let port = try listen(record.port, forwardingTo: primaryGroup, service: record.name, role: "production")
            listeners.append(port)
            let testPort = try record.testPort.map { try listen($0, forwardingTo: primaryGroup, service: record.name, role: "test") }
            if let testPort { listeners.append(testPort) }
            let runtime = ServiceRuntime(name: record.name, port: port, testPort: testPort, desiredCount: record.desiredCount,
                                         healthIntervalMilliseconds: record.healthIntervalMilliseconds,
                                         directory: directory + "/" + record.name, groups: groups)
            for set in sets {
                guard let definition = known[set.taskDefinition], let group = groups[set.targetGroup] else { continue }
                runtime.sets.append(TaskSetSupervisor(id: set.id, status: set.status, definition: definition, group: group,
                                                      desired: record.desiredCount, context: context(of: runtime)))
            }
            if runtime.replacement != nil {
                runtime.replacementWeight = record.replacementWeight
                runtime.testToReplacement = record.testToReplacement
                try runtime.applyListeners(balancer)
            }
            return runtime
        } catch {
            undo()
            throw error
        }
    }

    private func makeGroup(_ name: String, healthPath: String, intervalMilliseconds: Int) throws -> TargetGroup {
        let check = HealthCheck(path: healthPath, interval: .milliseconds(intervalMilliseconds), timeout: .seconds(2),
                                healthyThreshold: 2, unhealthyThreshold: 2)
        do {
            return try balancer.createTargetGroup(name: name, healthCheck: check)
        } catch {
            throw ServiceError.invalid("target group \(name): \(error)")
        }
    }

    private func listen(_ port: Int, forwardingTo group: TargetGroup, service: String, role: String) throws -> Int {
        let balancer = self.balancer
        do {
            return try blocking { try await balancer.createListener(port: port, action: .forward(group)).port }
        } catch {
            throw ServiceError.invalid("service \(service): \(role) listener: \(error)")
        }
    }

    private func context(of runtime: ServiceRuntime) -> TaskSetSupervisor.Context {
        try? FileManager.default.createDirectory(atPath: runtime.directory, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment[Self.marker] = directory
        return TaskSetSupervisor.Context(service: runtime.name, environment: environment, directory: runtime.directory)
    }

    // MARK: - Persistence

    /// Rebuilds the services of services.json, after stopping tasks an earlier daemon left.
    private func restore() {
        guard let data = FileManager.default.contents(atPath: directory + "/services.json"),
              let records = try? JSONDecoder().decode([ServiceRuntime.Record].self, from: data), !records.isEmpty else { return }
        let stragglers = TaskProcess.stopMarked(Self.marker, directory)
        if stragglers > 0 { LocalDaemon.say("services: stopped \(stragglers) task process(es) an earlier daemon left running") }
        var known: [String: Control.TaskDefinition] = [:]
        for definition in definitions.list() { known[definition.reference] = definition }
        for record in records {
            do {
                let runtime = try open(record, definitions: known)
                lock.withLock {
                    services[runtime.name] = runtime
                    for set in runtime.sets { set.reconcile() }
                }
            } catch {
                LocalDaemon.say("services: cannot restore service \(record.name): \(error)")
            }
        }
        lock.withLock { save() }
    }

    /// Writes services.json; the caller holds `lock`.
    private func save() {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let records = services.values.sorted { $0.name < $1.name }.map(\.record)
        try? encoder.encode(records).write(to: URL(fileURLWithPath: directory + "/services.json"), options: .atomic)
    }

    // MARK: - Helpers

    /// The caller holds `lock`.
    private func service(_ name: String) throws -> ServiceRuntime {
        if isShutDown { throw ServiceError.shutDown }
        guard let runtime = services[name] else { throw ServiceError.serviceNotFound(name) }
        return runtime
    }

    /// Requests wait until services.json has been restored.
    func waitUntilRestored() { restored.wait() }

    static func newTaskSetID() -> String {
        "ts-" + String(format: "%08x", UInt32.random(in: 0...UInt32.max))
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
