import Foundation

/// A bounded load loop on the local cloud: requests at a steady rate to a function
/// (invocations through the daemon) or to an HTTP address on 127.0.0.1, on its own
/// thread, until its duration passes or it is stopped. It counts what answered.
public final class LoadLoop: @unchecked Sendable {
    public enum Target: Sendable {
        /// "name[:qualifier]": invocations through the daemon.
        case function(String)
        /// A port and path on 127.0.0.1.
        case http(port: Int, path: String)
    }

    public struct Results: Sendable, Equatable {
        public var total = 0
        /// Function errors, 5xx answers, and requests nothing answered.
        public var errors = 0
        /// Per function version, or per answer body (its first line) for HTTP.
        public var byVersion: [String: Int] = [:]
        public var byStatus: [Int: Int] = [:]

        public init() {}
    }

    let target: Target
    let client: ControlClient
    let interval: Duration
    let deadline: ContinuousClock.Instant
    private let lock = NSLock()
    private var results = Results()
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    public init(target: Target, client: ControlClient, ratePerSecond: Double, duration: Duration) {
        self.target = target
        self.client = client
        interval = .microseconds(Int64(1_000_000 / max(0.1, ratePerSecond)))
        deadline = ContinuousClock.now + duration
    }

    public func start() {
        Thread.detachNewThread { [self] in
            var next = ContinuousClock.now
            while ContinuousClock.now < deadline && !lock.withLock({ stopped }) {
                one()
                next += interval
                let wait = next - ContinuousClock.now
                if wait > .zero { Thread.sleep(forTimeInterval: Double(wait.components.attoseconds) / 1e18 + Double(wait.components.seconds)) }
            }
            finished.signal()
        }
    }

    /// Stops the loop (after the request in flight) and returns what it counted.
    public func stop() -> Results {
        lock.withLock { stopped = true }
        finished.wait()
        finished.signal() // a second stop() returns at once
        return snapshot
    }

    public var snapshot: Results { lock.withLock { results } }

    private func one() {
        var version = "?"
        var status = 0
        var failed = false
        switch target {
        case .function(let name):
            if let answer = try? client.send("POST", "/v1/functions/\(name)/invoke", [String: String](), as: Control.JSONValue.self) {
                version = answer["version"]?.string ?? "?"
                status = 200
                failed = answer["error"].map { $0 != .null } ?? false
            } else {
                failed = true
            }
        case .http(let port, let path):
            if let (code, body) = try? ControlClient(port: port).request("GET", path, body: nil) {
                status = code
                failed = code >= 500
                version = String(String(decoding: body, as: UTF8.self).split(separator: "\n").first ?? "").trimmingCharacters(in: .whitespaces)
            } else {
                failed = true
            }
        }
        lock.withLock {
            results.total += 1
            if failed { results.errors += 1 }
            results.byVersion[version, default: 0] += 1
            results.byStatus[status, default: 0] += 1
        }
    }
}
