import CutoverLoadBalancer
import Foundation

/// Keeps one task set at its desired count, as ECS's service scheduler does: starts each
/// task on a free port, registers it in the set's target group, notices when it exits,
/// and starts it again on a new port after a backoff (100 ms, doubling to 5 s; back to
/// 100 ms once the task is healthy).
///
/// Not thread-safe: `LocalServices` calls it under its lock, from its ticker (every
/// 50 ms) and from requests.
final class TaskSetSupervisor {
    /// What the set's tasks share: where they run and what they are told.
    struct Context {
        var service: String
        /// The daemon's environment plus the marker stragglers are found by.
        var environment: [String: String]
        /// The service's directory: the default working directory; logs under `logs/`.
        var directory: String
    }

    /// One of the set's `desired` places; its process changes with each restart.
    struct Slot {
        let id: String
        let logPath: String
        var process: TaskProcess?
        var restarts = 0
        /// Exits since the task was last healthy: three mean it cannot run.
        var exits = 0
        var lastExit: Int32?
        var backoff = TaskSetSupervisor.firstBackoff
        var startAt: ContinuousClock.Instant
        /// Why the last start failed (exec failed), until a start succeeds.
        var startFailure: String?
    }

    static let firstBackoff: Duration = .milliseconds(100)
    static let maximumBackoff: Duration = .seconds(5)
    /// Exits without turning healthy after which a set is reported as unable to run.
    static let exitLimit = 3

    let id: String
    let definition: Control.TaskDefinition
    let group: TargetGroup
    let context: Context
    var status: Control.TaskSetStatus
    private(set) var slots: [Slot]
    /// The last start failure or exit, for the set's description.
    private(set) var failure: String?

    init(id: String, status: Control.TaskSetStatus, definition: Control.TaskDefinition, group: TargetGroup,
         desired: Int, context: Context) {
        self.id = id
        self.status = status
        self.definition = definition
        self.group = group
        self.context = context
        let logs = context.directory + "/logs"
        try? FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let now = ContinuousClock.now
        slots = (0..<desired).map { Slot(id: "\(id)-\($0 + 1)", logPath: "\(logs)/\(id)-\($0 + 1).log", startAt: now) }
    }

    var processes: [TaskProcess] { slots.compactMap(\.process) }

    // MARK: - Supervision

    /// Reaps exited tasks, notes healthy ones, starts the tasks that are due. A draining
    /// set is left alone: it is being stopped.
    func reconcile(now: ContinuousClock.Instant = .now) {
        guard status != .draining else { return }
        for index in slots.indices {
            if let process = slots[index].process {
                switch process.poll() {
                case .running:
                    if group.health(of: Target(port: process.port))?.state == .healthy {
                        slots[index].exits = 0
                        slots[index].backoff = Self.firstBackoff
                    }
                case .exited(let code):
                    exited(index, code: code, now: now)
                }
            }
            if slots[index].process == nil && now >= slots[index].startAt {
                start(index, now: now)
            }
        }
    }

    private func exited(_ index: Int, code: Int32, now: ContinuousClock.Instant) {
        guard let process = slots[index].process else { return }
        _ = try? group.beginDeregistration(Target(port: process.port), drainTimeout: .seconds(1))
        slots[index].process = nil
        slots[index].exits += 1
        slots[index].lastExit = code
        let delay = slots[index].backoff
        slots[index].startAt = now + delay
        slots[index].backoff = min(delay * 2, Self.maximumBackoff)
        failure = "task \(slots[index].id) (pid \(process.pid)) exited with status \(code); restarting in \(delay)"
    }

