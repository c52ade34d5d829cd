import Testing
import CutoverCore
@testable import CutoverSim

private let oneAtATime = DeploymentConfiguration(name: "CodeDeployDefault.OneAtATime", platform: .server,
                                                 minimumHealthyHosts: .oneAtATime)
private let halfAtATime = DeploymentConfiguration(name: "CodeDeployDefault.HalfAtATime", platform: .server,
                                                  minimumHealthyHosts: .fleetPercent(50))
private let allAtOnce = DeploymentConfiguration(name: "CodeDeployDefault.AllAtOnce", platform: .server,
                                                minimumHealthyHosts: .fleetPercent(0))

private func cloud(_ n: Int, config: DeploymentConfiguration = oneAtATime, loadBalanced: Bool = false,
                   alarms: [String] = [], rollback: Set<AutoRollbackConfiguration.Trigger> = [], seed: UInt64 = 1) throws -> SimCloud {
    let cloud = SimCloud(seed: seed)
    cloud.addInstances(count: n, prefix: "web", tags: ["env": "prod"])
    try cloud.addGroup(SimGroup(application: "shop", name: "web-prod",
                                selection: TargetSelection(tagFilters: [TagFilter(key: "env", value: "prod")]),
                                configuration: config, loadBalanced: loadBalanced,
                                alarms: AlarmConfiguration(names: alarms),
                                autoRollback: AutoRollbackConfiguration(triggers: rollback)))
    return cloud
}

/// The lifecycle events one target went through, with their statuses.
private func events(of target: String, in d: SimDeployment) -> [String] {
    d.log.compactMap { r in
        if case .lifecycleEnded(let t, let e, let s, _, _) = r.event, d.spec.targets[t].id == target {
            return "\(e.rawValue):\(s.rawValue)"
        }
        return nil
    }
}

private func targetStatuses(_ d: SimDeployment) -> [String] { d.state.targetStatus.map(\.rawValue) }

