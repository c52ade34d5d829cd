import Foundation
import Testing
@testable import CutoverLocal

/// Auto Scaling groups on a real daemon in this process: Fleet hosts launched and
/// terminated, real servers behind the daemon's load balancer, state on disk. One suite,
/// run serially (launch deployments start real processes; the machine has 2 cores).
@Suite(.serialized) struct AutoScalingGroupTests {
    // MARK: - Validation

    @Test func capacityThatCannotBeMetAndOtherBadGroupsAreValidationErrorsNamingTheField() async throws {
        try await AutoScalingHarness.with { h in
            try await h.loadBalancer("front")
            func rejected(_ request: Control.CreateAutoScalingGroup) async -> (status: Int, problem: Control.Problem)? {
                await h.rejection { let _: Control.AutoScalingGroup = try await h.send("POST", "/v1/auto-scaling-groups", request) }
            }
            let launch = Control.LaunchDescription(prefix: "web")
            let cases: [(Control.CreateAutoScalingGroup, String)] = [
                (.init(name: "web", min: 1, max: 3, desired: 5, launch: launch), "desired capacity 5 is more than the max size 3: the group cannot hold that many"),
                (.init(name: "web", min: 2, max: 3, desired: 1, launch: launch), "desired capacity 1 is less than the min size 2"),
                (.init(name: "web", min: 0, max: 0, desired: 0, launch: launch), "max must be at least 1"),
                (.init(name: "web", min: 3, max: 2, desired: 2, launch: launch), "min size 3 is more than the max size 2"),
                (.init(name: "web", min: 0, max: 2, desired: 1, launch: launch, loadBalancers: ["nope"]), "load_balancers: no load balancer named nope"),
                (.init(name: "web", min: 0, max: 2, desired: 1, launch: .init(prefix: "bad name")), "launch.prefix: 'bad name'"),
                (.init(name: "web", min: 0, max: 2, desired: 1, launch: .init(prefix: "web", tags: ["cutover:asg": "x"])), "launch.tags: cutover:asg"),
                (.init(name: "", min: 0, max: 2, desired: 1, launch: launch), "name: ''"),
                (.init(name: "web", min: 0, max: 2, desired: 1, launch: launch, healthGraceMilliseconds: -1), "health_grace_ms"),
                (.init(name: "web", min: 0, max: 2, desired: 1, launch: .init(prefix: "web", portRange: [5, 3])), "launch.port_range [5, 3]"),
                (.init(name: "web", min: 0, max: 4, desired: 1, launch: .init(prefix: "web", portRange: [30000, 30001])),
                 "launch.port_range [30000, 30001] holds 2 ports, fewer than the max size 4"),
            ]
            for (request, message) in cases {
                let answer = await rejected(request)
                #expect(answer?.status == 400, "\(request)")
                #expect(answer?.problem.code == "ValidationError")
                #expect(answer?.problem.error.hasPrefix(message) == true, "\(answer?.problem.error ?? "accepted") ≠ \(message)")
            }
            #expect(try await h.hosts().isEmpty, "a rejected group launched hosts")

            try await h.createGroup(min: 1, max: 2, desired: 1, loadBalancers: ["front"])
            let twice = await h.rejection { try await h.createGroup(desired: 1) }
            #expect(twice?.status == 400 && twice?.problem.code == "ValidationError")
            #expect(twice?.problem.error.contains("an Auto Scaling group named web already exists") == true)
            let tooMany = await h.rejection { try await h.scale(to: 3) }
            #expect(tooMany?.status == 400 && tooMany?.problem.error.hasPrefix("desired capacity 3 is more than the max size 2") == true)
            let missing = await h.rejection {
                let _: Control.AutoScalingGroup = try await h.send("POST", "/v1/auto-scaling-groups", ["name": "api"])
            }
            #expect(missing?.problem.error.hasPrefix("bad body for POST /v1/auto-scaling-groups: \"") == true, "\(missing?.problem.error ?? "")")
            #expect(try await h.group().desired == 1)
        }
    }