    private func start(_ index: Int, now: ContinuousClock.Instant) {
        let slot = slots[index]
        let result = freePort().flatMap { port -> Result<TaskProcess, TaskProcess.StartError> in
            var environment = context.environment
            for (key, value) in definition.environment { environment[key] = value }
            environment[definition.containerPortEnv] = String(port)
            environment["CUTOVER_TASK_ID"] = slot.id
            environment["CUTOVER_TASK_SET"] = id
            environment["CUTOVER_SERVICE"] = context.service
            return TaskProcess.start(definition.command, port: port, environment: environment,
                                     directory: definition.workingDirectory ?? context.directory,
                                     logPath: slot.logPath, definition: definition.reference)
        }
        switch result {
        case .success(let process):
            slots[index].process = process
            slots[index].startFailure = nil
            if slot.lastExit != nil || slot.startFailure != nil { slots[index].restarts += 1 }
            do {
                try group.register(Target(port: process.port))
            } catch {
                failure = "task \(slot.id): cannot register 127.0.0.1:\(process.port) in \(group.name): \(error)"
            }
        case .failure(let error):
            slots[index].startFailure = error.description
            slots[index].startAt = now + slot.backoff
            slots[index].backoff = min(slot.backoff * 2, Self.maximumBackoff)
            failure = error.description
        }
    }

    /// A free port that is not still draining out of the target group.
    private func freePort() -> Result<Int, TaskProcess.StartError> {
        for _ in 0..<10 {
            guard let port = try? FreePort.pick() else { break }
            if group.health(of: Target(port: port)) == nil { return .success(port) }
        }
        return .failure(TaskProcess.StartError(description: "task definition \(definition.reference): no free port on 127.0.0.1"))
    }

    /// Takes every process out of supervision (the caller stops them) and deregisters
    /// their targets, returning the drains.
    func release(drainTimeout: Duration) -> (processes: [TaskProcess], drains: [TargetDrain]) {
        status = .draining
        let processes = self.processes
        let drains = processes.compactMap { try? group.beginDeregistration(Target(port: $0.port), drainTimeout: drainTimeout) }
        for index in slots.indices { slots[index].process = nil }
        return (processes, drains)
    }

    // MARK: - State

    /// Running and healthy counts.
    var counts: (running: Int, healthy: Int) {
        let running = processes
        let healthy = running.filter { group.health(of: Target(port: $0.port))?.state == .healthy }
        return (running.count, healthy.count)
    }

    var isStable: Bool {
        let (running, healthy) = counts
        return running == slots.count && healthy == slots.count
    }

    /// Why the set cannot become stable however long one waits: a task that cannot
    /// start, or one that keeps exiting. Nil while it still may.
    var fatalProblem: String? {
        if let failed = slots.first(where: { $0.startFailure != nil }) { return failed.startFailure }
        if let looping = slots.first(where: { $0.exits >= Self.exitLimit }) {
            let tail = TaskProcess.tail(of: looping.logPath)
            return "task definition \(definition.reference): task exited with status \(looping.lastExit ?? -1) three times"
                + (tail.isEmpty ? " (no output)" : ": \(tail)")
        }
        return nil
    }

    /// Why the set is not stable yet: counts and the last health check failure.
    var progress: String {
        let (running, healthy) = counts
        let reasons = processes.compactMap { group.health(of: Target(port: $0.port)).flatMap { h in h.reason.map { "\(h.state): \($0)" } } }
        return "\(running) of \(slots.count) task(s) running, \(healthy) healthy in \(group.name)"
            + (reasons.first.map { " (last health check: \($0))" } ?? "")
            + (failure.map { "; last failure: \($0)" } ?? "")
    }

    func describe(trafficWeight: Int) -> Control.TaskSet {
        let tasks = slots.map { slot -> Control.ServiceTask in
            let health = slot.process.flatMap { group.health(of: Target(port: $0.port)) }
            return Control.ServiceTask(id: slot.id, status: slot.process == nil ? "PENDING" : "RUNNING", pid: slot.process?.pid,
                                       port: slot.process?.port, health: health.map { "\($0.state)" },
                                       restarts: slot.restarts, log: slot.logPath)
        }
        return Control.TaskSet(id: id, status: status, taskDefinition: definition.reference, targetGroup: group.name,
                               desired: slots.count, running: tasks.filter { $0.pid != nil }.count,
                               healthy: tasks.filter { $0.health == "healthy" }.count, trafficWeight: trafficWeight,
                               failure: failure, tasks: tasks)
    }
}