@Suite struct SimDeploymentTests {
    @Test func firstDeploymentSkipsApplicationStopAndRunsTheInPlaceOrder() throws {
        let c = try cloud(2)
        let d = try c.deploy(group: "web-prod", revision: "v1")
        c.run()
        #expect(d.status == .succeeded)
        #expect(events(of: "web-1", in: d) == [
            "ApplicationStop:Skipped", "DownloadBundle:Succeeded", "BeforeInstall:Succeeded", "Install:Succeeded",
            "AfterInstall:Succeeded", "ApplicationStart:Succeeded", "ValidateService:Succeeded",
        ])
        // The second deployment runs ApplicationStop from the previous revision.
        let second = try c.deploy(group: "web-prod", revision: "v2")
        c.run()
        #expect(events(of: "web-2", in: second).first == "ApplicationStop:Succeeded")
        #expect(c.groups["web-prod"]?.lastSuccessfulRevision == "v2")
        #expect(c.instances.allSatisfy { $0.revision == "v2" })
    }

    @Test func loadBalancedOrderHasTheTrafficEvents() throws {
        let c = try cloud(1, loadBalanced: true)
        c.instances[0].revision = "v0"
        let d = try c.deploy(group: "web-prod", revision: "v1")
        c.run()
        #expect(events(of: "web-1", in: d).map { $0.split(separator: ":")[0] } == LifecycleEvent.serverInPlaceWithLoadBalancer.map { Substring($0.rawValue) })
    }

    @Test func oneAtATimeStopsAtTheThirdOfEightFailing() throws {
        let c = try cloud(8)
        c.faults = [.failEvent(instance: "web-3", event: .afterInstall, code: .scriptFailed, message: "exit 1", once: false)]
        let d = try c.deploy(group: "web-prod", revision: "v1")
        c.run()
        #expect(d.status == .failed)
        #expect(d.state.error == .healthConstraints)
        #expect(targetStatuses(d) == ["Succeeded", "Succeeded", "Failed"] + Array(repeating: "Skipped", count: 5))
        #expect(events(of: "web-3", in: d).last == "AfterInstall:Failed")
        #expect(d.state.batches.map(\.count) == [1, 1, 1])
    }

    @Test func oneAtATimeToleratesAFailureOnTheLastInstance() throws {
        let c = try cloud(4)
        c.faults = [.failEvent(instance: "web-4", event: .validateService, code: .scriptFailed, message: "", once: false)]
        let d = try c.deploy(group: "web-prod", revision: "v1")
        c.run()
        #expect(d.status == .succeeded)
        #expect(targetStatuses(d) == ["Succeeded", "Succeeded", "Succeeded", "Failed"])
    }

    @Test func halfAtATimeBatchesAndItsFailureBudget() throws {
        let c = try cloud(9, config: halfAtATime)
        let d = try c.deploy(group: "web-prod", revision: "v1")
        c.run()
        #expect(d.status == .succeeded)
        #expect(d.state.batches.map(\.count) == [4, 4, 1])
        #expect(d.state.minimumHealthy == 5)

        // Two failures in the first batch: 7 healthy, 2 slots above the floor of 5.
        let c2 = try cloud(9, config: halfAtATime)
        c2.faults = [.failEvent(instance: "web-1", event: .install, code: .scriptFailed, message: "", once: false),
                     .failEvent(instance: "web-2", event: .install, code: .scriptFailed, message: "", once: false)]
        let d2 = try c2.deploy(group: "web-prod", revision: "v1")
        c2.run()
        #expect(d2.state.batches.map(\.count) == [4, 2, 2, 1])
        #expect(d2.status == .succeeded) // 7 of 9 ≥ 5
    }

    @Test func allAtOnceNeedsOneSuccess() throws {
        let c = try cloud(3, config: allAtOnce)
        c.faults = ["web-1", "web-2"].map { .failEvent(instance: $0, event: .install, code: .scriptFailed, message: "", once: false) }
        let d = try c.deploy(group: "web-prod", revision: "v1")
        c.run()
        #expect(d.status == .succeeded)
        #expect(d.state.batches.count == 1)

        let all = try cloud(2, config: allAtOnce)
        all.faults = ["web-1", "web-2"].map { .failEvent(instance: $0, event: .install, code: .scriptFailed, message: "", once: false) }
        let failed = try all.deploy(group: "web-prod", revision: "v1")
        all.run()
        #expect(failed.status == .failed)
        #expect(failed.state.error == .healthConstraints)
    }

    @Test func healthConstraintsInvalidAtStart() throws {
        let c = try cloud(10, config: DeploymentConfiguration(name: "Strict", platform: .server, minimumHealthyHosts: .fleetPercent(95)))
        let d = try c.deploy(group: "web-prod", revision: "v1")
        c.run()
        #expect(d.status == .failed)
        #expect(d.state.error == .healthConstraintsInvalid)
        #expect(d.state.batches.isEmpty)
    }

    @Test func failureRollsBackToTheLastSuccessfulRevision() throws {
        let c = try cloud(3, rollback: [.deploymentFailure])
        try c.deploy(group: "web-prod", revision: "v1")
        c.run()
        c.faults = [.failEvent(instance: "web-2", event: .applicationStart, code: .scriptFailed, message: "boom", once: true)]
        let d = try c.deploy(group: "web-prod", revision: "v2")
        c.run()
        #expect(d.status == .failed)
        let rollback = try #require(d.rollback)
        #expect(rollback.spec.creator == .codeDeployRollback)
        #expect(rollback.spec.revision == "v1")
        #expect(rollback.spec.rollbackOf == d.spec.id)
        #expect(rollback.status == .succeeded)
        #expect(c.instances.map(\.revision) == ["v1", "v1", "v1"])
        #expect(c.groups["web-prod"]?.lastSuccessfulRevision == "v1")
    }

    @Test func alarmStopsTheDeploymentAndRollsBack() throws {
        let c = try cloud(6, alarms: ["shop-5xx"], rollback: [.stopOnAlarm])
        try c.deploy(group: "web-prod", revision: "v1")
        c.run()
        let start = c.now
        c.faults = [.alarm(name: "shop-5xx", fromMilliseconds: start + 40_000, durationMilliseconds: nil)]
        let d = try c.deploy(group: "web-prod", revision: "v2")
        c.run(until: d)
        #expect(d.status == .stopped)
        #expect(d.state.error == .alarmActive)
        #expect(d.log.contains { $0.event == .alarmActive(name: "shop-5xx") })
        #expect(d.rollback?.spec.revision == "v1")
    }

    @Test func aSecondDeploymentToABusyGroupIsRefused() throws {
        let c = try cloud(2)
        let first = try c.deploy(group: "web-prod", revision: "v1")
        #expect(throws: CoreError.self) { try c.deploy(group: "web-prod", revision: "v2") }
        do {
            try c.deploy(group: "web-prod", revision: "v2")
        } catch {
            #expect(error.description.contains(first.spec.id))
        }
        c.run()
        #expect(throws: Never.self) { try c.deploy(group: "web-prod", revision: "v2") }
    }

    @Test func stopOnRequestLetsRunningEventsFinish() throws {
        let c = try cloud(4)
        let d = try c.deploy(group: "web-prod", revision: "v1")
        c.run(until: 10_000)
        c.send(.stop(rollback: false), to: d)
        c.run()
        #expect(d.status == .stopped)
        #expect(d.state.error == .manualStop)
        #expect(d.state.targetStatus.filter { $0 == .skipped }.count == 3)
    }

    @Test func ignoreApplicationStopFailures() throws {
        let c = try cloud(1)
        try c.deploy(group: "web-prod", revision: "v1")
        c.run()
        c.faults = [.failEvent(instance: "web-1", event: .applicationStop, code: .scriptFailed, message: "stale script", once: false)]
        let strict = try c.deploy(group: "web-prod", revision: "v2")
        c.run()
        #expect(strict.status == .failed)
        let lenient = try c.deploy(group: "web-prod", revision: "v2", ignoreApplicationStopFailures: true)
        c.run()
        #expect(lenient.status == .succeeded)
        #expect(events(of: "web-1", in: lenient).first == "ApplicationStop:Failed")
    }

    @Test func unreachableInstancesAndTimeouts() throws {
        let c = try cloud(2, config: allAtOnce)
        c.faults = [.unreachable(instance: "web-1", atMilliseconds: 0)]
        c.durations.byInstance["web-2"] = [.validateService: 7_200_000]
        c.hookTimeouts[.validateService] = 3600
        let d = try c.deploy(group: "web-prod", revision: "v1")
        c.run()
        #expect(d.status == .failed)
        let errors = d.log.compactMap { r -> LifecycleErrorCode? in
            if case .lifecycleEnded(_, _, .failed, let code, _) = r.event { return code }
            return nil
        }
        #expect(Set(errors) == [.unknownError, .scriptTimedOut])
    }

    @Test func theSameSeedGivesTheSameLogByteForByte() throws {
        func run(seed: UInt64) throws -> String {
            let c = try cloud(20, config: halfAtATime, seed: seed)
            c.failRate = 0.1
            let d = try c.deploy(group: "web-prod", revision: "v1")
            c.run()
            return d.jsonLines()
        }
        let a = try run(seed: 7)
        #expect(a == (try run(seed: 7)))
        #expect(a != (try run(seed: 8)))
        #expect(a.split(separator: "\n").first == #"{"seq":0,"t":0,"kind":"created"}"#)
    }

    @Test func aLongDeploymentTakesVirtualTime() throws {
        let c = try cloud(30)
        let d = try c.deploy(group: "web-prod", revision: "v1")
        c.run()
        #expect(d.status == .succeeded)
        #expect(c.now >= 30 * 24_000) // 30 instances × 24 s of lifecycle events, one at a time
    }
}

