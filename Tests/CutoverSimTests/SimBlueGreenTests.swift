import Testing
import CutoverCore
@testable import CutoverSim

private let oneAtATime = DeploymentConfiguration(name: "CodeDeployDefault.OneAtATime", platform: .server,
                                                 minimumHealthyHosts: .oneAtATime)
private let allAtOnce = DeploymentConfiguration(name: "CodeDeployDefault.AllAtOnce", platform: .server,
                                                minimumHealthyHosts: .fleetPercent(0))

/// Four instances v1 in the Auto Scaling group "web-asg", a blue/green group copying it.
private func cloud(_ options: BlueGreenGroupOptions = .init(greenFleet: .copyAutoScalingGroup),
                   config: DeploymentConfiguration = allAtOnce,
                   rollback: Set<AutoRollbackConfiguration.Trigger> = []) throws -> SimCloud {
    let cloud = SimCloud()
    cloud.addInstances(count: 4, prefix: "web", tags: ["app": "web"], autoScalingGroup: "web-asg")
    for i in cloud.instances.indices { cloud.instances[i].revision = "v1" }
    try cloud.addGroup(SimGroup(DeploymentGroup(
        application: Application(name: "web"), name: "web-prod", selection: TargetSelection(autoScalingGroups: ["web-asg"]),
        configuration: config, loadBalanced: true, autoRollback: AutoRollbackConfiguration(triggers: rollback),
        blueGreen: options), lastSuccessfulRevision: "v1"))
    return cloud
}

private func events(of target: String, in d: SimDeployment) -> [String] {
    d.log.compactMap { r in
        if case .lifecycleEnded(let t, let e, let s, _, _) = r.event, d.spec.targets[t].id == target {
            return "\(e.rawValue):\(s.rawValue)"
        }
        return nil
    }
}

