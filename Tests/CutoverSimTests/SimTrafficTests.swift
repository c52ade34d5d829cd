import Testing
import CutoverCore
@testable import CutoverSim

private func lambdaConfig(_ routing: TrafficRouting, _ name: String = "custom") -> DeploymentConfiguration {
    DeploymentConfiguration(name: name, platform: .lambda, trafficRouting: routing)
}

private func lambdaCloud(_ routing: TrafficRouting, alarms: [String] = [],
                         rollback: Set<AutoRollbackConfiguration.Trigger> = []) throws -> SimCloud {
    let cloud = SimCloud()
    try cloud.addFunction(name: "checkout", versions: 2, alias: "live", aliasVersion: "1")
    try cloud.addGroup(SimGroup(DeploymentGroup(
        application: Application(name: "checkout", platform: .lambda), name: "checkout-live", selection: TargetSelection(),
        configuration: lambdaConfig(routing), alarms: AlarmConfiguration(names: alarms),
        autoRollback: AutoRollbackConfiguration(triggers: rollback), traffic: .function("checkout", alias: "live"))))
    return cloud
}

private func ecsCloud(_ routing: TrafficRouting = .allAtOnce, wait: Int = 0, testListener: Bool = true,
                      rollback: Set<AutoRollbackConfiguration.Trigger> = []) throws -> SimCloud {
    let cloud = SimCloud()
    try cloud.addService(name: "web", taskDefinition: "web:1", testListener: testListener)
    try cloud.addGroup(SimGroup(DeploymentGroup(
        application: Application(name: "web", platform: .ecs), name: "web-prod", selection: TargetSelection(),
        configuration: DeploymentConfiguration(name: "ecs", platform: .ecs, trafficRouting: routing),
        autoRollback: AutoRollbackConfiguration(triggers: rollback), traffic: .service("web", terminationWaitSeconds: wait))))
    return cloud
}

/// (time in ms, weight) of every confirmed shift.
private func shifts(_ d: SimDeployment) -> [(Int64, Int)] {
    d.log.compactMap { r in
        if case .trafficShifted(let w) = r.event { return (r.time, w) }
        return nil
    }
}

private func lifecycle(_ d: SimDeployment) -> [String] {
    d.log.compactMap { r in
        if case .lifecycleEnded(_, let e, let s, _, _) = r.event { return "\(e.rawValue):\(s.rawValue)" }
        return nil
    }
}

@Suite struct SimTrafficTests {
    @Test func canaryThirtyMinutesShiftsAtExactTimes() throws {
        let c = try lambdaCloud(.timeBasedCanary(percent: 10, intervalMinutes: 30))
        let d = try c.deploy(group: "checkout-live", revision: "2")
        c.run()
        #expect(d.status == .succeeded)
        let s = shifts(d)
        #expect(s.map(\.1) == [10, 100])
        #expect(s[1].0 - s[0].0 == 30 * 60_000)
        #expect(lifecycle(d) == ["BeforeAllowTraffic:Succeeded", "AllowTraffic:Succeeded", "AfterAllowTraffic:Succeeded"])
        #expect(c.functions["checkout"]?.weights(of: "live") == ["2": 100])
        #expect(c.groups["checkout-live"]?.lastSuccessfulRevision == "2")
    }

    @Test func linearStepsEveryInterval() throws {
        let c = try lambdaCloud(.timeBasedLinear(percent: 10, intervalMinutes: 1))
        let d = try c.deploy(group: "checkout-live", revision: "2")
        c.run()
        let s = shifts(d)
        #expect(s.map(\.1) == Array(stride(from: 10, through: 100, by: 10)))
        #expect(zip(s.dropFirst(), s).allSatisfy { $0.0 - $1.0 == 60_000 })
    }