@Suite struct PolicyEngineTests {
    @Test func policyBatchesBakesAndHandsTheRestToTheConfiguration() throws {
        let c = try cloud(6, config: halfAtATime)
        var asked = 0
        c.policyRunner = { d in
            asked += 1
            switch asked {
            case 1: return .deploy([0])
            case 2: return .bake(seconds: 300, alarms: nil)
            case 3: return .deploy([1, 2])
            default: return .done
            }
        }
        let d = try c.deploy(group: "web-prod", revision: "v1", policy: "canary-then-half")
        c.run()
        #expect(d.status == .succeeded)
        #expect(d.state.batches == [[0], [1, 2], [3, 4, 5]])
        #expect(d.log.contains { $0.event == .bakeEnded })
        let bake = d.log.first { if case .bakeStarted = $0.event { true } else { false } }!
        let end = d.log.first { $0.event == .bakeEnded }!
        #expect(end.time - bake.time == 300_000)
    }

    @Test func aPolicyCannotBreakTheMinimum() throws {
        let c = try cloud(6, config: halfAtATime)
        c.policyRunner = { _ in .deploy([0, 1, 2, 3]) }
        let d = try c.deploy(group: "web-prod", revision: "v1", policy: "greedy")
        c.run()
        #expect(d.status == .failed)
        #expect(d.state.error == .healthConstraints)
        #expect(d.state.message.contains("at most 3 may be"))
    }

