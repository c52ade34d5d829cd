import CutoverCore
import Foundation
import Testing
@testable import CutoverLocal

/// Real scripts, real processes: what the agent does with hooks.
@Suite(.serialized) struct HookRunnerTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "cutover-hooks-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/archive/scripts", withIntermediateDirectories: true)
    }

    private func script(_ name: String, _ body: String, executable: Bool = true) throws {
        let path = directory + "/archive/scripts/" + name
        try body.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: path)
    }

    private func run(_ scripts: [HookScript], event: LifecycleEvent = .applicationStart) -> HookOutcome {
        var runner = HookRunner()
        runner.outputGrace = .milliseconds(500)
        runner.killGrace = .milliseconds(500)
        return runner.run(HookInvocation(
            event: event, scripts: scripts, archive: directory + "/archive",
            environment: ["LIFECYCLE_EVENT": event.rawValue, "DEPLOYMENT_ID": "d-000000001", "CUTOVER_HOST_PORT": "18080"],
            workingDirectory: directory, logPath: directory + "/logs/scripts.log"))
    }

    private var log: String { (try? String(contentsOfFile: directory + "/logs/scripts.log", encoding: .utf8)) ?? "" }

    @Test func runsScriptsInOrderWithTheAgentsEnvironment() throws {
        try script("one.sh", "#!/bin/sh\necho \"event=$LIFECYCLE_EVENT id=$DEPLOYMENT_ID port=$CUTOVER_HOST_PORT\"\necho oops >&2\n")
        try script("two.sh", "#!/bin/sh\npwd\n")
        let outcome = run([HookScript(location: "scripts/one.sh"), HookScript(location: "/scripts/two.sh")])
        #expect(outcome.status == .succeeded)
        #expect(log.contains("LifecycleEvent - ApplicationStart"))
        #expect(log.contains("[stdout]event=ApplicationStart id=d-000000001 port=18080"))
        #expect(log.contains("[stderr]oops"))
        #expect(log.contains("[stdout]" + directory))
        let one = log.range(of: "Script - scripts/one.sh")!, two = log.range(of: "Script - /scripts/two.sh")!
        #expect(one.lowerBound < two.lowerBound)
    }

    @Test func failureStopsTheEventWithTheExitCodeAndTheTail() throws {
        try script("fail.sh", "#!/bin/sh\necho 'migrating…'\necho 'database is locked' >&2\nexit 3\n")
        try script("never.sh", "#!/bin/sh\ntouch \"$0.ran\"\n")
        let outcome = run([HookScript(location: "scripts/fail.sh"), HookScript(location: "scripts/never.sh")])
        #expect(outcome.status == .failed)
        #expect(outcome.error == .scriptFailed)
        #expect(outcome.scriptName == "scripts/fail.sh")
        #expect(outcome.message.contains("failed with exit code 3"))
        #expect(outcome.logTail.contains("database is locked"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/archive/scripts/never.sh.ran"))
    }

    @Test func missingAndNotExecutable() throws {
        #expect(run([HookScript(location: "scripts/absent.sh")]).error == .scriptMissing)
        try script("plain.sh", "#!/bin/sh\nexit 0\n", executable: false)
        #expect(run([HookScript(location: "scripts/plain.sh")]).status == .succeeded) // made executable, as the agent does
        try script("noshebang.sh", "echo hi\n")
        let outcome = run([HookScript(location: "scripts/noshebang.sh")])
        #expect(outcome.error == .scriptNotExecutable)
        #expect(outcome.message.contains("#!"))
    }

    @Test func timeoutKillsTheWholeProcessGroup() throws {
        try script("hang.sh", "#!/bin/sh\nsleep 300 > /dev/null 2>&1 &\necho $! > \"$0.child\"\nsleep 300\n")
        let outcome = run([HookScript(location: "scripts/hang.sh", timeout: .seconds(1))])
        #expect(outcome.error == .scriptTimedOut)
        #expect(outcome.message.contains("failed to complete in 1 seconds"))
        let child = try String(contentsOfFile: directory + "/archive/scripts/hang.sh.child", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let alive = ProcessTable.entries().contains { String($0.pid) == child && $0.state != "Z" }
        #expect(!alive, "background child \(child) survived the timeout")
        #expect(log.contains("timed out after 1 seconds"))
    }

    @Test func backgroundProcessesSurviveTheHookAndAreReported() throws {
        try script("start.sh", "#!/bin/sh\nsleep 300 > /dev/null 2>&1 &\necho started\n")
        let outcome = run([HookScript(location: "scripts/start.sh")])
        #expect(outcome.status == .succeeded)
        #expect(outcome.backgroundGroups.count == 1)
        let group = outcome.backgroundGroups[0]
        #expect(!ProcessTable.members(ofGroup: group).isEmpty)
        kill(-group, SIGKILL)
    }

    @Test func aBackgroundProcessHoldingTheOutputFailsTheEvent() throws {
        try script("leaky.sh", "#!/bin/sh\nsleep 300 &\necho started\n")
        let outcome = run([HookScript(location: "scripts/leaky.sh")])
        #expect(outcome.error == .outputsLeftOpen)
        #expect(outcome.message.contains("2>&1 &"))
        for group in outcome.backgroundGroups { kill(-group, SIGKILL) }
    }
}
