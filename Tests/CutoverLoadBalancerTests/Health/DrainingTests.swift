import CutoverLoadBalancer
import Synchronization
import Testing

@Suite struct DrainingTests {
    @Test func inFlightRequestFinishesWhileNewRequestsGoElsewhere() async throws {
        try await withFixture(backends: ["A", "B"]) { fx in
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .rare)
            let a = fx.target("A")
            try group.register(a, initiallyHealthy: true)
            try group.register(fx.target("B"), initiallyHealthy: true)
            let listener = try await fx.lb.createListener(port: 0, action: .forward(group))
            let slowClient = try await TestClient.connect(port: listener.port)
            let client = try await TestClient.connect(port: listener.port)
            let events = Locked<[String]>([])

            // The first pick is the first registered target.
            let slow = Task {
                let response = try await slowClient.get("/slow")
                events.withLock { $0.append("slow response \(response.status) from \(response.body)") }
            }
            try await fx.backend("A").slowRequestsArrived()

            let drain = try group.beginDeregistration(a, drainTimeout: .seconds(30))
            #expect(group.health(of: a) == TargetHealth(target: a, state: .draining, reason: nil, inFlight: 1))
            let drained = Task {
                let outcome = await drain.outcome()
                events.withLock { $0.append("drained \(outcome)") }
            }
            for _ in 0..<10 { #expect(try await client.get("/").body == "B") }
            #expect(events.withLock { $0 }.isEmpty)

            events.withLock { $0.append("released") }
            fx.backend("A").releaseSlow()
            try await slow.value
            await drained.value
            // The client reads its response on another thread, so only these orders are fixed:
            // the drain ended after the slow request was let go, and that request succeeded.
            let log = events.withLock { $0 }
            #expect(log.first == "released")
            #expect(Set(log.dropFirst()) == ["slow response 200 from A", "drained drained"])
            #expect(group.health(of: a) == nil)
            #expect(group.targetHealth().map(\.target) == [fx.target("B")])
            await slowClient.close()
            await client.close()
        }
    }

    @Test func drainTimeoutEndsTheWaitButNotTheRequest() async throws {
        try await withFixture(backends: ["A"]) { fx in
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .rare)
            let a = fx.target("A")
            try group.register(a, initiallyHealthy: true)
            let listener = try await fx.lb.createListener(port: 0, action: .forward(group))
            let client = try await TestClient.connect(port: listener.port)
            let slow = Task { try await client.get("/slow") }
            try await fx.backend("A").slowRequestsArrived()

            let outcome = try await group.deregister(a, drainTimeout: .milliseconds(200))
            #expect(outcome == .timedOut(inFlight: 1))
            #expect(group.health(of: a) == nil)
            fx.backend("A").releaseSlow()
            #expect(try await slow.value.body == "A")
            #expect(group.metrics().inFlight == 0)
            await client.close()
        }
    }

    @Test func idleTargetDrainsAtOnceAndCanComeBack() async throws {
        try await withFixture(backends: ["A"]) { fx in
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .rare)
            let a = fx.target("A")
            try group.register(a, initiallyHealthy: true)
            #expect(try await group.deregister(a, drainTimeout: .seconds(30)) == .drained)
            await #expect(throws: LoadBalancerError.targetNotRegistered(a, targetGroup: "web")) {
                try await group.deregister(a, drainTimeout: .seconds(1))
            }
            try group.register(a, initiallyHealthy: true)
            #expect(group.health(of: a)?.state == .healthy)
        }
    }

    @Test func registeringADrainingTargetIsAnError() async throws {
        try await withFixture(backends: ["A"]) { fx in
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .rare)
            let a = fx.target("A")
            try group.register(a, initiallyHealthy: true)
            let listener = try await fx.lb.createListener(port: 0, action: .forward(group))
            let client = try await TestClient.connect(port: listener.port)
            let slow = Task { try await client.get("/slow") }
            try await fx.backend("A").slowRequestsArrived()
            let drain = try group.beginDeregistration(a, drainTimeout: .seconds(30))
            #expect(throws: LoadBalancerError.targetDraining(a, targetGroup: "web")) {
                try group.register(a)
            }
            fx.backend("A").releaseSlow()
            _ = try await slow.value
            #expect(await drain.outcome() == .drained)
            await client.close()
        }
    }
}
