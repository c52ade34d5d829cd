import Foundation
import Testing
@testable import CutoverLocal

/// ECS-style blue/green on the local cloud: real task processes behind the daemon's load
/// balancer, a replacement task set, test traffic, weighted production traffic, promote
/// and rollback.
@Suite(.serialized) struct ServicesBlueGreenTests {
    @Test func taskDefinitionsGetARevisionPerFamilyAndUnknownNamesAre404() async throws {
        try await ServiceHarness.with { h in
            let first = try await h.register("v1")
            let second = try await h.register("v2")
            let other = try await h.register("v1", family: "api")
            #expect([first.revision, second.revision, other.revision] == [Int]([1, 2, 1]))
            #expect(second.arn == "arn:cutover:ecs:local:task-definition/web:2")
            #expect(second.containerPortEnv == "PORT" && second.healthPath == "/health")
            let fetched: Control.TaskDefinition = try await h.get("/v1/task-definitions/web:1")
            #expect(fetched == first)
            let byARN: Control.TaskDefinition = try await h.get("/v1/task-definitions/" + second.arn)
            #expect(byARN == second)

            let missing = await h.rejection { _ = try await h.service("nope") }
            #expect(missing?.status == 404)
            #expect(missing?.problem.code == "ServiceNotFoundException")
            let unknownDefinition = await h.rejection { _ = try await h.createService(definition: "web:9") }
            #expect(unknownDefinition?.status == 404)
            #expect(unknownDefinition?.problem.error.contains("web:9") == true)
            let badBody = await h.rejection {
                let _: Control.Service = try await h.send("POST", "/v1/services", ["name": "web"])
            }
            #expect(badBody?.status == 400)
            #expect(badBody?.problem.error.hasPrefix("bad body for POST /v1/services: \"") == true, "\(badBody?.problem.error ?? "")")
            #expect(badBody?.problem.error.hasSuffix("\" is missing") == true, "\(badBody?.problem.error ?? "")")
        }
    }

