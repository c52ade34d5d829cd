import Foundation
import Testing
@testable import CutoverLocal

/// Tasks as real processes: restarted when they die, failures reported as CodeDeploy's
/// ECS_UPDATE_ERROR with their cause, stopped with the daemon and started again by the next.
@Suite(.serialized) struct ServicesTaskSupervisionTests {
    @Test func aKilledTaskIsRestartedOnANewPortAndTheSetTurnsHealthyAgain() async throws {
        try await ServiceHarness.with { h in
            let service = try await h.stableService("v1")
            let victim = try #require(service.primary?.tasks.first)
            let pid = try #require(victim.pid)
            #expect(kill(pid, SIGKILL) == 0)

            // Generous: with the whole suite running on 2 cores a python task can take
            // seconds to start again (once measured at over 10 s).
            let recovered = await h.eventually(within: 60) { () -> Control.TaskSet? in
                let set = try await h.service().primary
                guard let set, set.healthy == 2, let task = set.tasks.first(where: { $0.id == victim.id }),
                      task.pid != pid, task.restarts == 1 else { return nil }
                return set
            }
            let set = try #require(recovered, "the killed task was not restarted and healthy within 60 s")
            #expect(set.failure?.contains("exited with status 137") == true, "\(set.failure ?? "")")
            #expect(!ServiceHarness.isAlive(pid))
            #expect(await h.answers(service.port, count: 10) == ["v1": 10])
        }
    }

    @Test func aCommandThatDoesNotExistFailsWaitStableAtOnce() async throws {
        try await ServiceHarness.with { h in
            _ = try await h.stableService("v1", desired: 1)
            let broken = try await h.register("v2", command: ["no-such-cmd-cutover", "--serve"])
            let replacement = try await h.createTaskSet(definition: broken.reference)
            #expect(replacement.failure?.contains("cannot start") == true)

            let started = Date()
            let failure = await h.rejection { try await h.waitStable(replacement.id, timeoutMilliseconds: 30_000) }
            #expect(Date().timeIntervalSince(started) < 5, "the exec failure should be reported at once, not at the timeout")
            #expect(failure?.status == 400)
            #expect(failure?.problem.code == "ECS_UPDATE_ERROR")
            #expect(failure?.problem.error == "task definition web:2: command 'no-such-cmd-cutover' cannot start: No such file or directory")
        }
    }

    @Test func aTaskThatKeepsExitingFailsWaitStableWithItsOutput() async throws {
        try await ServiceHarness.with { h in
            _ = try await h.stableService("v1", desired: 1)
            let crashing = try await h.register("v2", command: ["python3", "-c", "import sys; sys.stderr.write('boom: no config\\n'); sys.exit(3)"])
            let replacement = try await h.createTaskSet(definition: crashing.reference)

            let started = Date()
            let failure = await h.rejection { try await h.waitStable(replacement.id, timeoutMilliseconds: 30_000) }
            #expect(Date().timeIntervalSince(started) < 15)
            #expect(failure?.problem.code == "ECS_UPDATE_ERROR")
            let message = failure?.problem.error ?? ""
            #expect(message.contains("task exited with status 3 three times"), "\(message)")
            #expect(message.contains("boom: no config"), "\(message)")
        }
    }

    @Test func waitStableTimesOutWhenTasksNeverTurnHealthy() async throws {
        try await ServiceHarness.with { h in
            _ = try await h.stableService("v1", desired: 1)
            // Runs, but never listens on its port.
            let silent = try await h.register("v2", command: ["sleep", "30"])
            let replacement = try await h.createTaskSet(definition: silent.reference)
            let failure = await h.rejection { try await h.waitStable(replacement.id, timeoutMilliseconds: 700) }
            #expect(failure?.problem.code == "ECS_UPDATE_ERROR")
            #expect(failure?.problem.error.contains("did not become stable within 700 ms: 1 of 1 task(s) running, 0 healthy") == true,
                    "\(failure?.problem.error ?? "")")
        }
    }

    @Test func stoppingTheDaemonStopsTasksAndTheNextDaemonStartsThemAgain() async throws {
        try await ServiceHarness.with { h in
            let service = try await h.stableService("v1", desired: 1)
            let pid = try #require(service.primary?.tasks.first?.pid)
            #expect(await h.stop() >= 1)
            #expect(!ServiceHarness.isAlive(pid))
            #expect(await h.get(service.port) == nil)

            let paths = h.paths
            let next = try await ServiceHarness.offPool { try LocalDaemon.start(paths: paths) }
            let client = ControlClient(port: next.port)
            let restored = await h.eventually { () -> Control.Service? in
                let restored = try await ServiceHarness.offPool { try client.get("/v1/services/web", as: Control.Service.self) }
                return restored.primary?.healthy == 1 ? restored : nil
            }
            let answers = await h.answers(service.port, count: 5)
            _ = try? await ServiceHarness.offPool { next.stop() }
            let again = try #require(restored, "the restarted daemon did not bring the service back within 10 s")
            #expect(again.port == service.port && again.primary?.id == service.primary?.id)
            let newPID = try #require(again.primary?.tasks.first?.pid)
            #expect(newPID != pid)
            #expect(answers == ["v1": 5])
            #expect(!ServiceHarness.isAlive(newPID), "the second daemon's stop should stop the restored task")
        }
    }
}