@Suite struct SimBlueGreenTests {
    @Test func copiesTheGroupInstallsReroutesAndTerminatesAfterTheWait() throws {
        let c = try cloud(.init(greenFleet: .copyAutoScalingGroup, terminationWaitSeconds: 300))
        let d = try c.deploy(group: "web-prod", revision: "v2")
        c.run()
        #expect(d.status == .succeeded, "\(d.state.message)")
        let green = d.spec.targets.prefix(4).map(\.id)
        #expect(green.allSatisfy { $0.hasPrefix("CodeDeploy_web-prod_\(d.spec.id)") })
        #expect(events(of: green[0], in: d).map { $0.split(separator: ":")[0] }
                == (LifecycleEvent.serverInPlace + [.beforeAllowTraffic, .allowTraffic, .afterAllowTraffic]).map { Substring($0.rawValue) })
        #expect(events(of: "web-1", in: d) == ["BeforeBlockTraffic:Succeeded", "BlockTraffic:Succeeded", "AfterBlockTraffic:Succeeded"])
        // Every replacement took traffic before any original was taken out.
        let lastAllow = try #require(d.log.lastIndex { if case .lifecycleEnded(_, .allowTraffic, _, _, _) = $0.event { true } else { false } })
        let firstBlock = try #require(d.log.firstIndex { if case .lifecycleStarted(_, .blockTraffic) = $0.event { true } else { false } })
        #expect(lastAllow < firstBlock)
        // The originals lived through the termination wait, then went.
        let waitStarted = try #require(d.log.first { if case .terminationWaitStarted = $0.event { true } else { false } })
        #expect(try #require(d.log.last).time - waitStarted.time == 300_000)
        #expect(c.instances.map(\.id) == green)
        #expect(c.instances.allSatisfy { $0.revision == "v2" })
        #expect(c.groups["web-prod"]?.selection.autoScalingGroups == ["CodeDeploy_web-prod_\(d.spec.id)"])
        #expect(d.state.targetStatus.allSatisfy { $0 == .succeeded })
    }

    @Test func keepAliveLeavesTheOriginalsRunning() throws {
        let c = try cloud(.init(greenFleet: .copyAutoScalingGroup, keepOriginals: true))
        let d = try c.deploy(group: "web-prod", revision: "v2")
        c.run()
        #expect(d.status == .succeeded)
        #expect(c.instances.count == 8)
        #expect(d.state.message.contains("kept running"))
    }

    @Test func readyWaitStopsWhenNobodyContinues() throws {
        let c = try cloud(.init(greenFleet: .copyAutoScalingGroup, readyWaitSeconds: 600))
        let d = try c.deploy(group: "web-prod", revision: "v2")
        c.run(until: 120_000)
        #expect(d.status == .ready)
        c.run()
        #expect(d.status == .stopped)
        #expect(d.state.error == .timeout)
        #expect(c.instances.map(\.id) == ["web-1", "web-2", "web-3", "web-4"]) // the replacements were discarded
        #expect(!d.log.contains { if case .lifecycleStarted(_, .allowTraffic) = $0.event { true } else { false } })
    }

    @Test func continueDuringTheReadyWaitReroutes() throws {
        let c = try cloud(.init(greenFleet: .copyAutoScalingGroup, readyWaitSeconds: 600))
        let d = try c.deploy(group: "web-prod", revision: "v2")
        c.run(until: 120_000)
        c.send(.continueDeployment, to: d)
        c.run()
        #expect(d.status == .succeeded)
        #expect(try #require(d.log.last).time < 600_000)
    }

    @Test func aFailedInstallDiscardsTheReplacementsAndLeavesTrafficAlone() throws {
        let c = try cloud(config: oneAtATime, rollback: [.deploymentFailure])
        c.faults.append(.failEvent(instance: "CodeDeploy_web-prod_d-000000001-1", event: .afterInstall, code: .scriptFailed,
                                   message: "exit status 1", once: false))
        let d = try c.deploy(group: "web-prod", revision: "v2")
        c.run()
        #expect(d.status == .failed)
        #expect(d.state.error == .healthConstraints)
        #expect(c.instances.map(\.id) == ["web-1", "web-2", "web-3", "web-4"])
        #expect(d.rollback == nil)
        #expect(d.log.contains { if case .rollbackUnavailable = $0.event { true } else { false } })
        #expect(events(of: "web-1", in: d).isEmpty) // the originals were never touched
    }

    @Test func aFailureAfterReroutingRoutesBackToTheOriginals() throws {
        let c = try cloud(rollback: [.deploymentFailure])
        c.faults.append(.failEvent(instance: "web-2", event: .blockTraffic, code: .unknownError,
                                   message: "deregistration timed out", once: true))
        let d = try c.deploy(group: "web-prod", revision: "v2")
        c.run()
        #expect(d.status == .failed)
        let rollback = try #require(d.rollback)
        #expect(rollback.status == .succeeded, "\(rollback.state.message)")
        #expect(rollback.spec.creator == .codeDeployRollback)
        #expect(events(of: "web-1", in: rollback) == ["BeforeAllowTraffic:Succeeded", "AllowTraffic:Succeeded", "AfterAllowTraffic:Succeeded"])
        #expect(events(of: "CodeDeploy_web-prod_d-000000001-1", in: rollback).map { $0.split(separator: ":")[0] }
                == ["BeforeBlockTraffic", "BlockTraffic", "AfterBlockTraffic"])
        #expect(c.instances.map(\.id) == ["web-1", "web-2", "web-3", "web-4"])
        #expect(c.instances.allSatisfy { $0.revision == "v1" })
    }

    @Test func aGroupWithoutHealthyInstancesCannotBeCopied() throws {
        let c = try cloud()
        for i in c.instances.indices { c.instances[i].health = .unhealthy }
        #expect(throws: CoreError.self) { try c.deploy(group: "web-prod", revision: "v2") }
    }

    @Test func blueGreenNeedsALoadBalancer() throws {
        let group = DeploymentGroup(application: Application(name: "web"), name: "g", selection: TargetSelection(autoScalingGroups: ["a"]),
                                    configuration: allAtOnce, blueGreen: .init(greenFleet: .copyAutoScalingGroup))
        #expect(throws: CoreError.self) { try group.validate() }
    }

    /// After a cutover the group deploys to the copy; a host launched into it gets the
    /// revision by a launch deployment, as in any Auto Scaling group of a group.
    @Test func theCopyLaunchesWithTheNewRevision() throws {
        let c = SimCloud()
        try c.createAutoScalingGroup(name: "web-asg", min: 1, max: 8, desired: 2, prefix: "web")
        try c.addGroup(SimGroup(DeploymentGroup(
            application: Application(name: "web"), name: "web-prod", selection: TargetSelection(autoScalingGroups: ["web-asg"]),
            configuration: allAtOnce, loadBalanced: true, blueGreen: .init(greenFleet: .copyAutoScalingGroup))))
        let d = try c.deploy(group: "web-prod", revision: "v2")
        c.run()
        #expect(d.status == .succeeded)
        let copy = "CodeDeploy_web-prod_\(d.spec.id)"
        try c.scale(copy, desired: 3)
        c.run()
        let launch = try #require(c.deployments.last)
        #expect(launch.spec.creator == .autoscaling)
        #expect(launch.spec.blueGreen == nil)
        #expect(launch.status == .succeeded)
        #expect(c.instances.filter { $0.autoScalingGroup == copy }.allSatisfy { $0.revision == "v2" })
        #expect(c.instances.filter { $0.autoScalingGroup == copy }.count == 3)
    }
}
