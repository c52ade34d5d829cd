import CutoverLoadBalancer
import Testing

@Suite struct ClientBehaviourTests {
    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withFixture(backends: ["A", "B"]) { fx in
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .rare)
            try group.register(fx.target("A"), initiallyHealthy: true)
            try group.register(fx.target("B"), initiallyHealthy: true)
            let listener = try await fx.lb.createListener(port: 0, action: .forward(group))
            let client = try await TestClient.connect(port: listener.port)
            // Sent back to back on one connection without waiting for answers.
            async let first = client.get("/bytes/100000")
            async let second = client.get("/")
            async let third = client.get("/bytes/3")
            let (a, b, c) = try await (first, second, third)
            // Each answer is its own request's (async let starts the three in any order,
            // so which backend answered "/" depends on that order).
            #expect(a.body.count == 100_000)
            #expect(b.body == "A" || b.body == "B")
            #expect(c.body == "xxx")
            await client.close()
        }
    }

    @Test func clientLeavingMidRequestReleasesTheTarget() async throws {
        try await withFixture(backends: ["A"]) { fx in
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .rare)
            try group.register(fx.target("A"), initiallyHealthy: true)
            let listener = try await fx.lb.createListener(port: 0, action: .forward(group))
            let client = try await TestClient.connect(port: listener.port)
            let abandoned = Task { try await client.get("/slow") }
            try await fx.backend("A").slowRequestsArrived()
            #expect(group.metrics().inFlight == 1)
            await client.close()
            _ = await abandoned.result
            // The upstream connection is in an unknown state, so it is closed, not pooled.
            try await fx.backend("A").trafficConnectionsClosed(1)
            let metrics = group.metrics()
            #expect(metrics.inFlight == 0)
            #expect(metrics.clientAborts == 1)
            // Nothing is left in flight, so the target drains at once.
            #expect(try await group.deregister(fx.target("A"), drainTimeout: .seconds(30)) == .drained)
        }
    }
}