    @Test func approvalWaitsForApprove() throws {
        let c = try cloud(2)
        var step = 0
        c.policyRunner = { _ in
            step += 1
            return step == 1 ? .approve("go-live") : .done
        }
        let d = try c.deploy(group: "web-prod", revision: "v1", policy: "gated")
        c.run()
        #expect(d.status == .inProgress)
        #expect(d.state.awaitingApproval == "go-live")
        c.send(.approve(name: "go-live"), to: d)
        c.run()
        #expect(d.status == .succeeded)
    }

    @Test func abortFailsTheDeployment() throws {
        let c = try cloud(2)
        c.policyRunner = { _ in .abort("not today") }
        let d = try c.deploy(group: "web-prod", revision: "v1", policy: "no")
        c.run()
        #expect(d.status == .failed)
        #expect(d.state.message.contains("not today"))
    }

    @Test func replayingTheEventsRebuildsTheState() throws {
        let c = try cloud(5, config: halfAtATime)
        c.faults = [.failEvent(instance: "web-2", event: .install, code: .scriptFailed, message: "", once: false)]
        let d = try c.deploy(group: "web-prod", revision: "v1")
        c.run()
        let rebuilt = DeploymentEngine(spec: d.spec, replaying: d.log.map(\.event))
        #expect(rebuilt.state.status == d.state.status)
        #expect(rebuilt.state.targetStatus == d.state.targetStatus)
        #expect(rebuilt.state.batches == d.state.batches)
    }
}

@Suite struct AlarmPollingTests {
    private func run(ignore: Bool) throws -> SimDeployment {
        let c = SimCloud(seed: 1)
        c.addInstances(count: 3, prefix: "web")
        try c.addGroup(SimGroup(application: "a", name: "g", selection: TargetSelection(explicit: ["web-1", "web-2", "web-3"]),
                                configuration: DeploymentConfiguration(name: "O", platform: .server, minimumHealthyHosts: .oneAtATime),
                                alarms: AlarmConfiguration(names: ["errors"], ignorePollAlarmFailure: ignore)))
        c.faults = [.alarmPollFailure(fromMilliseconds: 30_000, durationMilliseconds: 10_000)]
        let d = try c.deploy(group: "g", revision: "v1")
        c.run()
        return d
    }

    @Test func aFailedPollStopsUnlessIgnored() throws {
        let strict = try run(ignore: false)
        #expect(strict.status == .stopped)
        #expect(strict.state.error == .alarmActive)
        #expect(strict.state.message.contains("cannot read the alarms' state"))
        let lenient = try run(ignore: true)
        #expect(lenient.status == .succeeded)
        #expect(lenient.log.contains { if case .alarmPollFailed = $0.event { true } else { false } })
    }

    @Test func perInstanceDurations() throws {
        let c = SimCloud(seed: 1)
        c.addInstances(count: 2, prefix: "web")
        c.durations.byInstance["web-2"] = [.install: 600_000]
        try c.addGroup(SimGroup(application: "a", name: "g", selection: TargetSelection(explicit: ["web-1", "web-2"]),
                                configuration: DeploymentConfiguration(name: "A", platform: .server, minimumHealthyHosts: .fleetPercent(0))))
        let d = try c.deploy(group: "g", revision: "v1")
        c.run()
        #expect(d.status == .succeeded)
        // web-2: DownloadBundle through ValidateService (24 s) with Install at 600 s instead of 8 s.
        #expect(c.now == 24_000 - 8_000 + 600_000)
    }
}
