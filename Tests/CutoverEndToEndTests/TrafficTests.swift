import Foundation
import Testing

/// Lambda- and ECS-style traffic shifting through the built binary: the examples on the
/// simulator and on the local cloud, observed weights, and `cutover plan --policy`.
@Suite(.serialized)
struct TrafficTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// Runs a file with a provider; the local cloud is taken down afterwards and must
    /// leave no process of the sandbox behind.
    private func run(_ file: String, provider: String, timeout: Duration = .seconds(150)) throws -> Pipes.Output {
        let sandbox = try Sandbox()
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
        let result = try Pipes.run(sandbox.cutover(["run", "--provider", "local", script, Self.root + "/examples"]),
                                   timeout: .seconds(240))
        defer { _ = try? Pipes.run(sandbox.cutover(["local", "down"])) }
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
