import Foundation

/// When a failed attempt is tried again, and after how long.
///
/// Retried, for every operation, answers that prove the request did nothing:
/// throttling (`throttlingCodes`, whatever the status) and failures before the
/// connection was made (refused, unreachable). Retried only for idempotent operations
/// (`AWSOperation.idempotent`), failures after which the request may have been acted
/// on: 5xx answers and transient codes, timeouts and connections lost mid-exchange.
/// Never retried: other 4xx answers, TLS failures and unresolvable host names (a
/// wrong region or endpoint does not fix itself).
///
/// Delays are "full jitter" exponential backoff: before retry n (1, 2, …) the client
/// sleeps a uniformly random time in [0, min(maxDelay, baseDelay × 2^(n−1))). With
/// the defaults (0.5 s base, 20 s cap, 5 attempts) the four possible waits are drawn
/// from below 0.5 s, 1 s, 2 s and 4 s: at most 7.5 s in all.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// A uniform random number in [0, 1); injectable so tests know the delays.
    public var random: @Sendable () -> Double
    /// Blocks for a duration; injectable so tests do not wait.
    public var sleep: @Sendable (Duration) -> Void

    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(20),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                sleep: @escaping @Sendable (Duration) -> Void = RetryPolicy.threadSleep) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.random = random
        self.sleep = sleep
    }

    /// Blocks the calling thread (the client's calls are synchronous).
    public static func threadSleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        Thread.sleep(forTimeInterval: Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// One attempt, no retries.
    public static var none: RetryPolicy { RetryPolicy(maxAttempts: 1) }

    /// What an attempt ended with, as the policy needs to know it.
    public enum Outcome: Sendable, Equatable {
        case response(status: Int, code: String?)
        case transport(TransportFailure)
    }

    /// Why an attempt is retried, for logs and tests.
    public enum Reason: Sendable, Equatable {
        case throttled
        case notSent
        case serverError
        case transient
    }

    /// Error codes that mean "too many requests: nothing was done, slow down".
    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    /// Error codes of failures that may pass (the request may still have been acted on).
    public static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "InternalError", "InternalFailure", "ServiceUnavailable",
        "InternalServerError", "ServerException", "IDPCommunicationError",
    ]

    /// Whether an attempt that ended with `outcome` is worth another, and why; nil: no.
    /// Attempt counting is the caller's (see `shouldRetry(after:attempt:idempotent:)`).
    public static func reason(for outcome: Outcome, idempotent: Bool) -> Reason? {
        switch outcome {
        case .response(let status, let code):
            if let code, throttlingCodes.contains(code) { return .throttled }
            if status == 429 { return .throttled }
            guard idempotent else { return nil }
            if let code, transientCodes.contains(code) { return .transient }
            if status >= 500 { return .serverError }
            return nil
        case .transport(let failure):
            switch failure.kind {
            case .nameResolution, .tls: return nil
            case .connectionFailed where !failure.requestMayHaveBeenSent: return .notSent
            default: return idempotent ? .transient : nil
            }
        }
    }

    /// The reason to make attempt `attempt + 1`, or nil when `attempt` was the last.
    public func shouldRetry(after outcome: Outcome, attempt: Int, idempotent: Bool) -> Reason? {
        guard attempt < maxAttempts else { return nil }
        return Self.reason(for: outcome, idempotent: idempotent)
    }

    /// The wait before retry `retry` (1 for the first) for a random number `unit` in [0, 1).
    public func delay(beforeRetry retry: Int, unit: Double) -> Duration {
        let ceiling = min(maxDelay, baseDelay * Double(1 << min(max(retry - 1, 0), 30)))
        return ceiling * min(max(unit, 0), 1)
    }
}
