import CutoverCore
import Foundation
import Testing
@testable import CutoverLocal

/// A lifecycle event runs once per deployment, host and event: a second request (an
/// orchestrator resuming after it was killed) waits for the first and gets its result.
@Suite struct LifecycleRunsTests {
    final class Counter: @unchecked Sendable {
        let lock = NSLock()
        var runs = 0
        func add() { lock.withLock { runs += 1 } }
    }

    @Test func aRepeatedRequestWaitsForTheRunAndGetsItsResult() async throws {
        let runs = LifecycleRuns()
        let counter = Counter()
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let results = ResultBox()
        let a = Thread {
            results.set(0, runs.once("d-1 web-1 Install") {
                counter.add()
                started.signal()
                release.wait()
                return .init(status: .succeeded, error: .success, message: "copied")
            })
        }
        a.start()
        started.wait()
        let b = Thread {
            results.set(1, runs.once("d-1 web-1 Install") {
                counter.add()
                return .init(status: .failed, error: .scriptFailed, message: "ran twice")
            })
        }
        b.start()
        usleep(50_000)   // b waits for a's run; if it ran its own, the count would show it
        #expect(counter.runs == 1)
        release.signal()
        try await results.both()
        #expect(counter.runs == 1)
        #expect(results.values[0]?.message == "copied" && results.values[1]?.message == "copied")

        // Another event, host or deployment runs.
        _ = runs.once("d-1 web-2 Install") { counter.add(); return .init(status: .succeeded, error: .success, message: "") }
        _ = runs.once("d-2 web-1 Install") { counter.add(); return .init(status: .succeeded, error: .success, message: "") }
        #expect(counter.runs == 3)
    }

    final class ResultBox: @unchecked Sendable {
        let lock = NSLock()
        var values: [Control.LifecycleResult?] = [nil, nil]
        func set(_ i: Int, _ r: Control.LifecycleResult) { lock.withLock { values[i] = r } }
        func both() async throws {
            for _ in 0..<500 where lock.withLock({ values.contains { $0 == nil } }) { try await Task.sleep(for: .milliseconds(10)) }
        }
    }
}