    @Test func alarmDuringShiftingRestoresTheAliasAndRollsBack() throws {
        let c = try lambdaCloud(.timeBasedCanary(percent: 10, intervalMinutes: 30), alarms: ["errors"], rollback: [.stopOnAlarm])
        c.faults.append(.alarm(name: "errors", fromMilliseconds: 10 * 60_000, durationMilliseconds: nil))
        let d = try c.deploy(group: "checkout-live", revision: "2")
        c.run()
        #expect(d.status == .stopped)
        #expect(d.state.error == .alarmActive)
        #expect(shifts(d).map(\.1) == [10])
        #expect(d.log.contains { if case .trafficRestored = $0.event { true } else { false } })
        #expect(c.functions["checkout"]?.weights(of: "live") == ["1": 100])
        let rollback = try #require(d.rollback)
        #expect(rollback.spec.creator == .codeDeployRollback)
        #expect(rollback.spec.revision == "1")
        #expect(rollback.status == .succeeded)
        #expect(c.functions["checkout"]?.weights(of: "live") == ["1": 100])
        // The alarm was seen within a minute of firing (the bake polls at least once a minute).
        let alarmAt = try #require(d.log.first { if case .alarmActive = $0.event { true } else { false } }?.time)
        #expect(alarmAt >= 10 * 60_000 && alarmAt <= 11 * 60_000)
    }

    @Test func targetVersionEqualToCurrentFails() throws {
        let c = try lambdaCloud(.allAtOnce)
        let d = try c.deploy(group: "checkout-live", revision: "1")
        c.run()
        #expect(d.status == .failed)
        #expect(d.state.error == .invalidLambdaConfiguration)
    }

    @Test func missingAliasOrVersionIsRefused() throws {
        let c = try lambdaCloud(.allAtOnce)
        c.functions["checkout"]?.aliases = [:]
        #expect(throws: CoreError.self) { try c.deploy(group: "checkout-live", revision: "2") }
        let c2 = try lambdaCloud(.allAtOnce)
        #expect(throws: CoreError.self) { try c2.deploy(group: "checkout-live", revision: "7") }
    }

    @Test func ecsBlueGreenRunsTheEightEventsAndWaitsBeforeTerminating() throws {
        let c = try ecsCloud(.timeBasedLinear(percent: 10, intervalMinutes: 1), wait: 300)
        let d = try c.deploy(group: "web-prod", revision: "web:2")
        c.run()
        #expect(d.status == .succeeded)
        #expect(lifecycle(d).map { $0.split(separator: ":")[0] } == LifecycleEvent.ecs.map { Substring($0.rawValue) })
        let lastShift = try #require(shifts(d).last)
        let waitStarted = try #require(d.log.first { if case .terminationWaitStarted = $0.event { true } else { false } })
        let ended = try #require(d.log.last)
        #expect(lastShift.1 == 100)
        #expect(ended.time - waitStarted.time == 300_000)
        #expect(c.services["web"]?.taskDefinition == "web:2")
        #expect(c.services["web"]?.replacement == nil)
    }

    @Test func ecsHookFailureRemovesTheReplacementWithoutMovingTraffic() throws {
        let c = try ecsCloud(rollback: [.deploymentFailure])
        c.faults.append(.failEvent(instance: "web", event: .afterAllowTestTraffic, code: .scriptFailed, message: "smoke test failed", once: false))
        let d = try c.deploy(group: "web-prod", revision: "web:2")
        c.run()
        #expect(d.status == .failed)
        #expect(d.state.error == .hookExecutionFailure)
        #expect(shifts(d).isEmpty)
        #expect(c.services["web"]?.replacement == nil)
        #expect(c.services["web"]?.taskDefinition == "web:1")
        #expect(d.rollback?.status == .succeeded)
        #expect(c.services["web"]?.taskDefinition == "web:1")
    }

    @Test func stopDuringTerminationWaitRoutesBackToTheOriginal() throws {
        let c = try ecsCloud(wait: 3600)
        let d = try c.deploy(group: "web-prod", revision: "web:2")
        c.run(until: 60_000)
        #expect(d.state.terminationUntil != nil)
        c.send(.stop(rollback: false), to: d)
        c.run()
        #expect(d.status == .stopped)
        #expect(c.services["web"]?.taskDefinition == "web:1")
        #expect(c.services["web"]?.replacement == nil)
    }