    @Test func unknownGroupsAre404ValidationErrorsAsAWSAnswers() async throws {
        try await AutoScalingHarness.with { h in
            let hook = Control.LaunchHook(deploymentGroupID: "dg", revision: nil, application: "a", group: "g")
            let attempts: [(String, () async throws -> Void)] = [
                ("get", { _ = try await h.group("nope") }),
                ("scale", { try await h.scale("nope", to: 1) }),
                ("delete", { let _: Control.DeletedAutoScalingGroup = try await h.delete("/v1/auto-scaling-groups/nope") }),
                ("copy", { let _: Control.AutoScalingGroup = try await h.send("POST", "/v1/auto-scaling-groups/nope/copy", Control.CopyAutoScalingGroup(name: "x")) }),
                ("launch hook", { let _: Control.AutoScalingGroup = try await h.send("PUT", "/v1/auto-scaling-groups/nope/launch-hook", hook) }),
                ("detach", { let _: Control.AutoScalingGroup = try await h.send("POST", "/v1/auto-scaling-groups/nope/detach-instances", Control.DetachInstances(hosts: ["x"])) }),
            ]
            for (what, attempt) in attempts {
                let answer = await h.rejection(attempt)
                #expect(answer?.status == 404, "\(what)")
                #expect(answer?.problem.code == "ValidationError", "\(what)")
                #expect(answer?.problem.error.hasPrefix("AutoScalingGroup name not found") == true, "\(what): \(answer?.problem.error ?? "")")
            }
            let groups = try await h.get("/v1/auto-scaling-groups", as: [Control.AutoScalingGroup].self)
            #expect(groups.isEmpty)
        }
    }

    // MARK: - Scaling

