import Testing
@testable import CutoverCore

/// Every worked example of reference §7.2 and §6.1.
@Suite struct MinimumHealthyTests {
    struct Example: Sendable, CustomTestStringConvertible {
        let hosts: Int
        let rule: MinimumHealthyHosts
        let minimum: Int
        let batch: Int
        var testDescription: String { "\(rule) over \(hosts)" }
    }

    @Test(arguments: [
        Example(hosts: 9, rule: .fleetPercent(50), minimum: 5, batch: 4),   // HalfAtATime: 4 at a time, need ≥ 5
        Example(hosts: 9, rule: .hostCount(6), minimum: 6, batch: 3),       // 3 at a time, need ≥ 6
        Example(hosts: 9, rule: .fleetPercent(40), minimum: 4, batch: 5),   // 5 at a time, need ≥ 4
        Example(hosts: 10, rule: .hostCount(9), minimum: 9, batch: 1),      // one at a time
        Example(hosts: 10, rule: .hostCount(8), minimum: 8, batch: 2),      // two at a time
        Example(hosts: 10, rule: .hostCount(0), minimum: 0, batch: 10),     // all at once
        Example(hosts: 10, rule: .fleetPercent(0), minimum: 0, batch: 10),  // AllAtOnce
        Example(hosts: 10, rule: .oneAtATime, minimum: 9, batch: 1),
        Example(hosts: 1, rule: .oneAtATime, minimum: 0, batch: 1),
        Example(hosts: 10, rule: .fleetPercent(95), minimum: 10, batch: 1), // rounds up to all 10
        Example(hosts: 3, rule: .fleetPercent(1), minimum: 1, batch: 2),    // any fraction rounds up
    ])
    func floorAndBatch(_ e: Example) {
        let m = MinimumHealthy.floor(for: e.hosts, e.rule)
        #expect(m == e.minimum)
        #expect(MinimumHealthy.batchSize(for: e.hosts, minimum: m) == e.batch)
    }

    @Test func startNeedsMoreHealthyThanTheFloor() {
        #expect(!MinimumHealthy.canStart(healthy: 10, total: 10, .fleetPercent(95)))
        #expect(MinimumHealthy.canStart(healthy: 10, total: 10, .fleetPercent(50)))
        #expect(!MinimumHealthy.canStart(healthy: 5, total: 9, .fleetPercent(50)))
        #expect(MinimumHealthy.canStart(healthy: 6, total: 9, .fleetPercent(50)))
        #expect(!MinimumHealthy.canStart(healthy: 3, total: 3, .hostCount(3)))
        #expect(MinimumHealthy.canStart(healthy: 0, total: 4, .oneAtATime))
        #expect(!MinimumHealthy.canStart(healthy: 0, total: 0, .oneAtATime))
    }

    @Test func successNeedsTheFloorAndAtLeastOne() {
        #expect(MinimumHealthy.succeeded(1, minimum: 0))
        #expect(!MinimumHealthy.succeeded(0, minimum: 0))
        #expect(MinimumHealthy.succeeded(5, minimum: 5))
        #expect(!MinimumHealthy.succeeded(4, minimum: 5))
    }

    @Test func rangesAreChecked() {
        #expect(throws: CoreError.self) { try MinimumHealthyHosts.fleetPercent(100).validate() }
        #expect(throws: CoreError.self) { try MinimumHealthyHosts.fleetPercent(-1).validate() }
        #expect(throws: CoreError.self) { try MinimumHealthyHosts.hostCount(-2).validate() }
        #expect(throws: Never.self) { try MinimumHealthyHosts.fleetPercent(99).validate() }
    }
}

@Suite struct BatchPlanTests {
    private func fleet(_ n: Int) -> [TargetDescription] {
        (1...n).map { TargetDescription(id: "i-\($0)") }
    }

    @Test func halfAtATimeOverNine() throws {
        let plan = try BatchPlan.plan(targets: fleet(9), rule: .fleetPercent(50))
        #expect(plan.minimumHealthyHosts == 5)
        #expect(plan.batches == [["i-1", "i-2", "i-3", "i-4"], ["i-5", "i-6", "i-7", "i-8"], ["i-9"]])
    }

    @Test func unhealthyFirstThenUnknownOldCurrent() throws {
        var targets = [
            TargetDescription(id: "current", revision: "v2"),
            TargetDescription(id: "old", revision: "v1"),
            TargetDescription(id: "new"),
            TargetDescription(id: "sick", health: .unhealthy, revision: "v2"),
        ]
        targets.append(TargetDescription(id: "new-2"))
        let plan = try BatchPlan.plan(targets: targets, rule: .oneAtATime, currentRevision: "v2")
        #expect(plan.batches.flatMap { $0 } == ["sick", "new", "new-2", "old", "current"])
    }

    @Test func healthConstraintsInvalidAtStart() {
        func code(_ body: () throws -> Void) -> DeploymentErrorCode? {
            do { try body() } catch { if case .deployment(let c, _)? = error as? CoreError { return c } }
            return nil
        }
        #expect(code { _ = try BatchPlan.plan(targets: fleet(10), rule: .fleetPercent(95)) } == .healthConstraintsInvalid)
        var sick = fleet(9)
        for i in 0..<4 { sick[i].health = .unhealthy }
        #expect(code { _ = try BatchPlan.plan(targets: sick, rule: .fleetPercent(50)) } == .healthConstraintsInvalid)
        #expect(code { _ = try BatchPlan.plan(targets: [], rule: .oneAtATime) } == .noInstances)
    }
}

@Suite struct TrafficScheduleTests {
    @Test func canaryLinearAllAtOnce() {
        #expect(TrafficSchedule.steps(for: .allAtOnce).map(\.weight) == [100])
        let canary = TrafficSchedule.steps(for: .timeBasedCanary(percent: 10, intervalMinutes: 5))
        #expect(canary == [.init(atSeconds: 0, weight: 10), .init(atSeconds: 300, weight: 100)])
        let linear = TrafficSchedule.steps(for: .timeBasedLinear(percent: 10, intervalMinutes: 1))
        #expect(linear.count == 10)
        #expect(linear.first == .init(atSeconds: 0, weight: 10))
        #expect(linear.last == .init(atSeconds: 540, weight: 100))
        let uneven = TrafficSchedule.steps(for: .timeBasedLinear(percent: 30, intervalMinutes: 2))
        #expect(uneven.map(\.weight) == [30, 60, 90, 100])
        #expect(uneven.map(\.atSeconds) == [0, 120, 240, 360])
    }

    @Test func rangesAreChecked() {
        #expect(throws: CoreError.self) { try TrafficRouting.timeBasedCanary(percent: 0, intervalMinutes: 5).validate() }
        #expect(throws: CoreError.self) { try TrafficRouting.timeBasedLinear(percent: 100, intervalMinutes: 5).validate() }
        #expect(throws: CoreError.self) { try TrafficRouting.timeBasedLinear(percent: 1, intervalMinutes: 30).validate() }
        #expect(throws: Never.self) { try TrafficRouting.timeBasedLinear(percent: 10, intervalMinutes: 10).validate() }
    }
}
