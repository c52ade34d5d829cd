import Foundation
import Testing

/// Lambda- and ECS-style traffic shifting through the built binary: the examples on the
/// simulator and on the local cloud, observed weights, and `cutover plan --policy`.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct TrafficTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// Runs a file with a provider; the local cloud is taken down afterwards and must
    /// leave no process of the sandbox behind.
    private func run(_ file: String, provider: String, timeout: Duration = .seconds(150)) throws -> Pipes.Output {
        let sandbox = try Sandbox()
        defer { if provider == "local" { _ = try? Pipes.run(sandbox.cutover(["local", "down"])) } }
        let result = try Pipes.run(sandbox.cutover(["run", "--provider", provider, file]), timeout: timeout)
        if provider == "local" {
            let down = try Pipes.run(sandbox.cutover(["local", "down"]))
            #expect(down.status == 0, "\(down)")
            let left = try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap { pid -> String? in
                guard Int(pid) != nil, let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
                return String(decoding: data, as: UTF8.self).contains(sandbox.home) ? pid : nil
            }
            #expect(left.isEmpty, "processes left behind: \(left)")
        }
        return result
    }

    @Test(arguments: ["sim", "local"])
    func lambdaCanaryRollsItselfBack(provider: String) throws {
        let result = try run(Self.root + "/examples/lambda/canary.lua", provider: provider)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("Stopped (ALARM_ACTIVE): alarm checkout-v2-errors is in ALARM"), "\(result)")
        #expect(result.stdout.contains("restored: alias live points at version 1 again"), "\(result)")
        #expect(result.stdout.contains("alias live: version 1 gets 100%"), "\(result)")
        #expect(result.stdout.range(of: #"rollback d-\S+ Succeeded"#, options: .regularExpression) != nil, "\(result)")
        if provider == "local" {
            // Real requests went through the alias, and some reached the failing version.
            let load = result.stdout.firstMatch(#"load: (\d+) requests, (\d+) errors"#)
            #expect((load.map { Int($0[1]) ?? 0 } ?? 0) > 100, "\(result)")
            #expect((load.map { Int($0[2]) ?? 0 } ?? 0) > 0, "\(result)")
        }
    }

    @Test(arguments: ["sim", "local"])
    func ecsBlueGreenMovesTheService(provider: String) throws {
        let result = try run(Self.root + "/examples/ecs/blue-green.lua", provider: provider)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("Succeeded: web runs web:2 with all of the traffic"), "\(result)")
        #expect(result.stdout.contains("original task set removed"), "\(result)")
        for event in ["Install ✓", "AllowTestTraffic ✓", "AfterAllowTestTraffic ✓", "AllowTraffic ✓"] {
            #expect(result.stdout.contains(event), "\(event): \(result)")
        }
        if provider == "local" {
            #expect(result.stdout.contains("test listener answered: v2"), "\(result)")
            #expect(result.stdout.contains("production now answers: v2"), "\(result)")
        }
    }

    /// At each step of a policy (held by an approval), 2,000 invocations through the
    /// alias and 2,000 requests through the service's listener split as the weight says,
    /// within 2 points.
    @Test func observedWeightsFollowTheSteps() throws {
        let sandbox = try Sandbox()
        let script = try sandbox.write(#"""
            local cutover = require "cutover"
            local cloud = cutover.provider()
            local examples = ...
            cloud:lambda { name = "fn", handler = examples .. "/lambda/v1/handler.sh" }
            local v1 = cloud:publish "fn"
            cloud:alias("fn", "live", v1)
            cloud:lambda { name = "fn", handler = examples .. "/lambda/v2/handler.sh" }
            local v2 = cloud:publish "fn"
            local function td(version)
              return cloud:task_definition { family = "w", command = { "python3", examples .. "/ecs/app.py" },
                                             environment = { VERSION = version }, health_path = "/health" }
            end
            local service = cloud:service { name = "w", task_definition = td "v1", desired_count = 2, port = 0,
                                            health_interval = "200ms" }
            local w2 = td "v2"
            cutover.policy("steps", function(r)
              for _, weight in ipairs { 10, 50, 90 } do r:shift(weight); r:approve("at " .. weight) end
            end)
            local fd = cutover.group { provider = cloud, platform = "lambda", name = "fn", lambda = "fn", alias = "live" }
                         :deploy { version = v2, policy = "steps" }
            local sd = cutover.group { provider = cloud, platform = "ecs", name = "w", service = "w" }
                         :deploy { task_definition = w2, policy = "steps" }
            for _, weight in ipairs { 10, 50, 90 } do
              fd:wait(); sd:wait()
              assert(fd.waiting_for == "at " .. weight and sd.waiting_for == "at " .. weight, tostring(fd.waiting_for))
              local n, hits = 2000, 0
              for _ = 1, n do if cloud:invoke("fn:live").version == v2 then hits = hits + 1 end end
              local lb = 0
              for _ = 1, n do if cloud:get(service.url):match "v2" then lb = lb + 1 end end
              print(("weight %d: invoke %.2f%% lb %.2f%%"):format(weight, 100 * hits / n, 100 * lb / n))
              fd:approve("at " .. weight); sd:approve("at " .. weight)
            end
            fd:wait(); sd:wait()
            print(fd.status, sd.status)
            """#, to: "weights.lua")
        defer { _ = try? Pipes.run(sandbox.cutover(["local", "down"])) }
        let result = try Pipes.run(sandbox.cutover(["run", "--provider", "local", script, Self.root + "/examples"]),
                                   timeout: .seconds(400))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("Succeeded\tSucceeded"), "\(result)")
        var steps = 0
        for line in result.stdout.split(separator: "\n") {
            guard let m = String(line).firstMatch(#"weight (\d+): invoke ([\d.]+)% lb ([\d.]+)%"#),
                  let weight = Double(m[1]), let invoke = Double(m[2]), let lb = Double(m[3]) else { continue }
            steps += 1
            #expect(abs(invoke - weight) <= 2, "\(line)")
            #expect(abs(lb - weight) <= 2, "\(line)")
        }
        #expect(steps == 3, "\(result)")
    }

    /// Bad input on the local cloud: each case is a clear error with CodeDeploy's code.
    @Test func badTrafficInputGetsCodeDeployErrors() throws {
        let sandbox = try Sandbox()
        try sandbox.write("#!/bin/sh\ncat >/dev/null\necho '{}'\n", to: "ok.sh")
        try sandbox.write("#!/bin/sh\nsleep 30\n", to: "hang.sh")
        for file in ["ok.sh", "hang.sh"] { chmod(sandbox.home + "/" + file, 0o755) }
        try sandbox.write("""
            version: 0.0
            Resources:
              - fn:
                  Type: AWS::Lambda::Function
                  Properties:
                    Name: "fn"
                    Alias: "live"
                    CurrentVersion: "1"
                    TargetVersion: "2"
            Hooks:
              - BeforeAllowTraffic: "CodeDeployHook_hang"
            """, to: "appspec.yaml")
        let script = try sandbox.write(#"""
            local cutover = require "cutover"
            local cloud = cutover.provider()
            local home = ...
            cloud:lambda { name = "fn", handler = home .. "/ok.sh" }
            local v1 = cloud:publish "fn"
            cloud:alias("fn", "live", v1)
            cloud:lambda { name = "fn", handler = home .. "/hang.sh" } -- different code: a new version
            local v2 = cloud:publish "fn"
            cloud:lambda { name = "CodeDeployHook_hang", handler = home .. "/hang.sh", timeout = 1 }

            local missing = cutover.group { platform = "lambda", name = "missing", lambda = "fn", alias = "nope" }
            print("missing alias:", select(2, pcall(missing.deploy, missing, { version = v2 })))

            local group = cutover.group { platform = "lambda", name = "fn-live", lambda = "fn", alias = "live" }
            local same = group:deploy { version = v1 }
            same:wait()
            print("same version:", same.status, same.error, same.message)

            local hung = group:deploy { appspec = home .. "/appspec.yaml" }
            hung:wait()
            print("hook never reports:", hung.status, hung.error, hung.message)

            local td = cloud:task_definition { family = "broken", command = { "no-such-command-xyz" } }
            cloud:service { name = "ok", task_definition = cloud:task_definition { family = "okay",
                            command = { "python3", home .. "/app.py" }, environment = { VERSION = "v1" } }, desired_count = 1 }
            local broken = cutover.group { platform = "ecs", name = "ok-prod", service = "ok" }:deploy { task_definition = td }
            broken:wait()
            print("command cannot start:", broken.status, broken.error, broken.message)

            local web = cutover.group { platform = "ecs", name = "ok-rollback", service = "ok", rollback = { on = { "failure" } } }
            web:hook("AfterAllowTraffic", function() error("smoke test failed after the shift") end)
            local failed = web:deploy { task_definition = cloud:task_definition { family = "okay",
                                        command = { "python3", home .. "/app.py" }, environment = { VERSION = "v2" } } }
            failed:wait()
            local sets = {}
            for _, set in ipairs(cloud:describe_service("ok").task_sets) do sets[#sets + 1] = set.status .. " " .. set.task_definition end
            print("rolled back:", failed.status, failed.error, failed.rollback.status, cloud:get(cloud:describe_service("ok").url), table.concat(sets, ","))
            """#, to: "bad.lua")
        try FileManager.default.copyItem(atPath: Self.root + "/examples/ecs/app.py", toPath: sandbox.home + "/app.py")
        defer { _ = try? Pipes.run(sandbox.cutover(["local", "down"])) }
        let result = try Pipes.run(sandbox.cutover(["run", "--provider", "local", script, sandbox.home]), timeout: .seconds(120))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("INVALID_LAMBDA_CONFIGURATION: function fn has no alias nope"), "\(result)")
        #expect(result.stdout.contains("same version:\tFailed\tINVALID_LAMBDA_CONFIGURATION"), "\(result)")
        #expect(result.stdout.contains("hook never reports:\tFailed\tHOOK_EXECUTION_FAILURE"), "\(result)")
        #expect(result.stdout.contains("timed out"), "\(result)")
        #expect(result.stdout.contains("command cannot start:\tFailed\tECS_UPDATE_ERROR"), "\(result)")
        #expect(result.stdout.contains("no-such-command-xyz"), "\(result)")
        // After the shift a failing hook sends production back to v1 and removes v2's task set.
        #expect(result.stdout.contains("rolled back:\tFailed\tHOOK_EXECUTION_FAILURE\tSucceeded\tv1\n\tPRIMARY okay:1\n"), "\(result)")
    }

    @Test func planShowsAPolicysSteps() throws {
        let result = try Pipes.run(Sandbox().cutover(["plan", "--platform", "lambda", "--policy",
                                                        Self.root + "/examples/policies/exponential.lua", "--json"]))
        #expect(result.status == 0, "\(result)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let shifts = (json?["steps"] as? [[String: Any]] ?? []).compactMap { $0["weight"] as? Int }
        #expect(shifts == [1, 2, 4, 8, 16, 32, 64, 100], "\(result)")
        let bad = try Pipes.run(Sandbox().cutover(["plan", "--platform", "server", "--policy", "x.lua"]))
        #expect(bad.status == 2, "\(bad)")
    }
}

extension String {
    /// The groups of the first match of a regular expression (0: the whole match).
    func firstMatch(_ pattern: String) -> [String]? {
        guard let re = try? NSRegularExpression(pattern: pattern),
              let m = re.firstMatch(in: self, range: NSRange(startIndex..., in: self)) else { return nil }
        return (0..<m.numberOfRanges).map { i in Range(m.range(at: i), in: self).map { String(self[$0]) } ?? "" }
    }
}
