import CutoverLoadBalancer
import Testing

@Suite struct WeightedForwardingTests {
    @Test func tenNinetySplitOverTenThousandRequests() async throws {
        try await withFixture(backends: ["A", "B"]) { fx in
            let blue = try fx.lb.createTargetGroup(name: "blue", healthCheck: .rare)
            let green = try fx.lb.createTargetGroup(name: "green", healthCheck: .rare)
            try blue.register(fx.target("A"), initiallyHealthy: true)
            try green.register(fx.target("B"), initiallyHealthy: true)
            let listener = try await fx.lb.createListener(port: 0, action: .weightedForward([
                WeightedTargetGroup(blue, weight: 10), WeightedTargetGroup(green, weight: 90),
            ]))

            let connections = 4, perConnection = 2_500
            let counts = try await withThrowingTaskGroup(of: [String: Int].self) { tasks in
                for _ in 0..<connections {
                    tasks.addTask {
                        let client = try await TestClient.connect(port: listener.port)
                        var counts: [String: Int] = [:]
                        for _ in 0..<perConnection {
                            let response = try await client.get("/")
                            counts[response.status == 200 ? response.body : "status \(response.status)", default: 0] += 1
                        }
                        await client.close()
                        return counts
                    }
                }
                return try await tasks.reduce(into: [:]) { total, counts in total.merge(counts, uniquingKeysWith: +) }
            }
            let total = connections * perConnection
            #expect(counts.values.reduce(0, +) == total)
            #expect(abs((counts["A"] ?? 0) - total / 10) <= total / 100)
            #expect(abs((counts["B"] ?? 0) - total * 9 / 10) <= total / 100)
            // Smooth weighted round robin is exact over whole rounds of 100.
            #expect(blue.metrics().requests == 1_000)
            #expect(green.metrics().requests == 9_000)
        }
    }

    @Test func shiftingWeightsMovesTraffic() async throws {
        try await withFixture(backends: ["A", "B"]) { fx in
            let blue = try fx.lb.createTargetGroup(name: "blue", healthCheck: .rare)
            let green = try fx.lb.createTargetGroup(name: "green", healthCheck: .rare)
            try blue.register(fx.target("A"), initiallyHealthy: true)
            try green.register(fx.target("B"), initiallyHealthy: true)
            let listener = try await fx.lb.createListener(port: 0, action: .forward(blue))
            let client = try await TestClient.connect(port: listener.port)
            for _ in 0..<5 { #expect(try await client.get("/").body == "A") }

            try fx.lb.modifyListener(port: listener.port, action: .weightedForward([
                WeightedTargetGroup(blue, weight: 0), WeightedTargetGroup(green, weight: 1),
            ]))
            for _ in 0..<5 { #expect(try await client.get("/").body == "B") }

            await #expect(throws: LoadBalancerError.targetGroupInUse(name: "green", listenerPort: listener.port)) {
                try await fx.lb.deleteTargetGroup(named: "green")
            }
            #expect(throws: LoadBalancerError.invalidWeights("at least one weight must be positive")) {
                try fx.lb.modifyListener(port: listener.port, action: .weightedForward([WeightedTargetGroup(blue, weight: 0)]))
            }
            #expect(throws: LoadBalancerError.invalidWeights("weight of target group blue must be 0–999, got 1000")) {
                try fx.lb.modifyListener(port: listener.port, action: .weightedForward([WeightedTargetGroup(blue, weight: 1000)]))
            }
            await client.close()
        }
    }
}
