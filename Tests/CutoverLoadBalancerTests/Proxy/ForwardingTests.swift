import CutoverLoadBalancer
import NIOHTTP1
import Testing

@Suite struct ForwardingTests {
    @Test func forwardsRoundRobinAndReusesUpstreamConnections() async throws {
        try await withFixture(backends: ["A", "B"]) { fx in
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .rare)
            try group.register(fx.target("A"), initiallyHealthy: true)
            try group.register(fx.target("B"), initiallyHealthy: true)
            let listener = try await fx.lb.createListener(port: 0, action: .forward(group))
            #expect(listener.port > 0)

            let client = try await TestClient.connect(port: listener.port)
            var names: [String] = []
            for _ in 0..<20 {
                let response = try await client.get("/")
                #expect(response.status == 200)
                names.append(response.body)
            }
            #expect(names == Array(repeating: ["A", "B"], count: 10).flatMap { $0 })
            // Twenty requests over one client connection: one upstream connection per target.
            #expect(fx.backend("A").trafficConnections == 1)
            #expect(fx.backend("B").trafficConnections == 1)
            #expect(fx.backend("A").requests == 10)
            #expect(await fx.lb.idleUpstreamConnections() == 2)

            let metrics = group.metrics()
            #expect(metrics.requests == 20)
            #expect(metrics.responses5xx == 0)
            #expect(metrics.inFlight == 0)
            #expect(metrics.p99 != nil)
            await client.close()
        }
    }

    @Test func addsForwardedHeadersAndStripsHopByHop() async throws {
        try await withFixture(backends: ["A"]) { fx in
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .rare)
            try group.register(fx.target("A"), initiallyHealthy: true)
            let listener = try await fx.lb.createListener(port: 0, action: .forward(group))
            let client = try await TestClient.connect(port: listener.port)
            let response = try await client.request(.GET, "/headers", headers: [
                ("X-Forwarded-For", "10.0.0.1"), ("X-Forwarded-Proto", "https"),
                ("Connection", "keep-alive, X-Hop"), ("X-Hop", "secret"), ("Keep-Alive", "timeout=5"),
            ])
            let lines = Set(response.body.split(separator: "\n").map(String.init))
            #expect(lines.contains("x-forwarded-for: 10.0.0.1, 127.0.0.1"))
            #expect(lines.contains("x-forwarded-proto: http"))
            #expect(lines.contains("x-forwarded-port: \(listener.port)"))
            #expect(lines.contains("host: 127.0.0.1"))
            #expect(!lines.contains { $0.hasPrefix("x-hop") || $0.hasPrefix("keep-alive") || $0.hasPrefix("connection") })
            #expect(response.headers["x-backend"] == ["A"])

            let plain = try await client.get("/headers")
            #expect(plain.body.contains("x-forwarded-for: 127.0.0.1\n"))
            await client.close()
        }
    }

    @Test func answers503WhenNoTargetIsHealthy() async throws {
        try await withFixture(backends: ["A"]) { fx in
            let empty = try fx.lb.createTargetGroup(name: "empty", healthCheck: .rare)
            let listener = try await fx.lb.createListener(port: 0, action: .forward(empty))
            let client = try await TestClient.connect(port: listener.port)
            for _ in 0..<2 {  // the connection stays usable after a 503
                let response = try await client.get("/")
                #expect(response.status == 503)
                #expect(response.body == "no healthy target in target group empty\n")
            }
            // A target that has not passed its checks yet gets no traffic either.
            fx.backend("A").setHealthy(false)
            try empty.register(fx.target("A"))
            #expect(try await client.get("/").status == 503)
            #expect(fx.backend("A").requests == 0)

            let metrics = empty.metrics()
            #expect(metrics.requests == 3)
            #expect(metrics.noHealthyTarget == 3)
            #expect(metrics.responses5xx == 3)
            await client.close()
        }
    }

    @Test func answers502WhenTheTargetDropsTheConnection() async throws {
        try await withFixture(backends: ["A"]) { fx in
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .rare)
            try group.register(fx.target("A"), initiallyHealthy: true)
            let listener = try await fx.lb.createListener(port: 0, action: .forward(group))
            let client = try await TestClient.connect(port: listener.port)
            let failed = try await client.get("/close")
            #expect(failed.status == 502)
            #expect(failed.body.contains("closed the connection before responding"))
            #expect(try await client.get("/").body == "A")
            let metrics = group.metrics()
            #expect(metrics.badGateway == 1)
            #expect(metrics.responses5xx == 1)
            #expect(metrics.requests == 2)
            await client.close()
        }
    }

    @Test func retriesIdempotentRequestsWhenAConnectionIsRefused() async throws {
        try await withFixture(backends: ["A"]) { fx in
            let refusing = try RefusingPort()
            let dead = Target(port: refusing.port)
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .rare)
            try group.register(dead, initiallyHealthy: true)
            try group.register(fx.target("A"), initiallyHealthy: true)
            let listener = try await fx.lb.createListener(port: 0, action: .forward(group))
            let client = try await TestClient.connect(port: listener.port)
            for _ in 0..<4 {
                let response = try await client.get("/")
                #expect(response.status == 200)
                #expect(response.body == "A")
            }
            #expect(group.metrics().retries == 4)

            // Round robin comes back to the dead target; a POST is not retried.
            let post = try await client.request(.POST, "/", body: "x")
            #expect(post.status == 502)
            #expect(post.body.contains("cannot connect to target \(dead)"))
            #expect(post.body.contains("connection refused"))
            #expect(group.metrics().badGateway == 1)
            await client.close()
            _ = refusing
        }
    }

    @Test func streamsLargeBodiesBothWays() async throws {
        try await withFixture(backends: ["A"]) { fx in
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .rare)
            try group.register(fx.target("A"), initiallyHealthy: true)
            let listener = try await fx.lb.createListener(port: 0, action: .forward(group))
            let client = try await TestClient.connect(port: listener.port)

            let upload = String(repeating: "0123456789abcdef", count: 256 * 1024)  // 4 MiB
            let echoed = try await client.request(.POST, "/echo", body: upload)
            #expect(echoed.status == 200)
            #expect(echoed.body.count == upload.count)
            #expect(echoed.body == upload)

            let chunked = try await client.request(.PUT, "/echo", headers: [("Transfer-Encoding", "chunked")], body: "hello, chunks")
            #expect(chunked.body == "hello, chunks")

            let download = try await client.get("/bytes/3000000")
            #expect(download.body.count == 3_000_000)

            let continued = try await client.request(.POST, "/echo", headers: [("Expect", "100-continue")], body: "after continue")
            #expect(continued.body == "after continue")
            await client.close()
        }
    }

    @Test func headAndConnectionClose() async throws {
        try await withFixture(backends: ["A"]) { fx in
            let group = try fx.lb.createTargetGroup(name: "web", healthCheck: .rare)
            try group.register(fx.target("A"), initiallyHealthy: true)
            let listener = try await fx.lb.createListener(port: 0, action: .forward(group))
            let client = try await TestClient.connect(port: listener.port)

            let head = try await client.request(.HEAD, "/")
            #expect(head.status == 200)
            #expect(head.headers["content-length"] == ["1"])
            #expect(head.body.isEmpty)
            #expect(try await client.get("/").body == "A")

            let last = try await client.request(.GET, "/", headers: [("Connection", "close")])
            #expect(last.body == "A")
            #expect(last.headers["connection"] == ["close"])
            try await client.channel.closeFuture.guarded(timeout: .seconds(10), "waiting for the balancer to close").get()
        }
    }
}
