import CutoverCore
import Foundation

/// One deployment on a real provider: the engine, driven in real time. Lifecycle events
/// run through the provider's executor, several at once (a batch), each on its own
/// thread; their results come back as inputs, in arrival order. Timers are real. Every
/// event is recorded (and shown to the observer) before its commands are carried out.
public final class LiveDeployment: @unchecked Sendable {
    public let spec: DeploymentSpec
    public private(set) var engine: DeploymentEngine
    public private(set) var log: [RecordedEvent] = []
    /// The provider: runs lifecycle events, reads alarms, moves traffic.
    public let executor: DeploymentExecutor
    let clock = ContinuousClock()
    let started: ContinuousClock.Instant
    /// Set by `init(resuming:)` until `run` has picked the deployment up again.
    private var resumePending = false
    /// While a policy is re-run against the record: the recorded time it was asked at.
    private var replayTime: Int64?

    /// Answers `askPolicy` (on the thread that runs the deployment).
    public var policyRunner: ((LiveDeployment) -> PolicyStep)?
    /// Runs a Lua hook for an event; nil: the host's appspec scripts run.
    public var hookRunner: ((LiveDeployment, Int, LifecycleEvent) -> (LifecycleEventStatus, LifecycleErrorCode, String)?)?
    /// Told about every event as it is recorded.
    public var observer: ((LiveDeployment, RecordedEvent) -> Void)?
    /// Told about each batch of events before the commands that follow them are carried
    /// out (the history records them there).
    public var recorder: ((LiveDeployment, ArraySlice<RecordedEvent>) -> Void)?
    /// Server blue/green: terminates the originals or discards the replacements (on a
    /// thread of its own) and answers with the engine's input.
    public var blueGreenRunner: (@Sendable (EngineCommand) -> EngineInput)?
    /// Set when the engine asked for a rollback: the revision to go back to.
    public private(set) var rollbackRevision: String?

    private let inbox = Inbox()
    /// Ready waits (by their end) at which `run` already returned to the caller.
    private var pausedAtReady = Set<Int64>()
    private var timers: [ContinuousClock.Instant] = []

    public init(spec: DeploymentSpec, executor: DeploymentExecutor) {
        self.spec = spec
        self.executor = executor
        engine = DeploymentEngine(spec: spec)
        started = clock.now
        log.append(RecordedEvent(sequence: 0, time: 0, event: .created))
    }

    /// A deployment whose process died, from its recorded events. `run` then does again
    /// what the record shows was begun and not finished (see `resume`); the clock goes on
    /// from when it was created.
    public init(resuming spec: DeploymentSpec, log recorded: [RecordedEvent], createdAt: Date, executor: DeploymentExecutor) {
        self.spec = spec
        self.executor = executor
        engine = DeploymentEngine(spec: spec, replaying: recorded.map(\.event))
        log = recorded
        resumedAfter = recorded.count
        let since = max(Int64(Date().timeIntervalSince(createdAt) * 1000), recorded.last?.time ?? 0)
        started = ContinuousClock.now - .milliseconds(since)
        resumePending = true
    }

    public var state: DeploymentState { engine.state }
    /// A resumed deployment: how many events its record had when it was taken up.
    public private(set) var resumedAfter: Int?

    /// Milliseconds since the deployment was created.
    public var elapsed: Int64 { now }

    /// Milliseconds since the deployment was created.
    var now: Int64 {
        if let replayTime { return replayTime }
        let d = clock.now - started
        return d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
    }

    /// Runs until the deployment ends, or waits for an approval (returns then).
    public func run() {
        if resumePending {
            resumePending = false
            resume()
        } else if log.count == 1 {
            recorder?(self, log[0...0])
            observer?(self, log[0])
            step(.start)
        }
        while !state.isEnded {
            // Nothing running, nothing queued, no timer: only a person can go on (approval).
            if timers.isEmpty && inbox.isIdle { return }
            // Entering a blue/green ready wait: the caller decides (continue, or wait again).
            if state.status == .ready, let until = state.readyUntil, !pausedAtReady.contains(until) {
                pausedAtReady.insert(until)
                return
            }
            if let input = inbox.take(before: nextTimer()) {
                step(input)
            } else if let first = timers.first, clock.now >= first {
                timers.removeFirst()
                step(.timer)
            }
        }
    }

    /// Why a resumed policy could not be followed (it gave other steps than the record).
    public private(set) var resumeProblem: String?

    /// Picks a resumed deployment up: the bookkeeping of recorded events is done again
    /// (it is idempotent), the policy is re-run against the recorded steps (it must give
    /// the same ones), then every command the record shows begun and not answered is
    /// carried out again. The daemon runs a lifecycle event once per deployment, host
    /// and event, so one that was running answers with its result, not a second run.
    private func resume() {
        for recorded in log { record(recorded.event) }
        if spec.policy != nil, let problem = replayPolicy() {
            resumeProblem = problem
            step(.stop(rollback: true))
            return
        }
        if state.status == .created { return step(.start) }
        // (A bake's or a termination wait's end that passed meanwhile fires at once.)
        for command in engine.outstandingCommands(now: now) { carryOut(command) }
    }

