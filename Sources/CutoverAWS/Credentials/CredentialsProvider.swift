import Foundation

/// A way of getting credentials: environment keys, a profile's keys, STS, a process,
/// the container or instance metadata endpoint.
///
/// `fetch` asks the source once, blocking the calling thread, and does not cache:
/// `RefreshingCredentials` does, for temporary credentials.
public protocol CredentialsProvider: Sendable {
    /// What the credentials are, for messages and `whoami`.
    var source: CredentialSource { get }
    /// Fresh credentials; `now` dates any signed request the fetch makes.
    func fetch(now: Date) throws(AWSConfigurationError) -> AWSCredentials
}

/// Credentials known in advance: they are what they are.
public struct StaticCredentialsProvider: CredentialsProvider {
    public let credentials: AWSCredentials
    public let source: CredentialSource

    public init(_ credentials: AWSCredentials, source: CredentialSource = .given) {
        self.credentials = credentials
        self.source = source
    }

    public func fetch(now: Date) throws(AWSConfigurationError) -> AWSCredentials { credentials }
}

/// Caches a provider's credentials and fetches new ones `refreshBefore` their
/// expiration (5 minutes, as the AWS SDKs do), so a deployment that lasts hours never
/// signs with expired ones. Credentials without an expiration are fetched once.
///
/// Thread-safe: one thread refreshes at a time; while it does, the others keep using
/// the cached credentials if they have not yet expired, else wait for it. A failed
/// refresh is not fatal while the cached credentials are still valid (the next request
/// tries again); once they have expired, the failure is thrown.
public final class RefreshingCredentials: CredentialsProvider, @unchecked Sendable {
    // @unchecked: `cached` is only touched under `lock`; `refreshing` serialises fetches.
    public let provider: any CredentialsProvider
    public let refreshBefore: Duration
    private let lock = NSLock()
    private let refreshing = NSLock()
    private var cached: AWSCredentials?

    public init(_ provider: any CredentialsProvider, initial: AWSCredentials? = nil, refreshBefore: Duration = .seconds(300)) {
        self.provider = provider
        self.refreshBefore = refreshBefore
        self.cached = initial
    }

    public var source: CredentialSource { provider.source }

    /// The credentials cached now (nil before the first fetch); never fetches.
    public var current: AWSCredentials? {
        lock.lock()
        defer { lock.unlock() }
        return cached
    }

    public func fetch(now: Date) throws(AWSConfigurationError) -> AWSCredentials {
        try credentials(at: now)
    }

    /// Credentials good at `now` for at least `refreshBefore`, fetched if the cached
    /// ones are not.
    public func credentials(at now: Date) throws(AWSConfigurationError) -> AWSCredentials {
        let cachedNow = current
        if let cachedNow, isFresh(cachedNow, at: now) { return cachedNow }
        if let cachedNow, !isExpired(cachedNow, at: now) {
            guard refreshing.try() else { return cachedNow }  // another thread is refreshing; these still work
        } else {
            refreshing.lock()
        }
        defer { refreshing.unlock() }
        // Another thread may have refreshed while this one waited.
        if let again = current, isFresh(again, at: now) { return again }
        switch Result(catching: { () throws(AWSConfigurationError) in try provider.fetch(now: now) }) {
        case .success(let fresh):
            lock.lock()
            cached = fresh
            lock.unlock()
            return fresh
        case .failure(let error):
            if let old = current, !isExpired(old, at: now) { return old }
            throw error
        }
    }

    private func isFresh(_ credentials: AWSCredentials, at now: Date) -> Bool {
        guard let expiration = credentials.expiration else { return true }
        return expiration.timeIntervalSince(now) > Double(refreshBefore.components.seconds)
    }

    private func isExpired(_ credentials: AWSCredentials, at now: Date) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return expiration <= now
    }
}
