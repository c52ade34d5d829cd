import NIOHTTP1

/// The header rewriting a reverse proxy owes both sides (RFC 9110 §7.6.1), kept apart
/// from the I/O so it can be tested as plain functions.
///
/// Hop-by-hop headers describe one connection, not the message, so they are dropped
/// in both directions: the fixed list plus any header the `Connection` header names.
/// Message framing is re-derived rather than copied: a chunked message stays chunked
/// (the encoder re-chunks the decoded body), a sized one keeps its `Content-Length`.
enum ProxyHeaders {
    static let hopByHop: [String] = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
        "te", "trailer", "transfer-encoding", "upgrade",
    ]

    struct Stripped {
        var headers: HTTPHeaders
        var chunked: Bool
        var hasContentLength: Bool
    }

    /// Drops hop-by-hop headers and notes how the message was framed.
    ///
    /// Runs twice per proxied request, so it scans names without allocating and only
    /// copies the headers when something must go (a `Connection` header usually).
    static func stripHopByHop(_ headers: HTTPHeaders) -> Stripped {
        var out = headers
        var chunked = false
        var hasContentLength = false
        var remove: [String] = []
        for (name, value) in headers {
            switch name.utf8.count {
            case 2, 7, 10, 16, 18, 19:
                if hopByHop.contains(where: { name.equalsIgnoringASCIICase($0) }) {
                    remove.append(name)
                    if name.equalsIgnoringASCIICase("connection") {
                        for token in value.split(separator: ",") { remove.append(String(token.trimmingSpaces())) }
                    }
                }
            case 14 where name.equalsIgnoringASCIICase("content-length"):
                hasContentLength = true
            case 17 where name.equalsIgnoringASCIICase("transfer-encoding"):
                remove.append(name)
                chunked = chunked || value.lowercased().contains("chunked")
            default:
                break
            }
        }
        for name in remove where !name.isEmpty {
            if name.equalsIgnoringASCIICase("content-length") { hasContentLength = false }
            out.remove(name: name)
        }
        if chunked {
            out.remove(name: "content-length")
            hasContentLength = false
            out.add(name: "transfer-encoding", value: "chunked")
        }
        return Stripped(headers: out, chunked: chunked, hasContentLength: hasContentLength)
    }

    struct UpstreamRequest {
        var headers: HTTPHeaders
        /// The client sent `Expect: 100-continue`; the balancer answers it itself once it
        /// has a connection, because the upstream decoder drops informational responses.
        var expectsContinue: Bool
    }

    /// The headers to send a target: hop-by-hop removed, `X-Forwarded-For` extended with
    /// the client's address (after any the client sent, as ELB appends),
    /// `X-Forwarded-Proto` and `X-Forwarded-Port` set to what the client connected to.
    static func upstreamRequest(_ request: HTTPRequestHead, clientAddress: String?, listenerPort: Int) -> UpstreamRequest {
        let framing = stripHopByHop(request.headers)
        var stripped = framing.headers
        if !framing.chunked && !framing.hasContentLength && [.POST, .PUT, .PATCH].contains(request.method) {
            // Without this NIO would frame an empty body as chunked, which some servers refuse.
            stripped.add(name: "content-length", value: "0")
        }
        var expectsContinue = false
        if stripped["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
            stripped.remove(name: "expect")
            expectsContinue = true
        }
        if let clientAddress {
            let prior = stripped["x-forwarded-for"]
            stripped.remove(name: "x-forwarded-for")
            let chain = prior.isEmpty ? clientAddress : (prior + [clientAddress]).joined(separator: ", ")
            stripped.add(name: "X-Forwarded-For", value: chain)
        }
        stripped.replaceOrAdd(name: "X-Forwarded-Proto", value: "http")
        stripped.replaceOrAdd(name: "X-Forwarded-Port", value: String(listenerPort))
        return UpstreamRequest(headers: stripped, expectsContinue: expectsContinue)
    }

    struct ClientResponse {
        var headers: HTTPHeaders
        /// Whether the client connection stays open after this response.
        var keepAlive: Bool
        /// Whether the target's connection can carry another request after this response:
        /// it did not ask to close, and the body's end is marked by its framing rather
        /// than by the connection closing.
        var upstreamReusable: Bool
    }

    /// The headers to send the client for a target's response to `request`.
    static func clientResponse(_ response: HTTPResponseHead, to request: HTTPRequestHead) -> ClientResponse {
        let stripped = stripHopByHop(response.headers)
        var headers = stripped.headers
        let bodiless = request.method == .HEAD || !response.status.mayHaveResponseBody
        let framed = stripped.chunked || stripped.hasContentLength || bodiless
        var keepAlive = request.isKeepAlive
        let clientSpeaksHTTP11 = request.version.major == 1 && request.version.minor >= 1
        if !clientSpeaksHTTP11 && !(stripped.hasContentLength || bodiless) {
            // An HTTP/1.0 client cannot take a chunked body: the close marks the end.
            keepAlive = false
        }
        if !keepAlive {
            headers.add(name: "connection", value: "close")
        } else if !clientSpeaksHTTP11 {
            headers.add(name: "connection", value: "keep-alive")
        }
        return ClientResponse(headers: headers, keepAlive: keepAlive, upstreamReusable: response.isKeepAlive && framed)
    }

    /// RFC 9110 §9.2.2: a client may resend these after a failure without changing the
    /// outcome, so the balancer may too.
    static func isIdempotent(_ method: HTTPMethod) -> Bool {
        switch method {
        case .GET, .HEAD, .PUT, .DELETE, .OPTIONS, .TRACE: return true
        default: return false
        }
    }
}

extension String {
    /// ASCII case-insensitive equality, as header names compare, without allocating.
    fileprivate func equalsIgnoringASCIICase(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        return zip(utf8, other.utf8).allSatisfy { a, b in
            a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= UInt8(ascii: "a") && (a | 0x20) <= UInt8(ascii: "z"))
        }
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var s = self
        while let first = s.first, first == " " || first == "\t" { s.removeFirst() }
        while let last = s.last, last == " " || last == "\t" { s.removeLast() }
        return s
    }
}
