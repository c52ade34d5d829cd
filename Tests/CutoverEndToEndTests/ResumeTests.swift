import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `cutover resume` after the orchestrator was killed with SIGKILL in the middle of a
/// local-cloud deployment: at 20 random points of a policy-driven rolling update of the
/// shop behind the load balancer, then resumed, every host ends on one whole revision.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct ResumeTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The shop on three hosts behind a load balancer; each run flips it to the other
    /// version with a Lua policy (one host, a bake, then one at a time).
    private static func scripts(_ sandbox: Sandbox) throws -> (setup: String, flip: String, check: String) {
        let common = """
            local cutover = require "cutover"
            local cloud = cutover.provider "local"
            local lb = cloud:load_balancer { name = "shop", health = "/health" }
            local shop = cutover.group {
              provider = cloud, application = "shop", name = "shop-prod",
              targets = { tags = { app = "shop" } }, config = "CodeDeployDefault.OneAtATime",
              load_balancer = lb, rollback = { on = { "failure" } },
            }

            """
        let setup = try sandbox.write("""
            local cutover = require "cutover"
            local cloud = cutover.provider "local"
            cloud:fleet { name = "web", hosts = 3, tags = { app = "shop" } }
            \(common.split(separator: "\n").dropFirst(2).joined(separator: "\n"))
            local d = shop:deploy { revision = "\(root)/examples/shop/v1", config = "CodeDeployDefault.AllAtOnce" }
            d:wait()
            assert(d.status == "Succeeded", d.message)
            """, to: "setup.lua")
        let flip = try sandbox.write(common + """
            local canary = 1
            cutover.policy("canary-then-one-by-one", function(r)
              r:deploy(r:pick(canary))
              r:bake "1s"
              while r:remaining() > 0 do r:deploy(r:pick(1)) end
            end)
            local d = shop:deploy { revision = arg[1], policy = "canary-then-one-by-one" }
            d:wait()
            print(d.id, d.status)
            """, to: "flip.lua")
        // Each host: what it serves, and the version file it has.
        let check = try sandbox.write("""
            local cloud = require("cutover").provider "local"
            for _, h in ipairs(cloud:instances()) do
              local body = cloud:get(h.url) or "down"
              local f = io.open(h.root .. "/srv/shop/VERSION")
              local file = f and f:read("l") or "none"
              if f then f:close() end
              print(h.id, (body:match("shop (%S+)") or "down"), file)
            end
            local lb = cloud:load_balancer { name = "shop", health = "/health" }
            print("lb", (cloud:get(lb.url) or ""):match("shop (%S+)") or "down")
            """, to: "check.lua")
        return (setup, flip, check)
    }

    /// The newest deployment's history key, status and revision.
    private static func newest(_ sandbox: Sandbox) throws -> (key: String, status: String, revision: String)? {
        let listing = try Pipes.run(sandbox.cutover(["history", "--json", "--limit", "1"]))
        let json = try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [String: Any]
        guard let d = (json?["deployments"] as? [[String: Any]])?.first,
              let key = d["key"] as? String, let status = d["status"] as? String else { return nil }
        return (key, status, d["revision"] as? String ?? "")
    }

    /// Starts `cutover --provider local ARGUMENTS` in the background (to be killed);
    /// its standard output goes to `output`.
    private static func start(_ sandbox: Sandbox, _ arguments: [String], output: String = "/dev/null") throws -> Process {
        FileManager.default.createFile(atPath: output, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CutoverBinary.path())
        process.arguments = ["--provider", "local"] + arguments
        process.environment = sandbox.environment
        process.currentDirectoryURL = URL(fileURLWithPath: sandbox.home)
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        return process
    }

    @Test func killedAtTwentyRandomPointsAndResumed() throws {
        let sandbox = try Sandbox()
        defer { _ = try? Pipes.run(sandbox.cutover(["local", "down"])) }
        let (setup, flip, check) = try Self.scripts(sandbox)
        let ready = try Pipes.run(sandbox.cutover(["--provider", "local", setup]), timeout: .seconds(120))
        try #require(ready.status == 0, "\(ready)")

        // One whole run, unkilled, measures how long a flip takes.
        var version = "v2"
        let began = ContinuousClock.now
        let whole = try Pipes.run(sandbox.cutover(["--provider", "local", flip, Self.root + "/examples/shop/" + version]),
                                  timeout: .seconds(120))
        try #require(whole.status == 0 && whole.stdout.contains("Succeeded"), "\(whole)")
        let duration = ContinuousClock.now - began
        let milliseconds = Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)

        var random = SystemRandomNumberGenerator()
        var killedMidway = 0
        for round in 1...20 {
            version = version == "v2" ? "v1" : "v2"
            let before = try Self.newest(sandbox)?.key
            let process = try Self.start(sandbox, [flip, Self.root + "/examples/shop/" + version])
            // Once the deployment is recorded, kill the orchestrator at a random point of it.
            let deadline = ContinuousClock.now + .seconds(60)
            var recorded: String?
            while recorded == nil && ContinuousClock.now < deadline {
                if let newest = try Self.newest(sandbox), newest.key != before { recorded = newest.key }
                else { usleep(20_000) }
            }
            let key = try #require(recorded, "round \(round): the deployment was never recorded")
            let delay = Int.random(in: 0..<max(1, milliseconds), using: &random)
            usleep(UInt32(delay) * 1000)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { killedMidway += 1 }

            let resumed = try Pipes.run(sandbox.cutover(["resume", key]), timeout: .seconds(120))
            #expect(resumed.status == 0, "round \(round), killed after \(delay) ms: \(resumed)")
            #expect(resumed.stdout.contains(": Succeeded"), "round \(round): \(resumed)")

            // Every host serves the new version and has its files; so does the load balancer.
            let state = try Pipes.run(sandbox.cutover(["--provider", "local", check]))
            let lines = state.stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
            let hosts = lines.filter { $0.first != "lb" }
            #expect(hosts.count == 3, "\(state)")
            for host in hosts {
                #expect(host.count == 3 && host[1] == version && host[2] == version,
                        "round \(round), killed after \(delay) ms: \(host) (\(state))")
            }
            #expect(lines.last == ["lb", version], "round \(round): \(state)")
        }
        // Most kills land mid-deployment (the point is random within one run's length).
        #expect(killedMidway >= 15, "only \(killedMidway) of 20 kills landed while the run was going")
    }

    /// A deployment started at the prompt, with a policy typed there, killed with the
    /// prompt, then resumed from the command line: the policy comes back from the
    /// recorded inputs.
    @Test func aDeploymentStartedAtThePromptIsResumed() throws {
        let sandbox = try Sandbox()
        defer { _ = try? Pipes.run(sandbox.cutover(["local", "down"])) }
        let (_, _, check) = try Self.scripts(sandbox)
        let terminal = try Terminal(sandbox.cutover())
        try terminal.waitForPrompt()
        for line in [
            "cutover = require 'cutover'",
            "cloud = cutover.provider 'local'",
            "cloud:fleet { name = 'web', hosts = 3, tags = { app = 'shop' } }",
            "lb = cloud:load_balancer { name = 'shop', health = '/health' }",
            "shop = cutover.group { provider = cloud, application = 'shop', name = 'shop-prod', targets = { tags = { app = 'shop' } }, "
                + "config = 'CodeDeployDefault.OneAtATime', load_balancer = lb }",
            "shop:deploy { revision = '\(Self.root)/examples/shop/v1', config = 'CodeDeployDefault.AllAtOnce' }:wait()",
            "pause = 2",
            "cutover.policy('slow', function(r)\n  while r:remaining() > 0 do r:deploy(r:pick(1)); r:bake(pause) end\nend)",
            "d = shop:deploy { revision = '\(Self.root)/examples/shop/v2', policy = 'slow' }",
        ] {
            for (i, part) in line.split(separator: "\n").enumerated() {
                try terminal.enter(String(part))
                if i < line.split(separator: "\n").count - 1 { try terminal.waitForContinuationPrompt() }
            }
            try terminal.waitForPrompt(timeout: .seconds(60))
        }
        try terminal.enter("d:watch()")
        // In the first bake: one host done, two to go.
        _ = try terminal.expect("baking until", timeout: .seconds(60))
        kill(terminal.pid, SIGKILL)

        let key = try #require(try Self.newest(sandbox)?.key)
        let resumed = try Pipes.run(sandbox.cutover(["resume", key]), timeout: .seconds(120))
        #expect(resumed.status == 0, "\(resumed)")
        #expect(resumed.stdout.contains(": Succeeded"), "\(resumed)")
        let state = try Pipes.run(sandbox.cutover(["--provider", "local", check]))
        let versions = state.stdout.split(separator: "\n").map { $0.split(separator: "\t").dropFirst().map(String.init) }
        #expect(versions == [["v2", "v2"], ["v2", "v2"], ["v2", "v2"], ["v2"]], "\(state)")
    }

    /// A Lambda canary killed in its bake: resumed, it ends with the alias whole on one
    /// version (the new one, or the original after the alarm and a rollback); the hook
    /// that used the cloud comes back with it.
    @Test func aLambdaCanaryKilledInItsBakeIsResumed() throws {
        let sandbox = try Sandbox()
        defer { _ = try? Pipes.run(sandbox.cutover(["local", "down"])) }
        let output = sandbox.home + "/canary.out"
        let process = try Self.start(sandbox, [Self.root + "/examples/lambda/canary.lua"], output: output)
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline,
              !((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").contains("baking until") {
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let before = try String(contentsOfFile: output, encoding: .utf8)
        #expect(before.contains("traffic: 10% on 2") && !before.contains("Stopped"), "\(before)")

        let key = try #require(try Self.newest(sandbox)?.key)
        let resumed = try Pipes.run(sandbox.cutover(["resume", key]), timeout: .seconds(120))
        #expect(!resumed.stderr.contains("not recorded"), "\(resumed)")
        let alias = try Pipes.run(sandbox.cutover(["--provider", "local", "-e",
            "for v, w in pairs(require('cutover').provider('local'):alias('checkout', 'live')) do print(v, w) end"]))
        // The load loop died with the process: whether the alarm fired before depends on
        // when the kill came. Either way the alias is whole on one version, the one the
        // outcome says.
        if resumed.status == 0 {
            #expect(resumed.stdout.hasSuffix(": Succeeded\n"), "\(resumed)")
            #expect(alias.stdout == "2\t100.0\n", "\(alias)")
        } else {
            #expect(resumed.stdout.contains("Stopped (ALARM_ACTIVE)"), "\(resumed)")
            #expect(resumed.stdout.contains(": Stopped; rollback d-"), "\(resumed)")
            #expect(alias.stdout == "1\t100.0\n", "\(alias)")
        }
    }

    /// An Auto Scaling group's blue/green killed in its termination wait: resumed, the
    /// originals are terminated and only the copy, on v2, serves.
    @Test func aBlueGreenKilledInItsTerminationWaitIsResumed() throws {
        let sandbox = try Sandbox()
        defer { _ = try? Pipes.run(sandbox.cutover(["local", "down"])) }
        let output = sandbox.home + "/bg.out"
        let process = try Self.start(sandbox, [Self.root + "/examples/asg/blue-green.lua"], output: output)
        // v1 done, v2's traffic moved: the originals wait for their termination (read
        // from the history: the script's output is buffered).
        let deadline = ContinuousClock.now + .seconds(90)
        var waiting = false
        while !waiting && ContinuousClock.now < deadline {
            if let newest = try Self.newest(sandbox), newest.revision.hasSuffix("shop/v2") {
                let log = try Pipes.run(sandbox.cutover(["show", newest.key, "--json"])).stdout
                waiting = log.contains("termination_wait_started") && !log.contains("original_termination_requested")
            }
            if !waiting { usleep(20_000) }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(waiting, "never saw v2's termination wait: \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")

        let key = try #require(try Self.newest(sandbox)?.key)
        let resumed = try Pipes.run(sandbox.cutover(["resume", key]), timeout: .seconds(120))
        #expect(resumed.status == 0, "\(resumed)")
        #expect(resumed.stdout.contains("original instances terminated"), "\(resumed)")
        let state = try Pipes.run(sandbox.cutover(["--provider", "local", "-e", """
            local c = require("cutover").provider "local"
            for _, h in ipairs(c:instances()) do print(h.tags["cutover:asg"], ((c:get(h.url)) or "down"):match("shop (%S+)")) end
            print("lb", ((c:get(c:load_balancer { name = "shop", health = "/health" }.url)) or "down"):match("shop (%S+)"))
            """]))
        let lines = state.stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(lines.count == 4, "\(state)")
        for line in lines.dropLast() {
            #expect(line.first?.hasPrefix("CodeDeploy_shop-prod_d-") == true && line.last == "v2", "\(state)")
        }
        #expect(lines.last == ["lb", "v2"], "\(state)")
    }
}
