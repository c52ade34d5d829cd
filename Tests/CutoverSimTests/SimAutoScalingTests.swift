import Testing
import CutoverCore
@testable import CutoverSim

private let oneAtATime = DeploymentConfiguration(name: "CodeDeployDefault.OneAtATime", platform: .server,
                                                 minimumHealthyHosts: .oneAtATime)

/// An Auto Scaling group of 4 and a group deploying to it in place, with v1 everywhere.
private func cloud() throws -> SimCloud {
    let c = SimCloud()
    try c.createAutoScalingGroup(name: "web-asg", min: 1, max: 10, desired: 4, prefix: "web")
    try c.addGroup(SimGroup(application: "shop", name: "web-prod", selection: TargetSelection(autoScalingGroups: ["web-asg"]),
                            configuration: oneAtATime))
    let first = try c.deploy(group: "web-prod", revision: "v1")
    c.run()
    #expect(first.status == .succeeded)
    return c
}

@Suite struct SimAutoScalingTests {
    @Test func scaleOutDuringADeploymentEndsWithEveryInstanceOnTheNewRevision() throws {
        let c = try cloud()
        let d = try c.deploy(group: "web-prod", revision: "v2")
        c.run(until: c.now + 30_000) // the first instance is being deployed to
        try c.scale("web-asg", desired: 6)
        // The new instances got the last successful revision by launch deployments.
        c.run(until: c.now + 1)
        let launches = c.deployments.filter { $0.spec.creator == .autoscaling }
        #expect(launches.map { $0.spec.targets.map(\.id) } == [["web-5"], ["web-6"]])
        #expect(launches.allSatisfy { $0.spec.revision == "v1" })
        c.run()
        #expect(d.status == .succeeded)
        #expect(d.spec.targets.count == 4)
        let followUp = try #require(d.followUp)
        #expect(followUp.spec.creator == .codeDeployAutoUpdate)
        #expect(Set(followUp.spec.targets.map(\.id)) == ["web-5", "web-6"])
        #expect(followUp.status == .succeeded)
        #expect(c.instances.count == 6)
        #expect(c.instances.allSatisfy { $0.revision == "v2" }, "\(c.instances.map { ($0.id, $0.revision ?? "-") })")
        // A launch deployment has no block-traffic events (reference §5.4).
        #expect(launches[0].spec.lifecycleOrder == LifecycleEvent.serverInPlace)
    }

    @Test func anInstanceTerminatedMidDeploymentFailsItsPart() throws {
        let c = try cloud()
        let d = try c.deploy(group: "web-prod", revision: "v2")
        c.run(until: c.now + 30_000)
        try c.scale("web-asg", desired: 3) // web-4, the newest, goes
        c.run()
        let t = try #require(d.spec.targets.firstIndex { $0.id == "web-4" })
        #expect(d.state.targetStatus[t] == .failed)
        #expect(d.log.contains { r in
            if case .lifecycleEnded(t, _, .failed, _, let message) = r.event { message.contains("was terminated") } else { false }
        })
        // OneAtATime tolerates a failure on the last instance (reference §6.1).
        #expect(d.status == .succeeded)
        #expect(c.instances.map(\.id) == ["web-1", "web-2", "web-3"])
    }

    @Test func capacityThatCannotBeMetIsRefused() throws {
        let c = SimCloud()
        #expect(throws: CoreError.self) { try c.createAutoScalingGroup(name: "a", min: 3, max: 2, desired: 2) }
        #expect(throws: CoreError.self) { try c.createAutoScalingGroup(name: "a", min: 1, max: 2, desired: 5) }
        try c.createAutoScalingGroup(name: "a", min: 1, max: 2, desired: 1)
        #expect(throws: CoreError.self) { try c.scale("a", desired: 3) }
        #expect(throws: CoreError.self) { try c.scale("nope", desired: 1) }
    }

    @Test func scaleOutWithoutARevisionLaunchesBareInstances() throws {
        let c = SimCloud()
        try c.createAutoScalingGroup(name: "a", min: 0, max: 4, desired: 1)
        try c.addGroup(SimGroup(application: "x", name: "g", selection: TargetSelection(autoScalingGroups: ["a"]),
                                configuration: oneAtATime))
        try c.scale("a", desired: 3)
        c.run()
        #expect(c.deployments.isEmpty)
        #expect(c.instances.map(\.id) == ["a-1", "a-2", "a-3"])
    }
}
