import Foundation
import Testing

/// Server blue/green and Auto Scaling groups through the built binary, on the
/// simulator and on the local cloud.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct BlueGreenTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    @Test func simulatorExampleWaitsReroutesAndRollsBack() throws {
        let result = try Pipes.run(Sandbox().cutover([Self.root + "/examples/sim/blue-green.lua"]))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("d-000000001 is Ready: replacements installed"), "\(result)")
        #expect(result.stdout.contains("Succeeded: traffic moved to 4 replacement instance(s); the 4 original(s) were terminated"), "\(result)")
        #expect(result.stdout.contains("termination wait 1:37 → 11:37"), "\(result)")
        #expect(result.stdout.contains("d-000000002 Failed (HEALTH_CONSTRAINTS); rollback d-000000003 Succeeded"), "\(result)")
        // After the rollback the v1 replacements of the first deployment serve, and only they.
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("instances now: ") } ?? ""
        #expect(line.split(separator: " ").dropFirst(2).count == 4, "\(result)")
        #expect(!line.contains("shop-v2") && !line.contains("web-1"), "\(result)")
    }

    /// The example on both providers; on the local cloud not one request of the load
    /// loop fails during the cutover, and the originals live through the termination wait.
    @Test(arguments: ["sim", "local"])
    func autoScalingGroupBlueGreen(provider: String) throws {
        let sandbox = try Sandbox()
        defer { if provider == "local" { _ = try? Pipes.run(sandbox.cutover(["local", "down"])) } }
        let result = try Pipes.run(sandbox.cutover(["run", "--provider", provider, Self.root + "/examples/asg/blue-green.lua"]),
                                   timeout: .seconds(180))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("v2: d-"), "\(result)")
        #expect(result.stdout.contains("Succeeded: traffic moved to 3 replacement instance(s); the 3 original(s) were terminated"), "\(result)")
        // "[0:01] keeping the original instances until 0:04" … "[0:04] original instances terminated"
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let kept = try #require(lines.last { $0.contains("keeping the original instances until") })
        let gone = try #require(lines.last { $0.contains("original instances terminated") })
        func seconds(_ clock: Substring) -> Int { clock.split(separator: ":").reduce(0) { $0 * 60 + (Int($1) ?? 0) } }
        let from = seconds(kept.dropFirst().prefix { $0 != "]" })
        let until = seconds(kept.split(separator: " ")[6])
        #expect(until - from == 3, "\(kept)")
        #expect(seconds(gone.dropFirst().prefix { $0 != "]" }) >= until, "\(gone)")
        if provider == "local" {
            let load = try #require(result.stdout.firstMatch(#"load: (\d+) requests, (\d+) failed: (.*)"#))
            #expect((Int(load[1]) ?? 0) > 50, "\(result)")
            #expect(load[2] == "0", "\(result)")
            #expect(load[3].contains("shop v1") && load[3].contains("shop v2"), "\(result)")
        }
    }

    /// A failure after traffic moved: the rollback sends traffic back to the originals
    /// (still alive during the termination wait… here, before it) and discards the copy.
    @Test func rollbackAfterReroutingRoutesBackToBlue() throws {
        let sandbox = try Sandbox()
        defer { _ = try? Pipes.run(sandbox.cutover(["local", "down"])) }
        let script = try sandbox.write(#"""
            local cutover = require "cutover"
            local shop = ...
            local cloud = cutover.provider()
            local lb = cloud:load_balancer { name = "shop", health = "/health", health_interval = 1 }
            cloud:asg { name = "shop-asg", min = 1, max = 4, desired = 2, prefix = "shop" }
            local group = cutover.group { name = "shop-prod", targets = { asg = { "shop-asg" } }, load_balancer = lb,
              config = "CodeDeployDefault.AllAtOnce", blue_green = { green = "copy", ready_wait = "1h" },
              rollback = { on = { "failure" } } }
            local v1 = group:deploy { revision = shop .. "/v1" }
            print("v1 waits:", v1:wait())
            print("v1 continued:", v1:continue())
            local originals = {}
            for _, i in ipairs(cloud:instances()) do originals[#originals + 1] = i.id end
            local broken = true
            group:hook("AfterBlockTraffic", function() if broken then error("the old hosts did not drain cleanly") end end)
            local v2 = group:deploy { revision = shop .. "/v2" }
            v2:wait()
            v2:continue()
            broken = false
            print("v2:", v2.status, v2.error, v2.rollback and v2.rollback.status)
            local body = cloud:get(lb.url .. "/")
            print("serving:", (body:gsub("%s+$", "")))
            local now = {}
            for _, i in ipairs(cloud:instances()) do now[#now + 1] = i.id end
            print("hosts before:", table.concat(originals, " "), "after:", table.concat(now, " "))
            """#, to: "rollback.lua")
        let result = try Pipes.run(sandbox.cutover(["run", "--provider", "local", script, Self.root + "/examples/shop"]),
                                   timeout: .seconds(180))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("v1 waits:\tReady\n"), "\(result)")
        #expect(result.stdout.contains("v1 continued:\tSucceeded\n"), "\(result)")
        #expect(result.stdout.contains("v2:\tFailed\tHEALTH_CONSTRAINTS\tSucceeded"), "\(result)")
        #expect(result.stdout.contains("serving:\tshop v1 on "), "\(result)")
        let hosts = try #require(result.stdout.firstMatch(#"hosts before:\t(.*)\tafter:\t(.*)"#))
        #expect(hosts[1] == hosts[2], "the copy is gone and the originals serve: \(result)")
    }

    /// A scale-out in the middle of an in-place deployment: the new host gets v1 by a
    /// launch deployment, then a follow-up (CodeDeployAutoUpdate) brings it to v2; in the
    /// end every host of the group serves v2.
    @Test(arguments: ["sim", "local"])
    func scaleOutDuringAnInPlaceDeployment(provider: String) throws {
        let sandbox = try Sandbox()
        defer { if provider == "local" { _ = try? Pipes.run(sandbox.cutover(["local", "down"])) } }
        let script = try sandbox.write(#"""
            local cutover = require "cutover"
            local shop = ...
            local cloud = cutover.provider()
            local lb = cloud:load_balancer { name = "shop", health = "/health", health_interval = 1 }
            cloud:asg { name = "shop-asg", min = 1, max = 5, desired = 2, prefix = "shop", load_balancer = lb }
            local group = cutover.group { name = "shop-prod", targets = { asg = { "shop-asg" } }, load_balancer = lb,
                                          config = "CodeDeployDefault.OneAtATime" }
            print("v1:", group:deploy { revision = shop .. "/v1" }:wait())
            local scaled = false
            group:hook("AfterInstall", function()
              if not scaled then scaled = true; cloud:scale("shop-asg", 3) end
            end)
            local d = group:deploy { revision = shop .. "/v2" }
            d:wait()
            print("v2:", d.status, #d.targets, d.follow_up and d.follow_up.creator, d.follow_up and d.follow_up.status,
                  d.follow_up and #d.follow_up.targets)
            for _, i in ipairs(cloud:instances()) do
              local body = i.url and cloud:get(i.url .. "/") or ("revision " .. tostring(i.revision))
              print("host:", i.id, (body:gsub("%s+$", "")))
            end
            """#, to: "scale.lua")
        let result = try Pipes.run(sandbox.cutover(["run", "--provider", provider, script, Self.root + "/examples/shop"]),
                                   timeout: .seconds(240))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("v1:\tSucceeded"), "\(result)")
        #expect(result.stdout.contains("v2:\tSucceeded\t2\tCodeDeployAutoUpdate\tSucceeded\t1"), "\(result)")
        let hosts = result.stdout.split(separator: "\n").filter { $0.hasPrefix("host:") }
        #expect(hosts.count == 3, "\(result)")
        #expect(hosts.allSatisfy { $0.contains("v2") }, "\(result)")
    }

    /// Bad input gets a clear error with CodeDeploy's (or Auto Scaling's) code.
    @Test(arguments: ["sim", "local"])
    func badAutoScalingInput(provider: String) throws {
        let sandbox = try Sandbox()
        defer { if provider == "local" { _ = try? Pipes.run(sandbox.cutover(["local", "down"])) } }
        let script = try sandbox.write(#"""
            local cutover = require "cutover"
            local cloud = cutover.provider()
            print("capacity:", select(2, pcall(cloud.asg, cloud, { name = "a", min = 1, max = 2, desired = 5 })))
            local lb = cloud:load_balancer { name = "lb", health = "/health" }
            local empty = cutover.group { name = "empty", targets = { asg = { "none" } }, load_balancer = lb }
            local d = empty:deploy { revision = "." }
            d:wait()
            print("no hosts:", d.status, d.error)
            local copy = cutover.group { name = "copy", targets = { asg = { "nope" } }, load_balancer = lb,
                                         blue_green = { green = "copy" } }
            print("copy:", select(2, pcall(copy.deploy, copy, { revision = "." })))
            print("no lb:", select(2, pcall(cutover.group, { name = "x", targets = { asg = { "a" } }, blue_green = {} })))
            """#, to: "bad.lua")
        let result = try Pipes.run(sandbox.cutover(["run", "--provider", provider, script]), timeout: .seconds(60))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("capacity:\t"), "\(result)")
        #expect(result.stdout.contains("desired") && result.stdout.contains("5"), "\(result)")
        #expect(result.stdout.contains("no hosts:\tFailed\tNO_INSTANCES"), "\(result)")
        #expect(result.stdout.contains("AutoScalingGroup name not found - "), "\(result)")
        #expect(result.stdout.contains("needs a load balancer"), "\(result)")
    }
}
