import Foundation
import Testing

/// The history through the built binary: deployments recorded by runs, listed, shown;
/// a damaged database reported without losing anything.
@Suite(.timeLimit(.minutes(5)))
struct HistoryTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    @Test func runsAreRecordedListedAndShown() throws {
        let sandbox = try Sandbox()
        for _ in 0..<2 {
            let run = try Pipes.run(sandbox.cutover([Self.root + "/examples/sim/waves-with-faults.lua"]))
            #expect(run.status == 0, "\(run)")
        }
        let listing = try Pipes.run(sandbox.cutover(["history", "--json"]))
        #expect(listing.status == 0, "\(listing)")
        let json = try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [String: Any]
        let deployments = json?["deployments"] as? [[String: Any]] ?? []
        // Two runs of three deployments each; the simulator's ids repeat, the keys do not.
        #expect(deployments.count == 6, "\(listing)")
        #expect(Set(deployments.compactMap { $0["key"] as? String }).count == 6)
        #expect(deployments.first?["id"] as? String == "d-000000003")
        #expect(deployments.first?["creator"] as? String == "codeDeployRollback")
        #expect((json?["sessions"] as? [[String: Any]])?.count == 2)
        let stopped = try #require(deployments.first { $0["status"] as? String == "Stopped" })
        #expect(stopped["error"] as? String == "ALARM_ACTIVE")

        let key = try #require(stopped["key"] as? String)
        let show = try Pipes.run(sandbox.cutover(["show", key]))
        #expect(show.status == 0, "\(show)")
        #expect(show.stdout.contains("Stopped (ALARM_ACTIVE)"), "\(show)")
        #expect(show.stdout.contains("alarm shop-5xx in ALARM"), "\(show)")
        // The recorded log as JSON lines: from its creation (at the simulator's clock) to its end.
        let lines = try Pipes.run(sandbox.cutover(["show", key, "--json"])).stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix(#"{"seq":0,"t":900000,"kind":"created"}"#) == true, "\(lines)")
        #expect(lines.contains { $0.contains(#""kind":"ended","status":"Stopped","error":"ALARM_ACTIVE""#) }, "\(lines)")
        #expect(lines.count == stopped["events"] as? Int)

        let text = try Pipes.run(sandbox.cutover(["history", "--limit", "2"]))
        #expect(text.stdout.split(separator: "\n").filter { $0.hasPrefix("d-") }.count == 2, "\(text)")
        let missing = try Pipes.run(sandbox.cutover(["show", "d-NOPE"]))
        #expect(missing.status == 1, "\(missing)")
        #expect(missing.stderr.contains("no deployment d-NOPE in the history"), "\(missing)")
    }

