import CutoverLoadBalancer
import NIOCore
import NIOPosix
import Testing

@Suite struct ListenerTests {
    @Test func portInUseIsAnErrorNamingThePort() async throws {
        try await withFixture(backends: ["A"]) { fx in
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .rare)
            let taken = fx.backend("A").port
            let error = await #expect(throws: LoadBalancerError.portInUse(port: taken)) {
                _ = try await fx.lb.createListener(port: taken, action: .forward(group))
            }
            #expect(error?.description == "port \(taken) on 127.0.0.1 is already in use; pick another port or 0 for a free one")

            let listener = try await fx.lb.createListener(port: 0, action: .forward(group))
            await #expect(throws: LoadBalancerError.listenerExists(port: listener.port)) {
                _ = try await fx.lb.createListener(port: listener.port, action: .forward(group))
            }
            let other = LoadBalancer(threads: 1)
            let otherGroup = try other.createTargetGroup(name: "web", healthCheck: .rare)
            await #expect(throws: LoadBalancerError.portInUse(port: listener.port)) {
                _ = try await other.createListener(port: listener.port, action: .forward(otherGroup))
            }
            await #expect(throws: LoadBalancerError.unknownTargetGroup(name: "web")) {
                _ = try await other.createListener(port: 0, action: .forward(group))  // a group of another balancer
            }
            await other.shutdown()
        }
    }

    @Test func deletedListenerStopsAccepting() async throws {
        try await withFixture(backends: ["A"]) { fx in
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .rare)
            try group.register(fx.target("A"), initiallyHealthy: true)
            let listener = try await fx.lb.createListener(port: 0, action: .forward(group))
            let client = try await TestClient.connect(port: listener.port)
            #expect(try await client.get("/").body == "A")
            try await fx.lb.deleteListener(port: listener.port)
            // The idle client connection was closed, and the port no longer accepts.
            try await client.channel.closeFuture.guarded(timeout: .seconds(10), "waiting for the client connection to close").get()
            await #expect(throws: (any Error).self) { _ = try await TestClient.connect(port: listener.port) }
            #expect(fx.lb.listeners.isEmpty)
            try await fx.lb.deleteTargetGroup(named: "web")
            #expect(fx.lb.targetGroups.isEmpty)
        }
    }

    @Test func shutdownFinishesInFlightRequests() async throws {
        let backend = try await TestBackend.start("A")
        let lb = LoadBalancer(threads: 2)
        let group = try lb.createTargetGroup(name: "web", healthCheck: .rare)
        try group.register(Target(port: backend.port), initiallyHealthy: true)
        let listener = try await lb.createListener(port: 0, action: .forward(group))
        let client = try await TestClient.connect(port: listener.port)
        let idle = try await TestClient.connect(port: listener.port)
        let slow = Task { try await client.get("/slow") }
        try await backend.slowRequestsArrived()

        let shutdown = Task { await lb.shutdown(gracePeriod: .seconds(30)) }
        // The idle connection is closed at once; the busy one after its response.
        try await idle.channel.closeFuture.guarded(timeout: .seconds(10), "waiting for the idle connection to close").get()
        backend.releaseSlow()
        let response = try await slow.value
        #expect(response.status == 200)
        #expect(response.body == "A")
        await shutdown.value
        await #expect(throws: (any Error).self) { _ = try await TestClient.connect(port: listener.port) }
        #expect(throws: LoadBalancerError.shutDown) { _ = try lb.createTargetGroup(name: "late") }
        try await backend.stop()
    }
}
