/// Lambda and ECS deployments (reference §5.8, §5.9, §12, §13). The one target is the
/// function or the service; it goes through the platform's lifecycle events, and
/// AllowTraffic moves the traffic step by step — the configuration's schedule, or a
/// policy's `shift`/`bake`/`approve` steps — with the alarms watched throughout.
///
/// Ending without success after anything changed (a replacement task set, test or
/// production traffic) first gives the original version everything back
/// (`restoreTraffic`), then ends; a rollback deployment, when asked for, deploys the
/// original version again and finds it already in place.
extension DeploymentEngine {
    private var target: Int { 0 }

    mutating func startTraffic(_ now: Int64) {
        guard let traffic = spec.traffic else {
            return fail(.invalidRevision, "a \(spec.platform.rawValue) deployment needs a function or a service to move traffic on", now, rollback: false)
        }
        guard spec.configuration.trafficRouting != nil || spec.policy != nil else {
            return fail(.invalidRevision, "configuration \(spec.configuration.name) has no traffic routing (it is for \(spec.configuration.platform.rawValue))", now, rollback: false)
        }
        do {
            try spec.configuration.validate()
        } catch {
            return fail(.codeDeployResourceCannotBeFound, error.description, now, rollback: false)
        }
        guard spec.targets.count == 1 else {
            return fail(.internalError, "a \(spec.platform.rawValue) deployment has exactly one target (the \(traffic.kind.rawValue)), got \(spec.targets.count)", now, rollback: false)
        }
        if traffic.currentVersion == traffic.targetVersion && spec.creator != .codeDeployRollback {
            let code: DeploymentErrorCode = traffic.kind == .function ? .invalidLambdaConfiguration : .invalidECSService
            return fail(code, "the target version \(traffic.targetVersion) is the version \(traffic.name) already runs", now, rollback: false)
        }
        emit(.started(minimumHealthy: 0, batchSize: 1))
        emit(.batchStarted(index: 0, targets: [target]))
        pollAlarms()
        startNextEvent(target)
        proceedTraffic(now)
    }

    /// A hook or a reserved event (Install, AllowTestTraffic) ended.
    mutating func trafficEventEnded(_ t: Int, _ event: LifecycleEvent, _ status: LifecycleEventStatus,
                                    _ message: String, _ now: Int64) {
        pollAlarms()
        if status == .failed {
            emit(.targetEnded(target: t, status: .failed))
            let code: DeploymentErrorCode = event.isReserved ? (spec.platform == .ecs ? .ecsUpdateError : .invalidLambdaFunction)
                                                             : .hookExecutionFailure
            return fail(code, "\(event.rawValue) failed: \(message)", now, rollback: true)
        }
        if state.stopping == nil { startNextEvent(t) }
        proceedTraffic(now)
    }

    /// Decides what comes next when nothing the provider runs is in flight.
    mutating func proceedTraffic(_ now: Int64) {
        guard !state.isEnded, state.restoring == nil, state.shiftInFlight == nil, !state.terminatingOriginal else { return }
        let running = state.running[target]
        if let running, running != .allowTraffic { return }
        if let stopping = state.stopping {
            if running == .allowTraffic {
                emit(.lifecycleEnded(target: target, event: .allowTraffic, status: .failed, error: .unknownError,
                                     message: stopping.message))
            }
            if state.targetStatus[target] == .inProgress { emit(.targetEnded(target: target, status: .failed)) }
            return finish(.stopped, stopping.code, stopping.message, now, rollback: stopping.rollback)
        }
        if state.terminationUntil != nil || state.bakeUntil != nil || state.awaitingApproval != nil { return }
        if running == .allowTraffic { return nextShift(now) }
        if state.targetStatus[target] == .succeeded { return concludeTraffic(now) }
    }

    /// AllowTraffic: the schedule's (or the policy's) next step, or the event's end.
    private mutating func nextShift(_ now: Int64) {
        if spec.policy != nil {
            if !state.policyDone { return commands.append(.askPolicy) }
            if state.trafficWeight < 100 { return requestShift(100) }
            return allowTrafficEnded(now)
        }
        guard let routing = spec.configuration.trafficRouting else { return allowTrafficEnded(now) }
        let steps = TrafficSchedule.steps(for: routing)
        let k = state.shiftsDone
        if k == 0 { return requestShift(steps[0].weight) }
        if k >= steps.count || state.trafficWeight >= 100 { return allowTrafficEnded(now) }
        if !state.scheduleWaitDone {
            // The wait runs from the previous step's confirmation, so a slow provider
            // never shortens it.
            let until = now + Int64(steps[k].atSeconds - steps[k - 1].atSeconds) * 1000
            emit(.bakeStarted(untilMilliseconds: until, alarms: []))
            pollAlarms()
            return commands.append(.wake(atMilliseconds: min(until, now + Self.alarmPollInterval)))
        }
        requestShift(steps[k].weight)
    }

    mutating func requestShift(_ weight: Int) {
        emit(.trafficShiftRequested(weight: weight))
        commands.append(.setTraffic(weight: weight))
    }