    @Test func scalingOutLaunchesTaggedHostsThatGoInServiceAndServeBehindTheLoadBalancer() async throws {
        try await AutoScalingHarness.with { h in
            let lb = try await h.loadBalancer("front")
            let created = try await h.createGroup(min: 1, max: 4, desired: 1, loadBalancers: ["front"])
            #expect(created.instances.map(\.host) == ["web-1"])
            try await h.scale(to: 3)
            let group = try #require(await h.group { $0.instances.count == 3 && $0.instances.allSatisfy { $0.lifecycleState == .inService } })
            #expect(group.instances.map(\.host) == ["web-1", "web-2", "web-3"])
            let hosts = try await h.hosts()
            #expect(hosts.map(\.name).sorted() == ["web-1", "web-2", "web-3"])
            for host in hosts { #expect(host.tags == ["role": "web", "cutover:asg": "web"]) }

            // Registered at once (no launch hook); healthy as soon as something answers.
            for instance in group.instances { #expect(instance.loadBalancerStates["front"] != "unregistered") }
            for host in hosts { _ = try await h.serve(host) }
            let healthy = await h.group { $0.instances.allSatisfy { $0.loadBalancerStates == ["front": "healthy"] && $0.health == "Healthy" } }
            #expect(healthy != nil)
            let targets = try #require(try await h.loadBalancers().first { $0.name == "front" }).targets
            #expect(Set(targets.map(\.port)) == Set(hosts.map(\.port)))
            #expect(targets.allSatisfy { $0.state == "healthy" })
            var seen = Set<String>()
            for _ in 0..<6 { if let name = await h.answer(lb.port) { seen.insert(name) } }
            #expect(seen == ["web-1", "web-2", "web-3"])
            #expect(group.activities.contains { $0.description.hasPrefix("Launching host web-3") })
            #expect(group.activities.contains { $0.description.hasPrefix("Capacity changed from min 1, max 4, desired 1 to min 1, max 4, desired 3") })
        }
    }

    /// A launch description's port range: the hosts listen there, first free port first.
    @Test func hostsGetPortsFromTheLaunchRange() async throws {
        try await AutoScalingHarness.with { h in
            let first = 24_000 + Int.random(in: 0..<500) * 10
            let request = Control.CreateAutoScalingGroup(name: "web", min: 1, max: 4, desired: 3,
                                                         launch: .init(prefix: "web", portRange: [first, first + 9]))
            let created: Control.AutoScalingGroup = try await h.send("POST", "/v1/auto-scaling-groups", request)
            #expect(created.instances.count == 3)
            let ports = try await h.hosts().map(\.port)
            #expect(ports.count == 3)
            #expect(ports.allSatisfy { (first...(first + 9)).contains($0) }, "\(ports)")
            #expect(Set(ports).count == 3)
        }
    }

    @Test func scalingInTerminatesTheNewestFirstAfterDrainingThemOut() async throws {
        try await AutoScalingHarness.with { h in
            try await h.loadBalancer("front")
            try await h.createGroup(min: 0, max: 3, desired: 3, loadBalancers: ["front"])
            #expect(await h.group { $0.instances.filter { $0.lifecycleState == .inService }.count == 3 } != nil)
            let hosts = try await h.hosts().sorted { $0.name < $1.name }
            var pids: [String: Int32] = [:]
            for host in hosts { pids[host.name] = try await h.serve(host) }
            #expect(await h.group { $0.instances.allSatisfy { $0.loadBalancerStates["front"] == "healthy" } } != nil)

            let scaled = try await h.scale(to: 1)
            #expect(scaled.desired == 1)
            #expect(scaled.instances.map(\.lifecycleState) == [.inService, .terminating, .terminating]
                    || scaled.instances.count < 3, "\(scaled.instances)")
            let group = try #require(await h.group { $0.instances.count == 1 })
            #expect(group.instances.map(\.host) == ["web-1"])
            #expect(try await h.hosts().map(\.name) == ["web-1"])
            let targets = try #require(try await h.loadBalancers().first { $0.name == "front" }).targets
            #expect(targets.map(\.port) == [hosts[0].port])
            #expect(AutoScalingHarness.isAlive(pids["web-1"]!))
            for name in ["web-2", "web-3"] {
                #expect(!AutoScalingHarness.isAlive(pids[name]!), "\(name)'s server still runs")
                #expect(!FileManager.default.fileExists(atPath: h.paths.hostDirectory(name)))
                let terminated = group.activities.first { $0.description.hasPrefix("Terminated host \(name)") }
                #expect(terminated?.description.contains("front: deregistered (drained)") == true, "\(terminated?.description ?? "none")")
            }
            // Newest first: web-3 was chosen before web-2.
            let chosen = group.activities.filter { $0.description.hasPrefix("Terminating host") }.map(\.description).reversed()
            #expect(chosen.map { $0.split(separator: ":")[0] } == ["Terminating host web-3", "Terminating host web-2"])
        }
    }

    // MARK: - Copy, detach, delete

    @Test func aCopyHasAsManyInstancesAsTheSourceHasInServiceAndNoLoadBalancerOrHook() async throws {
        try await AutoScalingHarness.with { h in
            try await h.loadBalancer("front")
            try await h.createGroup(min: 1, max: 4, desired: 2, tags: ["role": "web", "tier": "blue"], loadBalancers: ["front"])
            #expect(await h.group { $0.instances.filter { $0.lifecycleState == .inService }.count == 2 } != nil)
            // A third instance stays Pending while its launch deployment waits.
            try await h.setLaunchHook(revision: try h.slowRevision(seconds: 20))
            try await h.scale(to: 3)
            #expect(await h.group { $0.instances.last?.lifecycleState == .pending && $0.launches.first?.events.isEmpty == false } != nil)

            let copy: Control.AutoScalingGroup = try await h.send("POST", "/v1/auto-scaling-groups/web/copy",
                                                                  Control.CopyAutoScalingGroup(name: "web-green"))
            #expect(copy.name == "web-green")
            #expect(copy.desired == 2 && copy.min == 1 && copy.max == 4)
            #expect(copy.launch == Control.LaunchDescription(prefix: "web", tags: ["role": "web", "tier": "blue"]))
            #expect(copy.loadBalancers.isEmpty && copy.launchHook == nil)
            let green = try #require(await h.group("web-green") { $0.instances.filter { $0.lifecycleState == .inService }.count == 2 })
            let greenHosts = Set(green.instances.map(\.host))
            #expect(greenHosts.isDisjoint(with: ["web-1", "web-2", "web-3"]))
            for host in try await h.hosts() where greenHosts.contains(host.name) {
                #expect(host.tags["cutover:asg"] == "web-green")
            }
            for instance in green.instances { #expect(instance.loadBalancerStates.isEmpty) }
            let again = await h.rejection {
                let _: Control.AutoScalingGroup = try await h.send("POST", "/v1/auto-scaling-groups/web/copy", Control.CopyAutoScalingGroup(name: "web-green"))
            }
            #expect(again?.status == 400 && again?.problem.error.contains("already exists") == true)
        }
    }

    @Test func detachingKeepsTheHostRunningOutsideTheGroupAndDeletingTerminatesTheRest() async throws {
        try await AutoScalingHarness.with { h in
            try await h.loadBalancer("front")
            try await h.createGroup(min: 2, max: 3, desired: 3, loadBalancers: ["front"])
            #expect(await h.group { $0.instances.filter { $0.lifecycleState == .inService }.count == 3 } != nil)
            var pids: [String: Int32] = [:]
            for host in try await h.hosts() { pids[host.name] = try await h.serve(host) }
            #expect(await h.group { $0.instances.allSatisfy { $0.loadBalancerStates["front"] == "healthy" } } != nil)

            let detached: Control.AutoScalingGroup = try await h.send("POST", "/v1/auto-scaling-groups/web/detach-instances",
                                                                      Control.DetachInstances(hosts: ["web-1"]))
            #expect(detached.desired == 2 && detached.min == 2)
            #expect(detached.instances.map(\.host) == ["web-2", "web-3"])
            let kept = try #require(try await h.hosts().first { $0.name == "web-1" })
            #expect(kept.tags == ["role": "web"])
            #expect(AutoScalingHarness.isAlive(pids["web-1"]!))
            let targets = try #require(try await h.loadBalancers().first { $0.name == "front" }).targets
            #expect(!targets.contains { $0.port == kept.port })
            let notMember = await h.rejection {
                let _: Control.AutoScalingGroup = try await h.send("POST", "/v1/auto-scaling-groups/web/detach-instances",
                                                                   Control.DetachInstances(hosts: ["web-1"]))
            }
            #expect(notMember?.status == 400 && notMember?.problem.error == "hosts: web-1 is not part of Auto Scaling group web")
            // Below the min size: the min goes down with the desired capacity (blue/green
            // KEEP_ALIVE lets every original go).
            let below: Control.AutoScalingGroup = try await h.send("POST", "/v1/auto-scaling-groups/web/detach-instances",
                                                                   Control.DetachInstances(hosts: ["web-2"]))
            #expect(below.desired == 1 && below.min == 1)
            #expect(below.activities.contains { $0.description == "Capacity changed from min 2, max 3, desired 2 to min 1, max 3, desired 1 (instances detached)" })

            let deleted: Control.DeletedAutoScalingGroup = try await h.delete("/v1/auto-scaling-groups/web")
            #expect(deleted.terminated == ["web-3"])
            #expect(try await h.hosts().map(\.name) == ["web-1", "web-2"])
            #expect(!AutoScalingHarness.isAlive(pids["web-3"]!))
            #expect(AutoScalingHarness.isAlive(pids["web-1"]!) && AutoScalingHarness.isAlive(pids["web-2"]!))
            #expect(try #require(try await h.loadBalancers().first { $0.name == "front" }).targets.isEmpty)
            let gone = await h.rejection { _ = try await h.group() }
            #expect(gone?.status == 404)
        }
    }

    // MARK: - Persistence

    @Test func aRestartedDaemonReadoptsItsHostsAndRegistersThemAgain() async throws {
        try await AutoScalingHarness.with { h in
            try await h.loadBalancer("front")
            try await h.createGroup(min: 0, max: 3, desired: 2, loadBalancers: ["front"])
            let before = try #require(await h.group { $0.instances.filter { $0.lifecycleState == .inService }.count == 2 })
            #expect(FileManager.default.fileExists(atPath: h.paths.root + "/auto-scaling-groups.json"))
            await h.stop()

            let next = try await h.restarted()
            do {
                let after = try await next.group()
                #expect(after.instances.map(\.host) == before.instances.map(\.host))
                #expect(after.instances.allSatisfy { $0.lifecycleState == .inService })
                #expect(after.desired == 2 && after.loadBalancers == ["front"])
                #expect(after.activities.first?.description == "The daemon restarted: re-adopted 2 host(s)")
                // Registered again (their servers are not running: the old daemon stopped them).
                for instance in after.instances { #expect(instance.loadBalancerStates["front"] != "unregistered") }
                #expect(try await next.hosts().count == 2)
                try await next.scale(to: 1)
                #expect(await next.group { $0.instances.map(\.host) == ["web-1"] } != nil)
            } catch {
                await next.stop()
                throw error
            }
            await next.stop()
        }
    }
}
