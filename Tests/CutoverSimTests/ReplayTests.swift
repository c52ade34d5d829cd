import Testing
import CutoverCore
@testable import CutoverSim

private func config(_ name: String, _ rule: MinimumHealthyHosts) -> DeploymentConfiguration {
    DeploymentConfiguration(name: name, platform: .server, minimumHealthyHosts: rule)
}

/// A fleet of 8 with a group, and a first deployment of v1 so v2 has something to roll back to.
private func fleet(_ c: DeploymentConfiguration, alarms: [String] = [], loadBalanced: Bool = false) throws -> SimCloud {
    let cloud = SimCloud(seed: 7)
    cloud.addInstances(count: 8, prefix: "web", tags: ["env": "prod"])
    try cloud.addGroup(SimGroup(application: "shop", name: "web-prod",
                                selection: TargetSelection(tagFilters: [TagFilter(key: "env", value: "prod")]),
                                configuration: c, loadBalanced: loadBalanced, alarms: AlarmConfiguration(names: alarms),
                                autoRollback: AutoRollbackConfiguration(triggers: [.deploymentFailure, .stopOnAlarm])))
    cloud.durations.byInstance["web-3"] = [.install: 40_000]
    _ = try cloud.deploy(group: "web-prod", revision: "v1")
    cloud.run()
    return cloud
}

@Suite struct ReplayTests {
    private func expectIdentical(_ d: SimDeployment, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let replayed = Replay.run(d.spec, outcomes: ReplayOutcomes(log: d.log, spec: d.spec), start: d.createdAt)
        let diff = Replay.firstDifference(replayed, d.log)
        if let i = diff { print("REPLAY", i, i < replayed.count ? "\(replayed[i])" : "-", "RECORDED", i < d.log.count ? "\(d.log[i])" : "-") }
        #expect(diff == nil, "first difference at \(diff ?? -1): \(diff.map { i in (i < replayed.count ? "\(replayed[i])" : "-") + " vs " + (i < d.log.count ? "\(d.log[i])" : "-") } ?? "")",
                sourceLocation: sourceLocation)
    }

    @Test func aFailureWithRollbackReplaysIdentically() throws {
        let c = try fleet(config("CodeDeployDefault.HalfAtATime", .fleetPercent(50)))
        c.faults.append(.failEvent(instance: "web-2", event: .afterInstall, code: .scriptFailed, message: "exit 1", once: false))
        for instance in ["web-5", "web-6", "web-7", "web-8"] {
            c.faults.append(.failEvent(instance: instance, event: .validateService, code: .scriptTimedOut, message: "timeout", once: false))
        }
        let d = try c.deploy(group: "web-prod", revision: "v2")
        c.run()
        #expect(d.status == .failed)
        expectIdentical(d)
        expectIdentical(try #require(d.rollback))
    }

    @Test func anAlarmStopReplaysIdentically() throws {
        let c = try fleet(config("CodeDeployDefault.OneAtATime", .oneAtATime), alarms: ["5xx"], loadBalanced: true)
        c.faults.append(.alarm(name: "5xx", fromMilliseconds: c.now + 100_000, durationMilliseconds: nil))
        let d = try c.deploy(group: "web-prod", revision: "v2")
        c.run()
        #expect(d.status == .stopped)
        expectIdentical(d)
    }

    @Test func aPolicyWithBakesReplaysIdentically() throws {
        let c = try fleet(config("CodeDeployDefault.AllAtOnce", .fleetPercent(0)))
        var asked = 0
        c.policyRunner = { d in
            defer { asked += 1 }
            switch asked {
            case 0: return .deploy([0])
            case 1: return .bake(seconds: 300, alarms: nil)
            case 2: return .deploy([1, 2, 3])
            default: return .done
            }
        }
        let d = try c.deploy(group: "web-prod", revision: "v2", policy: "waves")
        c.run()
        #expect(d.status == .succeeded)
        expectIdentical(d)
    }

    @Test func aTrafficCanaryReplaysIdentically() throws {
        let c = SimCloud()
        try c.addFunction(name: "fn", versions: 2, alias: "live", aliasVersion: "1")
        try c.addGroup(SimGroup(DeploymentGroup(
            application: Application(name: "fn", platform: .lambda), name: "fn-live", selection: TargetSelection(),
            configuration: DeploymentConfiguration(name: "canary", platform: .lambda, trafficRouting: .timeBasedCanary(percent: 10, intervalMinutes: 5)),
            alarms: AlarmConfiguration(names: ["errors"]), autoRollback: AutoRollbackConfiguration(triggers: [.stopOnAlarm]),
            traffic: .function("fn", alias: "live"))))
        c.faults.append(.alarm(name: "errors", fromMilliseconds: 120_000, durationMilliseconds: nil))
        let d = try c.deploy(group: "fn-live", revision: "2")
        c.run()
        #expect(d.status == .stopped)
        expectIdentical(d)
    }

    /// The same outcomes under OneAtATime instead of HalfAtATime: the failure on web-2
    /// now stops the deployment at once, so fewer instances were touched.
    @Test func aCounterfactualWithOneAtATime() throws {
        let c = try fleet(config("CodeDeployDefault.HalfAtATime", .fleetPercent(50)))
        c.faults.append(.failEvent(instance: "web-2", event: .afterInstall, code: .scriptFailed, message: "exit 1", once: false))
        let d = try c.deploy(group: "web-prod", revision: "v2")
        c.run()
        #expect(d.status == .succeeded) // HalfAtATime tolerates one failure out of 8
        var spec = d.spec
        spec.configuration = config("CodeDeployDefault.OneAtATime", .oneAtATime)
        let other = Replay.run(spec, outcomes: ReplayOutcomes(log: d.log, spec: d.spec), start: d.createdAt)
        let state = DeploymentEngine(spec: spec, replaying: other.map(\.event)).state
        #expect(state.status == .failed)
        #expect(state.error == .healthConstraints)
        #expect(state.targetStatus.filter { $0 == .succeeded }.count < 8)
        #expect(state.targetStatus.contains(.skipped))
    }
}
