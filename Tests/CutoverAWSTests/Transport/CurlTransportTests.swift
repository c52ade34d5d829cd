import CutoverAWS
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The libcurl transport's failures, on loopback: how each is classified decides
/// whether a retry may repeat a side effect.
@Suite struct CurlTransportTests {
    /// A listening socket that never accepts: the kernel completes connections into its
    /// backlog, so a client connects, sends, and waits for an answer that never comes.
    final class SilentListener {
        let fd: Int32
        let port: Int

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.fd = fd
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0
                }
            }
            guard ok else { throw ListenError() }
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        deinit { close(fd) }

        struct ListenError: Error {}
    }

    @Test func anUnansweredRequestTimesOutAfterItWasSent() throws {
        let listener = try SilentListener()
        let request = HTTPRequest(method: "POST", scheme: "http", host: "127.0.0.1", port: listener.port, body: Array("x".utf8))
        let started = ContinuousClock.now
        let result = CurlTransport().send(request, timeout: .milliseconds(300))
        guard case .failure(let failure) = result else { Issue.record("expected a timeout, got \(result)"); return }
        #expect(failure.kind == .timedOut)
        #expect(failure.requestMayHaveBeenSent)
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func aRefusedConnectionWasNotSent() throws {
        let port = try SilentListener().port  // closed again at once: nothing listens there now
        let result = CurlTransport().send(HTTPRequest(method: "GET", scheme: "http", host: "127.0.0.1", port: port), timeout: .seconds(5))
        guard case .failure(let failure) = result else { Issue.record("expected a refusal, got \(result)"); return }
        #expect(failure.kind == .connectionFailed)
        #expect(!failure.requestMayHaveBeenSent)
    }

    @Test func anUnresolvableNameIsSaidToBeOne() {
        let result = CurlTransport().send(HTTPRequest(method: "GET", host: "no-such-host.invalid"), timeout: .seconds(10))
        guard case .failure(let failure) = result else { Issue.record("expected a resolution failure, got \(result)"); return }
        #expect(failure.kind == .nameResolution)
        #expect(!failure.requestMayHaveBeenSent)
    }
}
