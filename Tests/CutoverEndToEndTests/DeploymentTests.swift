import Foundation
import Testing

/// Deployments on the simulator, through the built binary: the examples, `cutover
/// plan`, and the prompt scenario of issue 3.
@Suite(.timeLimit(.minutes(5)))
struct DeploymentTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    @Test func oneAtATimeExampleIsDeterministic() throws {
        let sandbox = try Sandbox()
        let example = Self.root + "/examples/sim/one-at-a-time.lua"
        let first = try Pipes.run(sandbox.cutover([example, "first.jsonl"]))
        #expect(first.status == 0, "\(first)")
        #expect(first.stdout.contains("Failed (HEALTH_CONSTRAINTS)"), "\(first)")
        #expect(first.stdout.contains("web-3  Failed"), "\(first)")
        #expect(first.stdout.contains("AfterInstall ScriptFailed: exit status 1"), "\(first)")
        #expect(first.stdout.contains("web-8  Skipped"), "\(first)")
        let second = try Pipes.run(sandbox.cutover([example, "second.jsonl"]))
        #expect(second.status == 0, "\(second)")
        let a = try String(contentsOfFile: sandbox.home + "/first.jsonl", encoding: .utf8)
        let b = try String(contentsOfFile: sandbox.home + "/second.jsonl", encoding: .utf8)
        #expect(!a.isEmpty)
        #expect(a == b)
        #expect(a.split(separator: "\n").count == 49)
    }

    @Test func wavesExampleStopsOnTheAlarmAndRollsBack() throws {
        let result = try Pipes.run(Sandbox().cutover([Self.root + "/examples/sim/waves-with-faults.lua"]))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains(
            "v1 Succeeded; v2 Stopped (ALARM_ACTIVE); rollback Succeeded to shop-v1 by codeDeployRollback"), "\(result)")
        #expect(result.stdout.contains("bake 0:26 → 5:26"), "\(result)")
    }

    @Test(arguments: [
        // (hosts, config, minimum, batch sizes) from reference §6.1 and §7.2
        (9, "CodeDeployDefault.HalfAtATime", 5, [4, 4, 1]),
        (10, "CodeDeployDefault.OneAtATime", 9, Array(repeating: 1, count: 10)),
        (10, "CodeDeployDefault.AllAtOnce", 0, [10]),
    ])
    func planPrintsTheBatches(hosts: Int, config: String, minimum: Int, sizes: [Int]) throws {
        let result = try Pipes.run(Sandbox().cutover(["plan", "--platform", "server", "--config", config,
                                                        "--hosts", String(hosts), "--json"]))
        #expect(result.status == 0, "\(result)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(json?["minimum_healthy_hosts"] as? Int == minimum)
        let batches = json?["batches"] as? [[String]] ?? []
        #expect(batches.map(\.count) == sizes)
        #expect(batches.first?.first == "i-1")
    }

    @Test(arguments: [
        ("6", [3, 3, 3]),      // HOST_COUNT 6 over 9: 3 at a time
        ("40%", [5, 4]),       // FLEET_PERCENT 40 over 9: M = 4, 5 at a time
    ])
    func planWithACustomMinimum(minimum: String, sizes: [Int]) throws {
        let result = try Pipes.run(Sandbox().cutover(["plan", "--min-healthy", minimum, "--hosts", "9", "--json"]))
        #expect(result.status == 0, "\(result)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect((json?["batches"] as? [[String]])?.map(\.count) == sizes)
    }

    @Test func planRefusesWhatCannotStart() throws {
        let invalid = try Pipes.run(Sandbox().cutover(["plan", "--min-healthy", "95%", "--hosts", "10", "--json"]))
        #expect(invalid.status == 1, "\(invalid)")
        #expect(invalid.stdout.contains("HEALTH_CONSTRAINTS_INVALID"), "\(invalid)")
        let unknown = try Pipes.run(Sandbox().cutover(["plan", "--config", "CodeDeployDefault.HalfAtATim", "--hosts", "3"]))
        #expect(unknown.status == 2, "\(unknown)")
        #expect(unknown.stderr.contains("did you mean CodeDeployDefault.HalfAtATime"), "\(unknown)")
        let range = try Pipes.run(Sandbox().cutover(["plan", "--min-healthy", "120%", "--hosts", "3"]))
        #expect(range.status == 2, "\(range)")
        #expect(range.stderr.contains("between 0 and 99"), "\(range)")
        let count = try Pipes.run(Sandbox().cutover(["plan", "--min-healthy", "3", "--hosts", "3"]))
        #expect(count.status == 2, "\(count)")
        #expect(count.stderr.contains("must be below the fleet size"), "\(count)")
    }

    @Test func planTrafficSteps() throws {
        let result = try Pipes.run(Sandbox().cutover(["plan", "--platform", "lambda", "--config",
                                                        "CodeDeployDefault.LambdaCanary10Percent5Minutes", "--json"]))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains(#""steps":[{"at_seconds":0,"weight":10},{"at_seconds":300,"weight":100}]"#), "\(result)")
        let linear = try Pipes.run(Sandbox().cutover(["plan", "--platform", "ecs", "--linear", "25%:2m", "--json"]))
        #expect(linear.stdout.contains(#"{"at_seconds":360,"weight":100}"#), "\(linear)")
    }

    /// The quickstart deploys the shop for real: 4 hosts, a load balancer, v1 then v2;
    /// `local down` leaves no process behind.
    @Test func quickstartDeploysTheShopBehindTheLoadBalancer() throws {
        let sandbox = try Sandbox()
        let result = try Pipes.run(sandbox.cutover([Self.root + "/examples/quickstart.lua"]), timeout: .seconds(120))
        defer { _ = try? Pipes.run(sandbox.cutover(["local", "down"])) }
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("batch 2: shop-3 shop-4"), "\(result)")
        #expect(result.stdout.contains("AllowTraffic ✓"), "\(result)")
        #expect(result.stdout.contains("serves (HTTP 200): shop v2 on shop-"), "\(result)")
        let down = try Pipes.run(sandbox.cutover(["local", "down"]))
        #expect(down.stdout.contains("stopped the local cloud daemon"), "\(down)")
        // Nothing started for the sandbox is left: no daemon, no shop server.
        let left = try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap { pid -> String? in
            guard Int(pid) != nil, let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let command = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return command.contains(sandbox.home) ? command : nil
        }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func badProviderIsUsage() throws {
        let result = try Pipes.run(Sandbox().cutover(["run", "--provider", "moon", "x.lua"]))
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("--provider must be sim, local or aws"), "\(result)")
    }

    @Test func defaultProviderIsTheSimulator() throws {
        let result = try Pipes.run(Sandbox().cutover(["-e", "print(require('cutover').provider())"]))
        #expect(result.stdout.hasPrefix("sim cloud (0 instances"), "\(result)")
        let sandbox = try Sandbox()
        let local = try Pipes.run(sandbox.cutover(["run", "--provider", "local", "-"]),
                                  stdin: "print(require('cutover').provider())")
        #expect(local.status == 0, "\(local)")
        #expect(local.stdout.hasPrefix("local cloud (0 hosts"), "\(local)")
        // The daemon it started keeps running until `local down`.
        let status = try Pipes.run(sandbox.cutover(["local", "status"]))
        #expect(status.status == 0, "\(status)")
        let down = try Pipes.run(sandbox.cutover(["local", "down"]))
        #expect(down.stdout.contains("stopped the local cloud daemon"), "\(down)")
        let after = try Pipes.run(sandbox.cutover(["local", "status"]))
        #expect(after.status == 3, "\(after)")
        let aws = try Pipes.run(sandbox.cutover(["run", "--provider", "aws", "-"]), stdin: "require('cutover').provider()")
        #expect(aws.status == 1, "\(aws)")
        // The sandbox has no AWS credentials: the provider says so, and where it looked.
        #expect(aws.stderr.contains("bad argument #1 to 'provider' (aws: no AWS credentials found"), "\(aws)")
    }
}

extension PromptTests {
    /// Issue 3's "done when": at the prompt, a fleet of 8, OneAtATime, instance 3 failing
    /// AfterInstall, and the timeline.
    @Test func deploysOnTheSimulatorFromThePrompt() throws {
        let terminal = try Terminal(Sandbox().cutover())
        try terminal.waitForPrompt()
        for line in [
            "cutover = require 'cutover'",
            "cloud = cutover.sim { hosts = 8 }",
            "cloud:fault { instance = 3, event = 'AfterInstall' }",
            "web = cutover.group { provider = cloud, name = 'web', targets = { hosts = { 'i-1','i-2','i-3','i-4','i-5','i-6','i-7','i-8' } } }",
            "d = web:deploy { revision = 'v2' }",
        ] {
            try terminal.enter(line)
            try terminal.waitForPrompt()
        }
        try terminal.enter("d:wait()")
        try terminal.expectLine(#""Failed""#)
        try terminal.waitForPrompt()
        try terminal.enter("d:timeline()")
        try terminal.expect("i-3  Failed")
        try terminal.expect("AfterInstall ScriptFailed")
        try terminal.waitForPrompt()
        try terminal.enter("d")
        try terminal.expectLine("deployment d-000000001 (Failed)")
    }
}
