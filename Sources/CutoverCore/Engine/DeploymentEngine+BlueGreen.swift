/// Server blue/green deployments (reference §5.3, §10): the revision is installed on
/// the replacement instances, in batches as the configuration allows; after an
/// optional ready wait they are registered with the load balancer (rerouting, in
/// batches too) and the originals taken out; after the termination wait the originals
/// are terminated (or kept, KEEP_ALIVE). Failing before traffic moved discards the
/// replacements; after, a rollback deployment routes traffic back to the originals
/// while they exist, then discards the replacements.
extension DeploymentEngine {
    private var blueGreen: BlueGreenOptions { spec.blueGreen! }
    private var replacements: Range<Int> { 0..<blueGreen.replacementCount }
    private var originals: Range<Int> { blueGreen.replacementCount..<spec.targets.count }

    mutating func startBlueGreen(_ now: Int64) {
        guard let rule = spec.configuration.minimumHealthyHosts else {
            return fail(.invalidRevision, "configuration \(spec.configuration.name) has no minimum healthy hosts (it is for \(spec.configuration.platform.rawValue))", now, rollback: false)
        }
        guard spec.loadBalanced else {
            return fail(.missingELBInformation, "a blue/green deployment needs a load balancer to move traffic with", now, rollback: false)
        }
        let g = blueGreen.replacementCount
        guard g > 0, g <= spec.targets.count else {
            return fail(.noInstances, "no replacement instances to deploy to", now, rollback: false)
        }
        if blueGreen.rollingBack {
            emit(.started(minimumHealthy: 0, batchSize: spec.targets.count))
            return startStage(.restoreOriginals, now)
        }
        let m = MinimumHealthy.floor(for: g, rule)
        emit(.started(minimumHealthy: m, batchSize: MinimumHealthy.batchSize(for: g, minimum: m)))
        pollAlarms()
        startStage(.install, now)
    }

    mutating func startStage(_ stage: BlueGreenStage, _ now: Int64) {
        emit(.stageStarted(stage))
        pollAlarms()
        proceedBlueGreen(now)
    }

    /// Decides what comes next when no batch is running.
    mutating func proceedBlueGreen(_ now: Int64) {
        guard !state.isEnded, state.batchRemaining == 0, state.discarding == nil, !state.terminatingOriginal else { return }
        if let stopping = state.stopping {
            return finish(.stopped, stopping.code, stopping.message, now, rollback: stopping.rollback)
        }
        guard let stage = state.stage, state.readyUntil == nil, state.terminationUntil == nil,
              state.bakeUntil == nil, state.awaitingApproval == nil else { return }
        let range = stage.onReplacements ? replacements : originals
        let pending = range.filter { state.targetStatus[$0] == .pending }
        if !pending.isEmpty {
            // Installing and rerouting go in the configuration's batches; taking
            // instances out of (or back into) service after that goes all at once.
            let size = stage == .install || stage == .reroute ? state.batchSize : pending.count
            if case .oneAtATime? = spec.configuration.minimumHealthyHosts, stage == .reroute || stage == .install,
               range.contains(where: { state.targetStatus[$0] == .failed }) {
                return fail(.healthConstraints,
                            "an instance failed; with \(spec.configuration.name) any failure but one on the last instance fails the deployment",
                            now, rollback: stage == .reroute)
            }
            emit(.batchStarted(index: state.batches.count, targets: Array(pending.prefix(size))))
            pollAlarms()
            for t in pending.prefix(size) { startNextEvent(t) }
            if state.batchRemaining == 0 { proceedBlueGreen(now) }
            return
        }
        stageEnded(stage, range, now)
    }

    private mutating func stageEnded(_ stage: BlueGreenStage, _ range: Range<Int>, _ now: Int64) {
        let done = range.filter { state.targetStatus[$0] == (stage == .install ? .ready : .succeeded) }.count
        let failed = range.filter { state.targetStatus[$0] == .failed }.count
        switch stage {
        case .install, .reroute:
            // The success rule of reference §6.1 (blue/green column), over the replacements.
            let lastOnlyFailure = failed == 1 && spec.configuration.minimumHealthyHosts == .oneAtATime
                && state.targetStatus[range.upperBound - 1] == .failed
            guard MinimumHealthy.succeeded(done, minimum: state.minimumHealthy) || (lastOnlyFailure && done > 0) else {
                let what = stage == .install ? "installed" : "rerouted"
                return fail(.healthConstraints,
                            "\(done) of \(range.count) replacement instances \(what); \(spec.configuration.name) needs at least \(max(1, state.minimumHealthy))",
                            now, rollback: stage == .reroute)
            }
            if stage == .reroute { return startStage(.block, now) }
            if let wait = blueGreen.readyWaitSeconds {
                let until = now + Int64(wait) * 1000
                emit(.readyWaitStarted(untilMilliseconds: until))
                return commands.append(.wake(atMilliseconds: until))
            }
            startStage(.reroute, now)
        case .block:
            guard failed == 0 else {
                return fail(.healthConstraints, "\(failed) original instance(s) could not be taken out of the load balancer",
                            now, rollback: true)
            }
            if blueGreen.terminationWaitSeconds > 0 {
                let until = now + Int64(blueGreen.terminationWaitSeconds) * 1000
                emit(.terminationWaitStarted(untilMilliseconds: until))
                return commands.append(.wake(atMilliseconds: until))
            }
            terminateOriginal()
        case .restoreOriginals:
            guard failed == 0 else {
                return fail(.healthConstraints, "\(failed) original instance(s) could not be put back into the load balancer",
                            now, rollback: false)
            }
            startStage(.blockReplacements, now)
        case .blockReplacements:
            emit(.replacementDiscardRequested(status: .succeeded, error: nil,
                                              message: "traffic is back on the \(originals.count) original instance(s)"))
            commands.append(.discardReplacement)
        }
    }

    /// STOP_DEPLOYMENT: nobody continued within the wait.
    mutating func readyWaitExpired(_ now: Int64) {
        finish(.stopped, .timeout,
               "the replacements were ready, but the deployment was not continued within \(blueGreen.readyWaitSeconds ?? 0) seconds",
               now, rollback: false)
    }

    mutating func replacementDiscarded(_ message: String, _ error: String?, _ now: Int64) {
        guard let pending = state.discarding, !state.discarded else { return }
        emit(.replacementDiscarded(message: error.map { "not discarded: \($0)" } ?? message))
        var note = pending.message
        if let error { note += "; the replacement instances could not be terminated: \(error)" }
        // A configured rollback has nothing to do: finish says so (rollbackUnavailable).
        finish(pending.status, pending.error, note, now,
               rollback: pending.status != .succeeded && !blueGreen.rollingBack && !spec.autoRollback.triggers.isEmpty)
    }

    var blueGreenSummary: String {
        let n = spec.blueGreen.map { $0.replacementCount } ?? 0
        return "traffic moved to \(n) replacement instance(s); the \(spec.targets.count - n) original(s) were "
            + (spec.blueGreen?.keepOriginals == true ? "kept running" : "terminated")
    }
}
