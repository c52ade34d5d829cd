import CutoverLoadBalancer
import Synchronization
import Testing

/// An in-place rollout as CodeDeploy runs one against a load balancer: one target at a
/// time is deregistered (drained), its process stopped and started again, registered,
/// and waited on until healthy, while clients keep sending requests. Two rounds, so
/// every target also leaves and rejoins while the others are freshly restarted.
@Suite struct RolloutTests {
    @Test func noFailedRequestsDuringAnInPlaceRollout() async throws {
        try await withFixture(backends: ["A", "B", "C"]) { fx in
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .fast)
            for backend in fx.backends {
                try group.register(Target(port: backend.port))
                try await group.waitUntilHealthy(Target(port: backend.port), timeout: .seconds(20))
            }
            let listener = try await fx.lb.createListener(port: 0, action: .forward(group))

            let done = Flag()
            let failures = Locked<[String]>([])
            let served = Locked<[String: Int]>([:])
            let clients = (0..<3).map { _ in
                Task {
                    let client = try await TestClient.connect(port: listener.port)
                    var requests = 0
                    while !done.isSet && requests < 200_000 {  // bounded even if the rollout hangs
                        requests += 1
                        do {
                            let response = try await client.get("/")
                            if response.status == 200 {
                                served.withLock { $0[response.body, default: 0] += 1 }
                            } else {
                                failures.withLock { $0.append("status \(response.status): \(response.body)") }
                            }
                        } catch {
                            failures.withLock { $0.append("\(error)") }
                        }
                    }
                    await client.close()
                    return requests
                }
            }

            var servedBeforeRestart: [Int] = []
            let rounds = 2
            for backend in Array(repeating: fx.backends, count: rounds).joined() {
                let target = Target(port: backend.port)
                #expect(try await group.deregister(target, drainTimeout: .seconds(30)) == .drained)
                try await backend.stop()
                servedBeforeRestart.append(backend.requests)
                try await backend.restart()
                try group.register(target)
                try await group.waitUntilHealthy(target, timeout: .seconds(20))
            }
            done.set()
            var total = 0
            for client in clients { total += try await client.value }

            #expect(failures.withLock { $0 } == [])
            #expect(total > 0)
            #expect(group.metrics().responses5xx == 0)
            // Each restarted backend took traffic again while the next one was rolled.
            for (backend, before) in zip(Array(repeating: fx.backends, count: rounds).joined(), servedBeforeRestart).dropLast() {
                #expect(backend.requests > before, "\(backend.name) got no traffic after its restart")
            }
            #expect(Set(served.withLock { $0.keys }) == ["A", "B", "C"])
        }
    }
}