    @Test func productionServesThePrimaryTaskSet() async throws {
        try await ServiceHarness.with { h in
            let service = try await h.stableService("v1")
            let primary = try #require(service.primary)
            #expect(primary.targetGroup == "svc-web-blue")
            #expect(primary.status == .primary && primary.running == 2 && primary.healthy == 2 && primary.trafficWeight == 100)
            #expect(service.production == ["svc-web-blue": 100])
            #expect(service.testTargetGroup == "svc-web-blue")
            #expect(await h.answers(service.port, count: 10) == ["v1": 10])
            #expect(await h.answers(try #require(service.testPort), count: 5) == ["v1": 5])
            // Each task: its own port in PORT, its ids, and the marker that finds stragglers.
            #expect(Set(primary.tasks.compactMap(\.port)).count == 2)
            for task in primary.tasks {
                let environment = ServiceHarness.environment(of: try #require(task.pid))
                #expect(environment["PORT"] == task.port.map(String.init))
                #expect(environment["CUTOVER_TASK_ID"] == task.id)
                #expect(environment["CUTOVER_TASK_SET"] == primary.id)
                #expect(environment["CUTOVER_HOST_ROOT"] == h.paths.root + "/services")
            }
        }
    }

    @Test func theReplacementAnswersOnTheTestListenerWhileProductionStaysOnTheOriginal() async throws {
        try await ServiceHarness.with { h in
            let service = try await h.stableService("v1")
            let v2 = try await h.register("v2")
            let replacement = try await h.createTaskSet(definition: v2.reference)
            #expect(replacement.status == .active && replacement.targetGroup == "svc-web-green" && replacement.trafficWeight == 0)
            let stability = try await h.waitStable(replacement.id)
            #expect(stability.stable && stability.taskSet.healthy == 2)

            let routed = try await h.routeTest(to: .replacement)
            #expect(routed.testTargetGroup == "svc-web-green")
            #expect(routed.production == ["svc-web-blue": 100, "svc-web-green": 0])
            #expect(await h.answers(try #require(service.testPort), count: 10) == ["v2": 10])
            #expect(await h.answers(service.port, count: 10) == ["v1": 10])

            // One replacement at a time.
            let second = await h.rejection { _ = try await h.createTaskSet(definition: v2.reference) }
            #expect(second?.status == 400)
            #expect(second?.problem.error.contains("already has a replacement task set \(replacement.id)") == true)
        }
    }

    @Test func productionSplitsExactlyByTheReplacementWeight() async throws {
        try await ServiceHarness.with { h in
            let service = try await h.stableService("v1")
            let replacement = try await h.createTaskSet(definition: try await h.register("v2").reference)
            try await h.waitStable(replacement.id)

            let half = try await h.shift(to: 50)
            #expect(half.production == ["svc-web-blue": 50, "svc-web-green": 50])
            #expect(half.replacement?.trafficWeight == 50 && half.primary?.trafficWeight == 50)
            // The listener's weighted round robin is deterministic: 100 of 200, within 2 points.
            let split = await h.answers(service.port, count: 200)
            #expect(split["nil"] == nil)
            #expect(abs((split["v2"] ?? 0) - 100) <= 4, "\(split)")

            try await h.shift(to: 10)
            let canary = await h.answers(service.port, count: 200)
            #expect(abs((canary["v2"] ?? 0) - 20) <= 4, "\(canary)")

            let out = await h.rejection { try await h.shift(to: 101) }
            #expect(out?.status == 400)
        }
    }

    @Test func promotingMovesAllTrafficAndStopsTheOriginalTasks() async throws {
        try await ServiceHarness.with { h in
            let service = try await h.stableService("v1")
            let originalPIDs = try #require(service.primary).tasks.compactMap(\.pid)
            #expect(originalPIDs.count == 2)
            let replacement = try await h.createTaskSet(definition: try await h.register("v2").reference)
            try await h.waitStable(replacement.id)
            try await h.shift(to: 50)

            let promoted = try await h.promote(replacement.id)
            #expect(promoted.taskSets.count == 1)
            let primary = try #require(promoted.primary)
            #expect(primary.id == replacement.id && primary.taskDefinition == "web:2" && primary.targetGroup == "svc-web-green")
            #expect(promoted.production == ["svc-web-green": 100])
            #expect(promoted.testTargetGroup == "svc-web-green")
            #expect(await h.answers(service.port, count: 20) == ["v2": 20])
            #expect(await h.answers(try #require(service.testPort), count: 5) == ["v2": 5])
            for pid in originalPIDs { #expect(!ServiceHarness.isAlive(pid), "v1 task \(pid) still exists") }

            // The next replacement goes to the group the primary does not use: blue again.
            let next = try await h.createTaskSet(definition: try await h.register("v3").reference)
            #expect(next.targetGroup == "svc-web-blue")
            let again = await h.rejection { _ = try await h.promote(primary.id) }
            #expect(again?.status == 400)
        }
    }

    @Test func deletingTheReplacementRollsEverythingBackToTheOriginal() async throws {
        try await ServiceHarness.with { h in
            let service = try await h.stableService("v1")
            let replacement = try await h.createTaskSet(definition: try await h.register("v2").reference)
            let stable = try await h.waitStable(replacement.id)
            let replacementPIDs = stable.taskSet.tasks.compactMap(\.pid)
            try await h.routeTest(to: .replacement)
            try await h.shift(to: 50)
            #expect(Set(await h.answers(service.port, count: 10).keys) == ["v1", "v2"])

            let rolledBack: Control.Service = try await h.delete("/v1/services/web/task-sets/\(replacement.id)")
            #expect(rolledBack.taskSets.map(\.taskDefinition) == ["web:1"])
            #expect(rolledBack.production == ["svc-web-blue": 100])
            #expect(rolledBack.testTargetGroup == "svc-web-blue")
            #expect(await h.answers(service.port, count: 20) == ["v1": 20])
            #expect(await h.answers(try #require(service.testPort), count: 5) == ["v1": 5])
            for pid in replacementPIDs { #expect(!ServiceHarness.isAlive(pid), "v2 task \(pid) still exists") }

            // The primary cannot be deleted on its own; test traffic needs a replacement.
            let primaryID = try #require(rolledBack.primary).id
            let deletePrimary = await h.rejection {
                let _: Control.Service = try await h.delete("/v1/services/web/task-sets/\(primaryID)")
            }
            #expect(deletePrimary?.status == 400)
            let noReplacement = await h.rejection { try await h.routeTest(to: .replacement) }
            #expect(noReplacement?.problem.error.contains("no replacement") == true)
        }
    }

    @Test func deletingTheServiceStopsItsTasksAndListeners() async throws {
        try await ServiceHarness.with { h in
            let service = try await h.stableService("v1")
            let pids = try #require(service.primary).tasks.compactMap(\.pid)
            let deleted: Control.DeletedService = try await h.delete("/v1/services/web")
            #expect(deleted.stopped == 2)
            for pid in pids { #expect(!ServiceHarness.isAlive(pid)) }
            #expect(await h.get(service.port) == nil)
            #expect(await h.rejection { _ = try await h.service() }?.status == 404)
            // The name and its target groups are free again.
            let again = try await h.createService(definition: "web:1", desired: 1)
            #expect(again.primary?.targetGroup == "svc-web-blue")
        }
    }
}
