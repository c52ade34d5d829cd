@testable import CutoverLoadBalancer
import NIOHTTP1
import Testing

@Suite struct ProxyHeadersTests {
    @Test func stripsHopByHopAndConnectionNamedHeaders() {
        let headers = HTTPHeaders([
            ("Host", "example"), ("Connection", "keep-alive, X-Hop"), ("X-Hop", "1"), ("Keep-Alive", "timeout=5"),
            ("Upgrade", "websocket"), ("Proxy-Authorization", "secret"), ("TE", "trailers"), ("Accept", "*/*"),
        ])
        let stripped = ProxyHeaders.stripHopByHop(headers)
        #expect(stripped.headers.map(\.name) == ["Host", "Accept"])
        #expect(!stripped.chunked)
    }

    @Test func keepsChunkedFraming() {
        let stripped = ProxyHeaders.stripHopByHop(HTTPHeaders([("Transfer-Encoding", "chunked"), ("Content-Length", "5")]))
        #expect(stripped.chunked)
        #expect(stripped.headers["transfer-encoding"] == ["chunked"])
        #expect(stripped.headers["content-length"].isEmpty)
    }

    @Test func appendsForwardedFor() {
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: HTTPHeaders([
            ("X-Forwarded-For", "10.0.0.1"), ("X-Forwarded-For", "10.0.0.2"), ("X-Forwarded-Proto", "https"),
        ]))
        let upstream = ProxyHeaders.upstreamRequest(head, clientAddress: "127.0.0.1", listenerPort: 8080)
        #expect(upstream.headers["x-forwarded-for"] == ["10.0.0.1, 10.0.0.2, 127.0.0.1"])
        #expect(upstream.headers["x-forwarded-proto"] == ["http"])
        #expect(upstream.headers["x-forwarded-port"] == ["8080"])
    }

    @Test func answersExpectContinueItself() {
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/", headers: HTTPHeaders([
            ("Expect", "100-continue"), ("Content-Length", "3"),
        ]))
        let upstream = ProxyHeaders.upstreamRequest(head, clientAddress: nil, listenerPort: 80)
        #expect(upstream.expectsContinue)
        #expect(upstream.headers["expect"].isEmpty)
    }

    @Test func emptyPostGetsContentLength() {
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/", headers: HTTPHeaders())
        #expect(ProxyHeaders.upstreamRequest(head, clientAddress: nil, listenerPort: 80).headers["content-length"] == ["0"])
    }

    @Test func responseFramingAndKeepAlive() {
        let get11 = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/")
        let sized = HTTPResponseHead(version: .http1_1, status: .ok, headers: HTTPHeaders([("Content-Length", "2")]))
        let untilClose = HTTPResponseHead(version: .http1_1, status: .ok, headers: HTTPHeaders())
        let closing = HTTPResponseHead(version: .http1_1, status: .ok, headers: HTTPHeaders([("Connection", "close"), ("Content-Length", "2")]))

        let a = ProxyHeaders.clientResponse(sized, to: get11)
        #expect(a.keepAlive && a.upstreamReusable)
        let b = ProxyHeaders.clientResponse(untilClose, to: get11)
        #expect(b.keepAlive && !b.upstreamReusable)  // re-chunked for the client; the target's connection ends the body
        let c = ProxyHeaders.clientResponse(closing, to: get11)
        #expect(c.keepAlive && !c.upstreamReusable)
        #expect(c.headers["connection"].isEmpty)

        let get10 = HTTPRequestHead(version: .http1_0, method: .GET, uri: "/")
        let d = ProxyHeaders.clientResponse(untilClose, to: get10)
        #expect(!d.keepAlive)
        #expect(d.headers["connection"] == ["close"])
        var get10KeepAlive = get10
        get10KeepAlive.headers.add(name: "connection", value: "keep-alive")
        let e = ProxyHeaders.clientResponse(sized, to: get10KeepAlive)
        #expect(e.keepAlive)
        #expect(e.headers["connection"] == ["keep-alive"])
    }

    @Test func idempotentMethods() {
        #expect(ProxyHeaders.isIdempotent(.GET))
        #expect(ProxyHeaders.isIdempotent(.PUT))
        #expect(!ProxyHeaders.isIdempotent(.POST))
        #expect(!ProxyHeaders.isIdempotent(.PATCH))
    }
}