    /// Every recorded deployment of the examples replays identically; a counterfactual
    /// with OneAtATime instead of HalfAtATime on a recorded failure tells another story.
    @Test func replaysAreIdenticalAndCounterfactualsDiffer() throws {
        let sandbox = try Sandbox()
        for example in ["sim/waves-with-faults.lua", "sim/blue-green.lua", "lambda/canary.lua", "ecs/blue-green.lua", "asg/blue-green.lua"] {
            let run = try Pipes.run(sandbox.cutover(["run", "--provider", "sim", Self.root + "/examples/" + example]))
            #expect(run.status == 0, "\(example): \(run)")
        }
        let script = try sandbox.write("""
            local cutover = require "cutover"
            local cloud = cutover.sim { hosts = 8, tags = { env = "prod" } }
            cloud:fault { instance = 2, event = "AfterInstall" }
            local g = cutover.group { provider = cloud, name = "web", targets = { tags = { env = "prod" } },
                                      config = "CodeDeployDefault.HalfAtATime" }
            local d = g:deploy { revision = "v2" }
            print(d:wait(), d.id)
            """, to: "half.lua")
        let half = try Pipes.run(sandbox.cutover([script]))
        #expect(half.stdout.hasPrefix("Succeeded\td-000000001"), "\(half)")

        let listing = try Pipes.run(sandbox.cutover(["history", "--json", "--limit", "100"]))
        let json = try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [String: Any]
        let keys = (json?["deployments"] as? [[String: Any]] ?? []).compactMap { $0["key"] as? String }
        #expect(keys.count >= 10, "\(listing)")
        for key in keys {
            let replay = try Pipes.run(sandbox.cutover(["replay", key]))
            #expect(replay.status == 0 && replay.stdout.contains(": identical ("), "\(key): \(replay)")
        }
        let counterfactual = try Pipes.run(sandbox.cutover(["replay", try #require(keys.first), "--config", "CodeDeployDefault.OneAtATime"]))
        #expect(counterfactual.status == 0, "\(counterfactual)")
        #expect(counterfactual.stdout.contains("what happened:      Succeeded"), "\(counterfactual)")
        #expect(counterfactual.stdout.contains("what would have:    Failed (HEALTH_CONSTRAINTS)"), "\(counterfactual)")
    }

    /// Time travel: what `cutover.deployment(ID):at(t)` says of each instance is what
    /// the running deployment showed at t.
    @Test func timeTravelMatchesTheLiveState() throws {
        let sandbox = try Sandbox()
        let script = try sandbox.write("""
            local cutover = require "cutover"
            local cloud = cutover.sim { hosts = 6, tags = { env = "prod" } }
            cloud:fault { instance = 4, event = "ValidateService" }
            local g = cutover.group { provider = cloud, name = "web", targets = { tags = { env = "prod" } },
                                      config = "CodeDeployDefault.HalfAtATime" }
            local d = g:deploy { revision = "v2" }
            local live = {}
            for t = 5, 200, 15 do
              d:run_until(t)
              local s = {}
              for _, target in ipairs(d.targets) do s[target.id] = target.status end
              live[t] = s
            end
            d:wait()
            local r = cutover.deployment(d.id)
            local compared, differ = 0, 0
            for t, s in pairs(live) do
              local past = r:at(t)
              for id, status in pairs(s) do
                compared = compared + 1
                if past.targets[id].status ~= status then differ = differ + 1; print("differs", t, id, status, past.targets[id].status) end
              end
            end
            print("compared", compared, "differ", differ, r.status)
            """, to: "travel.lua")
        let result = try Pipes.run(sandbox.cutover([script]))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("compared\t84\tdiffer\t0\tSucceeded"), "\(result)")
    }

    /// Two recorded deployments compared: the same one is the same; HalfAtATime against
    /// OneAtATime with the same failure differs in status, batches and the instances skipped.
    @Test func diffComparesTwoRecordedDeployments() throws {
        let sandbox = try Sandbox()
        let script = try sandbox.write("""
            local cutover = require "cutover"
            local function run(name, config)
              local cloud = cutover.sim { hosts = 6, tags = { env = "prod" } }
              cloud:fault { instance = 2, event = "AfterInstall" }
              local g = cutover.group { provider = cloud, name = name, targets = { tags = { env = "prod" } }, config = config }
              local d = g:deploy { revision = "v2" }
              d:wait()
              return cutover.history { limit = 1 }[1].key
            end
            local half = cutover.deployment(run("half", "CodeDeployDefault.HalfAtATime"))
            local one = run("one", "CodeDeployDefault.OneAtATime")
            print("self", half:diff(half.key).same)
            local x = half:diff(one)
            local skipped = 0
            for _, p in pairs(x.targets) do if p[1] == "Succeeded" and p[2] == "Skipped" then skipped = skipped + 1 end end
            print("other", x.same, x.status[1], x.status[2], x.error[2], x.batches[1], x.batches[2], skipped)
            """, to: "diff.lua")
        let result = try Pipes.run(sandbox.cutover([script]))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("self\ttrue"), "\(result)")
        #expect(result.stdout.contains("other\tfalse\tSucceeded\tFailed\tHEALTH_CONSTRAINTS\t3\t2\t4"), "\(result)")
    }

    /// A prompt session is recorded with its inputs (secrets redacted) and its deployments.
    @Test func aPromptSessionIsRecorded() throws {
        let sandbox = try Sandbox()
        let terminal = try Terminal(sandbox.cutover())
        try terminal.waitForPrompt()
        for line in [
            "cutover = require 'cutover'",
            "token = 'secret123'",
            "nope()",
            "d = cutover.group { provider = cutover.sim { hosts = 2 }, name = 'web', targets = { hosts = { 'i-1', 'i-2' } } }:deploy { revision = 'v2' }",
            "d:wait()",
        ] {
            try terminal.enter(line)
            try terminal.waitForPrompt()
        }
        try terminal.enter(".exit")
        let listing = try Pipes.run(sandbox.cutover(["history", "--json"]))
        let json = try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [String: Any]
        let session = try #require((json?["sessions"] as? [[String: Any]])?.first, "\(listing)")
        #expect(session["kind"] as? String == "prompt")
        #expect(session["inputs"] as? Int == 5)
        #expect(session["deployments"] as? Int == 1)
        let database = sandbox.stateHome + "/cutover/history.sqlite"
        let dump = try Pipes.run(Invocation(executable: "/usr/bin/sqlite3", arguments: [database, "SELECT text, ok FROM inputs ORDER BY sequence"],
                                            environment: sandbox.environment, directory: sandbox.home, sandbox: sandbox))
        #expect(dump.stdout.contains("[REDACTED]"), "\(dump)")
        #expect(!dump.stdout.contains("secret123"), "\(dump)")
        #expect(dump.stdout.contains("nope()|0"), "\(dump)")

        // The session again, input by input: each ends as it did (the redacted one is said).
        let replay = try Pipes.run(sandbox.cutover(["replay", "--session", "\(session["id"] as? Int ?? 0)"]))
        #expect(replay.status == 0, "\(replay)")
        #expect(replay.stdout.contains("> d:wait()\n\"Succeeded\""), "\(replay)")
        #expect(replay.stdout.contains("input 2 was stored redacted"), "\(replay)")
        #expect(replay.stdout.contains("5 inputs replayed, each ended as recorded (but the redacted ones)"), "\(replay)")
        let sessions = try JSONSerialization.jsonObject(with: Data(try Pipes.run(sandbox.cutover(["history", "--json"])).stdout.utf8))
            as? [String: Any]
        #expect((sessions?["sessions"] as? [[String: Any]])?.first?["kind"] as? String == "replay")
    }

    /// `--state-dir DIR` moves the history (and all state) for a run and for the commands
    /// that read it; the default place is left alone.
    @Test func theStateDirectoryOptionMovesTheHistory() throws {
        let sandbox = try Sandbox()
        let run = try Pipes.run(sandbox.cutover(["--state-dir", "elsewhere", Self.root + "/examples/sim/one-at-a-time.lua"]))
        #expect(run.status == 0, "\(run)")
        #expect(FileManager.default.fileExists(atPath: sandbox.home + "/elsewhere/history.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: sandbox.stateHome + "/cutover/history.sqlite"))
        let moved = try Pipes.run(sandbox.cutover(["history", "--limit", "1", "--state-dir=elsewhere"]))
        #expect(moved.stdout.hasPrefix("d-000000001@1"), "\(moved)")
        let missing = try Pipes.run(sandbox.cutover(["history", "--state-dir"]))
        #expect(missing.status == 2 && missing.stderr.contains("--state-dir needs a directory"), "\(missing)")
        // A script's own arguments are not taken.
        let script = try sandbox.write("print(...)", to: "args.lua")
        let own = try Pipes.run(sandbox.cutover([script, "--state-dir", "x"]))
        #expect(own.stdout == "--state-dir\tx\n", "\(own)")
    }

    /// `replay ID --policy FILE`: the recorded policy from a file replays identically;
    /// another one gives its own story from the same outcomes; a file without a policy
    /// is a clear error.
    @Test func replaysWithAPolicyFromAFile() throws {
        let sandbox = try Sandbox()
        let run = try Pipes.run(sandbox.cutover([Self.root + "/examples/sim/waves-with-faults.lua"]))
        #expect(run.status == 0, "\(run)")
        let listing = try Pipes.run(sandbox.cutover(["history", "--json"]))
        let json = try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [String: Any]
        let deployments = json?["deployments"] as? [[String: Any]] ?? []
        let stopped = try #require(deployments.first { $0["status"] as? String == "Stopped" }?["key"] as? String)

        let same = try sandbox.write("""
            local cutover = require "cutover"
            cutover.policy("waves", function(r)
              r:deploy(r:pick(1))
              r:bake("5m", { alarms = { "shop-5xx" } })
              local wave = math.ceil(r:total() / 4)
              while r:remaining() > 0 do
                r:deploy(r:pick(wave))
                r:bake "2m"
              end
            end)
            """, to: "waves.lua")
        let again = try Pipes.run(sandbox.cutover(["replay", stopped, "--policy", same, "--json"]))
        #expect(again.status == 0, "\(again)")
        #expect(again.stdout.contains(#""policy":"waves","identical":true"#), "\(again)")

        // No canary bake: quarters one after the other, the policy returned by the file.
        let hasty = try sandbox.write("""
            return function(r)
              while r:remaining() > 0 do r:deploy(r:pick(3)) end
            end
            """, to: "hasty.lua")
        let other = try Pipes.run(sandbox.cutover(["replay", stopped, "--policy", hasty]))
        #expect(other.status == 0, "\(other)")
        #expect(other.stdout.contains("with policy (\(hasty)) from \(hasty) instead of its recorded steps of policy waves"), "\(other)")
        #expect(other.stdout.contains("what happened:      Stopped (ALARM_ACTIVE)"), "\(other)")
        // Done in four batches before the alarm went off at 2:00.
        #expect(other.stdout.contains("what would have:    Succeeded after 1:44, 4 batch(es); 12 succeeded"), "\(other)")
        // Under OneAtATime the same policy breaks the configuration's rule, and says so.
        let strict = try Pipes.run(sandbox.cutover(["replay", stopped, "--policy", hasty, "--config", "CodeDeployDefault.OneAtATime"]))
        #expect(strict.stdout.contains("because policy (\(hasty)): deploy asks for 3 instances at once"), "\(strict)")

        let none = try sandbox.write("x = 1", to: "none.lua")
        let refused = try Pipes.run(sandbox.cutover(["replay", stopped, "--policy", none]))
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stderr.contains("registers no policy"), "\(refused)")
        let broken = try sandbox.write("return function(r) r:deploy( end", to: "broken.lua")
        let syntax = try Pipes.run(sandbox.cutover(["replay", stopped, "--policy", broken]))
        #expect(syntax.status == 1 && syntax.stderr.contains("broken.lua:1:"), "\(syntax)")
    }