    private mutating func allowTrafficEnded(_ now: Int64) {
        emit(.lifecycleEnded(target: target, event: .allowTraffic, status: .succeeded, error: .success,
                             message: "\(state.trafficWeight)% of the traffic on \(spec.traffic?.targetVersion ?? "the target version")"))
        pollAlarms()
        startNextEvent(target)
        proceedTraffic(now)
    }

    /// Every event succeeded: ECS keeps the original task set for the termination
    /// wait, then removes it; a function's alias already points at the target version.
    private mutating func concludeTraffic(_ now: Int64) {
        guard let traffic = spec.traffic else { return }
        // A rollback deploys the version that is primary again: there is no original to remove.
        if traffic.kind == .service && !state.originalTerminated && spec.creator != .codeDeployRollback {
            if traffic.terminationWaitSeconds > 0 && !state.terminatingOriginal && state.terminationUntil == nil
                && !hasWaitedForTermination {
                let until = now + Int64(traffic.terminationWaitSeconds) * 1000
                emit(.terminationWaitStarted(untilMilliseconds: until))
                return commands.append(.wake(atMilliseconds: until))
            }
            return terminateOriginal()
        }
        finish(.succeeded, nil, "\(traffic.name) runs \(traffic.targetVersion) with all of the traffic", now, rollback: false)
    }

    /// True once a termination wait was started (it ended or was cut short).
    private var hasWaitedForTermination: Bool { state.terminatingOriginal || state.originalTerminated }

    mutating func terminateOriginal() {
        guard !state.terminatingOriginal, !state.originalTerminated else { return }
        emit(.originalTerminationRequested)
        commands.append(.terminateOriginal)
    }

    /// Ending without success after something changed: restore first (see the type's comment).
    mutating func requestRestore(_ status: DeploymentStatus, _ code: DeploymentErrorCode?, _ message: String, rollback: Bool) {
        emit(.trafficRestoreRequested(status: status, error: code, message: message, rollback: rollback))
        commands.append(.restoreTraffic)
    }

    // MARK: - Provider answers

    mutating func trafficShifted(_ weight: Int, _ error: String?, _ now: Int64) {
        guard state.shiftInFlight == weight else { return } // stale
        if let error {
            let code: DeploymentErrorCode = spec.platform == .ecs ? .ecsUpdateError : .invalidLambdaConfiguration
            // The shift may have half happened: the restore puts the original back.
            emit(.lifecycleEnded(target: target, event: .allowTraffic, status: .failed, error: .unknownError,
                                 message: "shifting \(weight)% failed: \(error)"))
            emit(.targetEnded(target: target, status: .failed))
            return fail(code, "shifting \(weight)% of the traffic failed: \(error)", now, rollback: true)
        }
        emit(.trafficShifted(weight: weight))
        pollAlarms()
        proceedTraffic(now)
    }

    mutating func trafficRestored(_ message: String, _ error: String?, _ now: Int64) {
        guard let pending = state.restoring, !state.restored else { return }
        if let error {
            // Nothing more can be done automatically: end, saying what remains.
            emit(.trafficRestored(message: "not restored: \(error)"))
            return finish(.failed, pending.error ?? .internalError,
                          pending.message + "; routing the traffic back to \(spec.traffic?.currentVersion ?? "the original") failed: \(error) — the \(spec.traffic?.kind.rawValue ?? "target") needs attention",
                          now, rollback: false)
        }
        emit(.trafficRestored(message: message))
        finish(pending.status, pending.error, pending.message, now, rollback: pending.rollback)
    }

    mutating func originalTerminated(_ error: String?, _ now: Int64) {
        guard state.terminatingOriginal else { return }
        emit(.originalTerminated)
        if spec.blueGreen != nil {
            // Traffic is on the replacements: a failure to terminate is reported, not undone.
            let note = error.map { "; terminating the original instances failed: \($0)" } ?? ""
            return finish(.succeeded, nil, blueGreenSummary + note, now, rollback: false)
        }
        if let error {
            return finish(.failed, .ecsUpdateError, "removing the original task set failed: \(error)", now, rollback: false)
        }
        proceedTraffic(now)
    }

    mutating func continueDeployment(_ now: Int64) {
        if state.readyUntil != nil { return startStage(.reroute, now) }
        guard state.terminationUntil != nil else { return }
        terminateOriginal()
    }

    /// What to do again after a restart.
    func outstandingTrafficCommands(now: Int64) -> [EngineCommand] {
        if state.restoring != nil && !state.restored { return [.restoreTraffic] }
        if let weight = state.shiftInFlight { return [.setTraffic(weight: weight)] }
        if state.terminatingOriginal { return [.terminateOriginal] }
        if let until = state.terminationUntil { return [.wake(atMilliseconds: min(until, now))] }
        if let until = state.bakeUntil { return [.wake(atMilliseconds: min(until, now))] }
        if let event = state.running[0] {
            if event != .allowTraffic { return [.runLifecycleEvent(target: 0, event: event)] }
            if spec.policy != nil && !state.policyDone && state.awaitingApproval == nil { return [.askPolicy] }
        }
        return []
    }
}