    @Test func continueCutsTheTerminationWaitShort() throws {
        let c = try ecsCloud(wait: 3600)
        let d = try c.deploy(group: "web-prod", revision: "web:2")
        c.run(until: 60_000)
        c.send(.continueDeployment, to: d)
        c.run()
        #expect(d.status == .succeeded)
        #expect(try #require(d.log.last).time < 3_600_000)
        #expect(c.services["web"]?.taskDefinition == "web:2")
    }

    @Test func policyShiftsExponentiallyWithBakes() throws {
        let c = try lambdaCloud(.allAtOnce)
        var steps: [PolicyStep] = []
        for w in [1, 2, 4, 8, 16, 32, 64] { steps += [.shift(w), .bake(seconds: 60, alarms: nil)] }
        var asked = 0
        c.policyRunner = { _ in
            defer { asked += 1 }
            return asked < steps.count ? steps[asked] : .done
        }
        let d = try c.deploy(group: "checkout-live", revision: "2", policy: "exponential")
        c.run()
        #expect(d.status == .succeeded)
        #expect(shifts(d).map(\.1) == [1, 2, 4, 8, 16, 32, 64, 100])
        #expect(try #require(shifts(d).last).0 - shifts(d)[0].0 == 7 * 60_000)
    }

    @Test func aResumedEngineRedoesTheShiftInFlight() throws {
        let c = try lambdaCloud(.timeBasedCanary(percent: 10, intervalMinutes: 5))
        let d = try c.deploy(group: "checkout-live", revision: "2")
        c.run()
        // Cut the log just after the second shift was asked for.
        let cut = try #require(d.log.lastIndex { if case .trafficShiftRequested(100) = $0.event { true } else { false } })
        let engine = DeploymentEngine(spec: d.spec, replaying: d.log.prefix(through: cut).map(\.event))
        #expect(engine.outstandingCommands(now: 0) == [.setTraffic(weight: 100)])
        #expect(engine.state.trafficWeight == 10)
    }

    @Test func sameSeedSameLog() throws {
        func run() throws -> String {
            let c = try lambdaCloud(.timeBasedLinear(percent: 10, intervalMinutes: 3), alarms: ["x"], rollback: [.stopOnAlarm])
            c.faults.append(.alarm(name: "x", fromMilliseconds: 7 * 60_000, durationMilliseconds: nil))
            let d = try c.deploy(group: "checkout-live", revision: "2")
            c.run()
            return d.jsonLines()
        }
        #expect(try run() == run())
    }

    /// A model alarm on the new version's error rate stops a canary whose new version
    /// fails, and lets one through whose new version does not; before traffic moves the
    /// new version has no datapoints, so the alarm cannot fire early.
    @Test(arguments: [(0.5, DeploymentStatus.stopped), (0.0, .succeeded)])
    func modelAlarmOnTheNewVersion(rate: Double, status: DeploymentStatus) throws {
        let c = try lambdaCloud(.timeBasedCanary(percent: 10, intervalMinutes: 5), alarms: ["v2-errors"], rollback: [.stopOnAlarm])
        c.versionErrorRates["checkout"] = ["1": 0, "2": rate]
        c.modelAlarms["v2-errors"] = try AlarmDefinition(
            name: "v2-errors", metric: .functionErrorRate(function: "checkout", version: "2"), comparison: .greaterThan,
            threshold: 5, periodSeconds: 60, evaluationPeriods: 2)
        let d = try c.deploy(group: "checkout-live", revision: "2")
        c.run()
        #expect(d.status == status)
        #expect(shifts(d).first?.1 == 10) // the alarm did not fire before the first shift
        if status == .stopped {
            let alarmAt = try #require(d.log.first { if case .alarmActive = $0.event { true } else { false } }?.time)
            let firstShift = try #require(shifts(d).first?.0)
            #expect(alarmAt - firstShift <= 3 * 60_000 + DeploymentEngine.alarmPollInterval)
        }
    }
}
