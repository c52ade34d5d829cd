import CutoverLoadBalancer
import Testing

@Suite struct UpstreamPoolingTests {
    @Test func idleUpstreamConnectionsAreClosedAfterTheIdleTimeout() async throws {
        var configuration = LoadBalancer.Configuration()
        configuration.upstreamIdleTimeout = .milliseconds(100)
        let lb = LoadBalancer(threads: 1, configuration: configuration)
        let backend = try await TestBackend.start("A")
        let group = try lb.createTargetGroup(name: "web", healthCheck: .rare)
        try group.register(Target(port: backend.port), initiallyHealthy: true)
        let listener = try await lb.createListener(port: 0, action: .forward(group))
        let client = try await TestClient.connect(port: listener.port)

        // One request, so the pool holds one connection whatever the timing (reuse
        // within the timeout is covered by the keep-alive tests, with the default timeout).
        #expect(try await client.get("/").body == "A")
        #expect(backend.trafficConnections == 1)
        try await backend.trafficConnectionsClosed(1)  // closed by the balancer's idle sweep
        #expect(await lb.idleUpstreamConnections() == 0)
        #expect(try await client.get("/").body == "A")
        #expect(backend.trafficConnections == 2)

        await client.close()
        await lb.shutdown()
        try await backend.stop()
    }

    @Test func rejectedRequestWaitingForContinueClosesTheConnection() async throws {
        try await withFixture { fx in
            let empty = try fx.lb.createTargetGroup(name: "empty", healthCheck: .rare)
            let listener = try await fx.lb.createListener(port: 0, action: .forward(empty))
            let client = try await TestClient.connect(port: listener.port)
            let response = try await client.request(.POST, "/", headers: [("Expect", "100-continue")], body: "body")
            #expect(response.status == 503)
            #expect(response.headers["connection"] == ["close"])
            try await client.channel.closeFuture.guarded(timeout: .seconds(10), "waiting for the balancer to close").get()
        }
    }
}
