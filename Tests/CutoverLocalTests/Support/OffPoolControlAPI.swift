import Foundation
@testable import CutoverLocal

/// The control API from async tests: every call that waits on the daemon runs on a
/// Dispatch thread, off Swift's cooperative pool (2 threads here), so a waiting test
/// never starves the daemon's own async work in the same process.
protocol OffPoolControlAPI: Sendable {
    var client: ControlClient { get }
}

extension OffPoolControlAPI {
    /// Runs blocking work on a Dispatch thread, off Swift's cooperative pool.
    static func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    func get<T: Decodable & Sendable>(_ path: String, as type: T.Type = T.self) async throws -> T {
        let client = self.client
        return try await Self.offPool { try client.get(path, as: T.self) }
    }

    func send<T: Decodable & Sendable, B: Encodable & Sendable>(_ method: String, _ path: String, _ body: B,
                                                                 as type: T.Type = T.self) async throws -> T {
        let client = self.client
        return try await Self.offPool { try client.send(method, path, body, as: T.self) }
    }

    func delete<T: Decodable & Sendable>(_ path: String, as type: T.Type = T.self) async throws -> T {
        let client = self.client
        return try await Self.offPool { try client.delete(path, as: T.self) }
    }

    /// The problem the daemon answered with, and its status, when `body` was rejected.
    func rejection(_ body: () async throws -> Void) async -> (status: Int, problem: Control.Problem)? {
        do {
            try await body()
            return nil
        } catch {
            guard let failure = error as? ControlClient.Failure, case .rejected(let status, let problem) = failure else { return nil }
            return (status, problem)
        }
    }

    /// Polls `check` every 50 ms until it returns a value or `seconds` pass.
    func eventually<T>(within seconds: Double = 20, _ check: () async throws -> T?) async -> T? {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if let value = try? await check() { return value }
            try? await Task.sleep(for: .milliseconds(50))
        } while Date() < deadline
        return nil
    }
}
