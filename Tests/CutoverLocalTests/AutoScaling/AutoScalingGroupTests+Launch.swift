import CutoverCore
import Foundation
import Testing
@testable import CutoverLocal

/// Launch deployments (reference §5.4, §11): a group with a launch hook installs the
/// hook's revision on each new host, and the host serves only once it succeeded.
extension AutoScalingGroupTests {
    static let launchEvents = ["ApplicationStop", "DownloadBundle", "BeforeInstall", "Install", "AfterInstall", "ApplicationStart",
                               "ValidateService", "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"]

    @Test func aLaunchHookInstallsTheLastSuccessfulRevisionBeforeTheHostServes() async throws {
        try await AutoScalingHarness.with { h in
            let lb = try await h.loadBalancer("front")
            let deploymentGroupLB = try await h.loadBalancer("dg")
            try await h.createGroup(min: 0, max: 2, desired: 0, loadBalancers: ["front"])
            let v1 = AutoScalingHarness.examples + "/shop/v1"
            // The hook names the deployment group's load balancer: AllowTraffic registers there too.
            let hooked = try await h.setLaunchHook(revision: v1, loadBalancer: "dg")
            #expect(hooked.launchHook == Control.LaunchHook(deploymentGroupID: "dg-shop-prod", revision: v1, application: "shop",
                                                            group: "prod", loadBalancer: "dg"))
            try await h.scale(to: 1)

            // Watch the launch: the host is never in the load balancer before
            // ValidateService succeeded, and never InService before the launch did.
            var violations: [String] = []
            let done = await h.group { g in
                guard let instance = g.instances.first, let launch = g.launches.first else { return false }
                let validated = launch.events.contains { $0.event == "ValidateService" && $0.status == "Succeeded" }
                if instance.loadBalancerStates["front"] != "unregistered" && !validated {
                    violations.append("registered before ValidateService: \(launch.events.map(\.event))")
                }
                if instance.lifecycleState == .inService && launch.status != "Succeeded" {
                    violations.append("InService while the launch is \(launch.status)")
                }
                return instance.lifecycleState == .inService
            }
            let group = try #require(done)
            #expect(violations.isEmpty, "\(violations)")
            let launch = try #require(group.launches.first)
            #expect(launch.host == "web-1" && launch.revision == v1 && launch.status == "Succeeded")
            #expect(launch.deploymentID.hasPrefix("d-") && launch.deploymentID.count == 11)
            #expect(launch.events.map(\.event) == Self.launchEvents)
            #expect(launch.events.first?.status == "Skipped", "a new host has no previous revision to stop")
            #expect(launch.events.dropFirst().allSatisfy { $0.status == "Succeeded" }, "\(launch.events)")
            #expect(launch.events.first { $0.event == "AllowTraffic" }?.message == "front: registered and healthy; dg: registered and healthy")
            #expect(group.instances.first?.loadBalancerStates == ["front": "healthy"])

            // The revision is the host's for that deployment group, and the shop serves.
            let host = try #require(try await h.hosts().first)
            #expect(host.revisions == ["dg-shop-prod": v1])
            #expect(await h.answer(lb.port) == "shop v1 on web-1")
            #expect(await h.answer(deploymentGroupLB.port) == "shop v1 on web-1")
            #expect(group.activities.contains { $0.description.hasPrefix("Launch deployment \(launch.deploymentID) succeeded (CONTINUE)") })

            // Scaling in drains it out of both.
            try await h.scale(to: 0)
            #expect(await h.group { $0.instances.isEmpty } != nil)
            #expect(try await h.loadBalancers().allSatisfy { $0.targets.isEmpty })
        }
    }

    @Test func aFailingLaunchDeploymentAbandonsTheHostUntilTheHookHasARevisionThatWorks() async throws {
        try await AutoScalingHarness.with { h in
            h.autoScaling.launchRetryDelay = .seconds(60)
            try await h.loadBalancer("front")
            try await h.createGroup(min: 0, max: 2, desired: 0, loadBalancers: ["front"])
            let broken = try h.brokenShop()
            try await h.setLaunchHook(revision: broken)
            try await h.scale(to: 1)

            let failed = try #require(await h.group { $0.launches.last?.status == "Failed" && !$0.instances.contains { $0.host == "web-1" } })
            let launch = try #require(failed.launches.last)
            #expect(launch.host == "web-1")
            #expect(launch.events.map(\.event) == Array(Self.launchEvents.prefix(7)), "it stops at the failed event")
            let validate = try #require(launch.events.last)
            #expect(validate.status == "Failed" && validate.message.contains("health check failed"), "\(validate)")
            let abandoned = failed.activities.first { $0.description.hasPrefix("Launch deployment \(launch.deploymentID) of \(broken) on host web-1 failed at ValidateService") }
            #expect(abandoned?.description.hasSuffix("ABANDON: the host is terminated; the group launches a replacement in 60 s") == true,
                    "\(failed.activities.map(\.description))")
            #expect(failed.activities.contains { $0.description.hasPrefix("Terminated host web-1") })

            // Terminated: gone from the fleet, its server (ApplicationStart ran) stopped,
            // never registered with the load balancer.
            #expect(try await !h.hosts().contains { $0.name == "web-1" })
            #expect(ProcessTable.processes(withEnvironment: "CUTOVER_HOST_ROOT", value: h.paths.hostDirectory("web-1") + "/root").isEmpty)
            #expect(try #require(try await h.loadBalancers().first { $0.name == "front" }).targets.isEmpty)

            // No relaunch during the back-off; a new revision in the hook relaunches at
            // once (the orchestrator sets it after a successful deployment).
            #expect(try await h.group().instances.isEmpty)
            let v1 = AutoScalingHarness.examples + "/shop/v1"
            try await h.setLaunchHook(revision: v1)
            let recovered = try #require(await h.group { $0.instances.first?.lifecycleState == .inService })
            #expect(recovered.launches.count == 2)
            #expect(recovered.launches.first?.revision == v1 && recovered.launches.first?.status == "Succeeded")
            #expect(recovered.instances.first?.loadBalancerStates == ["front": "healthy"])
        }
    }
}