    /// The prompt's `.history` lists the recorded sessions and shows one's inputs;
    /// `.save FILE #S` writes a recorded session as a script that does it again.
    @Test func thePromptListsAndSavesRecordedSessions() throws {
        let sandbox = try Sandbox()
        let first = try Terminal(sandbox.cutover())
        try first.waitForPrompt()
        for line in ["x = 20", "nope()", "x + 1", "print('printed ' .. x)"] {
            try first.enter(line)
            try first.waitForPrompt()
        }
        try first.enter(".exit")
        #expect(try first.waitForExit() == 0)

        let second = try Terminal(sandbox.cutover())
        try second.waitForPrompt()
        try second.enter("y = 1")
        try second.waitForPrompt()
        try second.enter(".history")
        try second.expect("recorded sessions (newest first; .history #N shows one):")
        // This session (marked) and the first one, with their inputs counted.
        try second.expect("  * #2  ")
        try second.expect("    #1  ")
        try second.expect("prompt  sim  4 input(s)  0 deployment(s)")
        try second.waitForPrompt()
        try second.enter(".history #1")
        try second.expect("    2 ✗ nope()")
        try second.waitForPrompt()
        try second.enter(".save again.lua #1")
        try second.expect("saved 3 inputs to again.lua")
        try second.waitForPrompt()
        try second.enter(".history #99")
        try second.expect("no session #99")
        try second.waitForPrompt()
        try second.enter(".exit")
        #expect(try second.waitForExit() == 0)

        let script = try String(contentsOfFile: sandbox.home + "/again.lua", encoding: .utf8)
        #expect(script.contains("x = 20\nprint(x + 1)\nprint('printed ' .. x)\n"), "\(script)")
        let run = try Pipes.run(sandbox.cutover(["again.lua"]))
        #expect(run.status == 0 && run.stdout == "21\nprinted 20\n", "\(run)")
    }

