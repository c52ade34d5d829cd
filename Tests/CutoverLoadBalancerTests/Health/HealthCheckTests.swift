@testable import CutoverLoadBalancer
import Testing

@Suite struct HealthCheckTests {
    @Test func failingTargetIsTakenOutAndPutBack() async throws {
        try await withFixture(backends: ["A", "B"]) { fx in
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .fast)
            let a = fx.target("A"), b = fx.target("B")
            try group.register(a)
            try group.register(b)
            #expect(group.health(of: a)?.state == .initial)
            try await group.waitUntilHealthy(a, timeout: .seconds(20))
            try await group.waitUntilHealthy(b, timeout: .seconds(20))
            let listener = try await fx.lb.createListener(port: 0, action: .forward(group))
            let client = try await TestClient.connect(port: listener.port)

            fx.backend("B").setHealthy(false)
            try await group.waitUntil(b, is: .unhealthy, timeout: .seconds(20))
            #expect(group.health(of: b)?.reason == "status 500")
            for _ in 0..<10 { #expect(try await client.get("/").body == "A") }

            fx.backend("B").setHealthy(true)
            try await group.waitUntilHealthy(b, timeout: .seconds(20))
            var names: Set<String> = []
            for _ in 0..<4 { names.insert(try await client.get("/").body) }
            #expect(names == ["A", "B"])
            #expect(group.targetHealth().map(\.state) == [.healthy, .healthy])
            await client.close()
        }
    }

    @Test func stoppedProcessIsTakenOut() async throws {
        try await withFixture(backends: ["A", "B"]) { fx in
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .fast)
            try group.register(fx.target("A"), initiallyHealthy: true)
            try group.register(fx.target("B"), initiallyHealthy: true)
            try await fx.backend("B").stop()
            try await group.waitUntil(fx.target("B"), is: .unhealthy, timeout: .seconds(20))
            #expect(group.health(of: fx.target("B"))?.reason == "connection refused")
        }
    }

    @Test func waitingForHealthTimesOutWithTheReason() async throws {
        try await withFixture { fx in
            let refusing = try RefusingPort()
            let dead = Target(port: refusing.port)
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .fast)
            try group.register(dead)
            try await group.waitUntil(dead, is: .unhealthy, timeout: .seconds(20))
            let error = await #expect(throws: LoadBalancerError.self) {
                try await group.waitUntilHealthy(dead, timeout: .milliseconds(200))
            }
            let text = error?.description ?? ""
            #expect(text.contains("target \(dead) in target group web did not become healthy within"))
            #expect(text.contains("it is unhealthy (last check: connection refused)"))
            _ = refusing
        }
    }

    @Test func deregistrationEndsAWaitForHealth() async throws {
        try await withFixture(backends: ["A"]) { fx in
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .rare)
            fx.backend("A").setHealthy(false)
            let a = fx.target("A")
            try group.register(a)
            let wait = try #require(try group.beginWait(a, is: .healthy, timeout: .seconds(30)))
            #expect(try await group.deregister(a, drainTimeout: .seconds(30)) == .drained)
            await #expect(throws: LoadBalancerError.targetDeregistered(a, targetGroup: "web")) { try await wait.get() }
        }
    }

    @Test func waitingForAnUnregisteredTargetFails() async throws {
        try await withFixture { fx in
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .fast)
            await #expect(throws: LoadBalancerError.targetNotRegistered(Target(port: 1), targetGroup: "web")) {
                try await group.waitUntilHealthy(Target(port: 1), timeout: .seconds(1))
            }
        }
    }

    @Test func invalidSettingsAreRejected() async throws {
        try await withFixture { fx in
            #expect(throws: LoadBalancerError.invalidHealthCheck("path must start with /, got health")) {
                _ = try fx.lb.createTargetGroup(name: "bad", healthCheck: HealthCheck(path: "health"))
            }
            #expect(throws: LoadBalancerError.self) {
                _ = try fx.lb.createTargetGroup(name: "bad", healthCheck: HealthCheck(healthyThreshold: 0))
            }
            let group = try fx.lb.createTargetGroup(name: "web")
            #expect(throws: LoadBalancerError.invalidTarget(Target(host: "localhost", port: 80), reason: "host must be an IP address")) {
                try group.register(Target(host: "localhost", port: 80))
            }
            #expect(throws: LoadBalancerError.targetGroupExists(name: "web")) {
                _ = try fx.lb.createTargetGroup(name: "web")
            }
        }
    }
}
