import CutoverLoadBalancer
import NIOCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A balancer and named backends for one test, torn down afterwards even when the test
/// throws, so no event loop or listening socket outlives it.
struct Fixture {
    let lb: LoadBalancer
    let backends: [TestBackend]

    func backend(_ name: String) -> TestBackend {
        backends.first { $0.name == name }!
    }

    func target(_ name: String) -> Target {
        Target(port: backend(name).port)
    }
}

extension HealthCheck {
    /// Checks fast enough that health changes show within a fraction of a second.
    static let fast = HealthCheck(path: "/health", interval: .milliseconds(50), timeout: .seconds(2),
                                  healthyThreshold: 2, unhealthyThreshold: 2)
    /// One check at registration and then effectively none, for tests about traffic.
    static let rare = HealthCheck(path: "/health", interval: .seconds(3600), timeout: .seconds(2),
                                  healthyThreshold: 2, unhealthyThreshold: 2)
}

func withFixture<T>(backends names: [String] = [], _ body: (Fixture) async throws -> T) async throws -> T {
    var configuration = LoadBalancer.Configuration()
    configuration.upstreamIdleTimeout = .seconds(600)  // connection counts must not depend on test speed
    let lb = LoadBalancer(threads: 2, configuration: configuration)
    var backends: [TestBackend] = []
    do {
        for name in names { backends.append(try await TestBackend.start(name)) }
        let result = try await body(Fixture(lb: lb, backends: backends))
        await lb.shutdown(gracePeriod: .seconds(5))
        for backend in backends { try? await backend.stop() }
        return result
    } catch {
        for backend in backends { try? await backend.stop() }
        await lb.shutdown(gracePeriod: .seconds(1))
        throw error
    }
}

/// A port nothing listens on, held (bound, never listening) so no other test can take
/// it: connecting to it is refused.
final class RefusingPort: Sendable {
    let port: Int
    private let fd: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(fd, sa, length) == 0 && getsockname(fd, sa, &length) == 0
            }
        }
        guard fd >= 0, bound else {
            if fd >= 0 { close(fd) }
            throw TestClientError(description: "cannot reserve a port")
        }
        self.fd = fd
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(fd)
    }
}

/// A flag shared between a test and the client loops it runs.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// A value shared between a test and the tasks it starts.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<T: Sendable>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
    var value: Value { mutex.withLock { $0 } }
}