    /// `r:why(n)`: the rule or the input behind an event.
    @Test func whyExplainsEvents() throws {
        let sandbox = try Sandbox()
        let script = try sandbox.write("""
            local cutover = require "cutover"
            local cloud = cutover.sim { hosts = 4, tags = { env = "prod" } }
            cloud:fault { instance = 3, event = "AfterInstall" }
            local g = cutover.group { provider = cloud, name = "web", targets = { tags = { env = "prod" } },
                                      config = "CodeDeployDefault.HalfAtATime" }
            local d = g:deploy { revision = "v2" }
            d:wait()
            local r = cutover.deployment(d.id)
            for i, e in ipairs(r.events) do
              if e.kind == "started" or e.kind == "batch" or (e.kind == "event_ended" and e.status == "Failed") then print(e.kind, r:why(i)) end
            end
            print(r:why(#r.events + 1))
            """, to: "why.lua")
        let result = try Pipes.run(sandbox.cutover([script]))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("started\tCodeDeployDefault.HalfAtATime over 4 target(s): minimum healthy hosts 2, at most 2 at a time"), "\(result)")
        #expect(result.stdout.contains("batch\tCodeDeployDefault.HalfAtATime: the next 2 target(s) in scheduling order"), "\(result)")
        #expect(result.stdout.contains("event_ended\tthe provider reported AfterInstall on i-3 Failed (ScriptFailed)"), "\(result)")
        #expect(result.stdout.contains("there is no event #"), "\(result)")
    }

    @Test func aDamagedDatabaseIsReportedAndKept() throws {
        let sandbox = try Sandbox()
        let path = sandbox.stateHome + "/cutover/history.sqlite"
        try sandbox.write(String(repeating: "not a database ", count: 300), to: path)
        let before = FileManager.default.contents(atPath: path)
        let listing = try Pipes.run(sandbox.cutover(["history"]))
        #expect(listing.status == 1, "\(listing)")
        #expect(listing.stderr.contains("history database \(path)"), "\(listing)")
        #expect(listing.stderr.contains("not a Cutover history database"), "\(listing)")
        // Deployments still run; the history says once that it records nothing.
        let run = try Pipes.run(sandbox.cutover([Self.root + "/examples/sim/one-at-a-time.lua", "log.jsonl"]))
        #expect(run.status == 0, "\(run)")
        #expect(run.stderr.contains("deployments are not recorded"), "\(run)")
        #expect(FileManager.default.contents(atPath: path) == before)
    }
}