    /// Asks the policy again for each recorded step, on the state it was asked in; nil
    /// when it gives them all, else the first difference.
    private func replayPolicy() -> String? {
        guard let policyRunner else { return "the policy \(spec.policy ?? "") is not available" }
        let full = engine
        defer { engine = full; replayTime = nil }
        engine = DeploymentEngine(spec: spec)
        var asked = 0
        for recorded in log.dropFirst() {
            if case .policyStep(let step) = recorded.event {
                asked += 1
                replayTime = recorded.time
                let again = policyRunner(self)
                if again != step {
                    return "the policy \(spec.policy ?? "") gives other steps than the record: step \(asked) was \(step), now \(again)"
                }
            }
            engine = DeploymentEngine(spec: spec, replaying: Array(log.prefix(recorded.sequence + 1)).map(\.event))
        }
        return nil
    }

    /// Sends an input from outside (stop, approve) and goes on running.
    public func send(_ input: EngineInput) {
        step(input)
        run()
    }

    private func nextTimer() -> ContinuousClock.Instant? { timers.min() }

    private func step(_ input: EngineInput) {
        let (events, commands) = engine.handle(input, now: now)
        let time = now
        let first = log.count
        for event in events {
            log.append(RecordedEvent(sequence: log.count, time: time, event: event))
        }
        if log.count > first { recorder?(self, log[first...]) }
        for recorded in log[first...] {
            record(recorded.event)
            observer?(self, recorded)
        }
        for command in commands { carryOut(command) }
    }

    /// What an event means for the provider's bookkeeping, and for this driver.
    private func record(_ event: DeploymentEvent) {
        executor.recorded(event, of: spec)
        if case .rollbackRequested(let revision) = event { rollbackRevision = revision }
    }

    private func carryOut(_ command: EngineCommand) {
        switch command {
        case .runLifecycleEvent(let t, let event):
            if let result = hookRunner?(self, t, event) {
                inbox.put(.lifecycleResult(target: t, event: event, status: result.0, error: result.1, message: result.2))
                return
            }
            let (inbox, executor, spec) = (self.inbox, self.executor, self.spec)
            inbox.begin()
            Thread.detachNewThread { inbox.finish(executor.runLifecycleEvent(event, target: t, of: spec)) }
        case .wake(let at):
            timers.append(started + .milliseconds(at))
            timers.sort()
        case .pollAlarms(let names):
            let (inbox, executor) = (self.inbox, self.executor)
            inbox.begin()
            Thread.detachNewThread { inbox.finish(executor.pollAlarms(names)) }
        case .askPolicy:
            inbox.put(.policyStep(policyRunner?(self) ?? .done))
        case .startRollback(let revision):
            rollbackRevision = revision
        case .terminateOriginal where spec.blueGreen != nil, .discardReplacement:
            // Server blue/green: which instances go, and how, is the caller's to say.
            let (inbox, runner) = (self.inbox, blueGreenRunner)
            inbox.begin()
            Thread.detachNewThread {
                inbox.finish(runner?(command) ?? (command == .discardReplacement
                    ? .replacementDiscarded(message: "", error: "nothing knows how to remove the replacements")
                    : .originalTerminated(error: "nothing knows how to terminate the originals")))
            }
        case .setTraffic, .restoreTraffic, .terminateOriginal:
            carryOutTraffic(command)
        }
    }

    /// Traffic commands run on their own thread (a shift may wait for health checks).
    private func carryOutTraffic(_ command: EngineCommand) {
        let inbox = self.inbox
        guard spec.traffic != nil else {
            return inbox.put(.trafficShifted(weight: 0, error: "this deployment moves no traffic"))
        }
        let (executor, spec) = (self.executor, self.spec)
        inbox.begin()
        Thread.detachNewThread { inbox.finish(executor.moveTraffic(command, of: spec)) }
    }
}

/// Inputs arriving from other threads.
final class Inbox: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [EngineInput] = []
    /// Work started on other threads whose input has not arrived yet.
    private var pending = 0

    func put(_ input: EngineInput) {
        condition.lock()
        items.append(input)
        condition.signal()
        condition.unlock()
    }

    /// Work that will `finish` with an input has started.
    func begin() {
        condition.lock()
        pending += 1
        condition.unlock()
    }

    func finish(_ input: EngineInput) {
        condition.lock()
        pending -= 1
        items.append(input)
        condition.signal()
        condition.unlock()
    }

    /// Nothing waiting and nothing on its way.
    var isIdle: Bool {
        condition.lock()
        defer { condition.unlock() }
        return items.isEmpty && pending == 0
    }

    /// The next input, waiting until `deadline` (forever when nil) for one to arrive.
    func take(before deadline: ContinuousClock.Instant?) -> EngineInput? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty {
            if let deadline {
                let remaining = deadline - ContinuousClock.now
                if remaining <= .zero { return nil }
                let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
                _ = condition.wait(until: Date().addingTimeInterval(seconds))
            } else {
                condition.wait()
            }
        }
        return items.removeFirst()
    }
}
