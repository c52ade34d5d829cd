import NIOCore

/// Idle keep-alive connections to targets, for the client connections of one event loop.
///
/// One pool per event loop means a request is always forwarded on a connection that
/// lives on its own thread: no locks on the hot path and no hops between threads.
/// Connections are reused last-in first-out so a quiet period lets the surplus age out.
///
/// A connection idle for `idleTimeout` is closed rather than reused. Servers close idle
/// keep-alive connections on their own schedule (Node.js after 5 s), and a request
/// written just as the server closes fails; closing ours first, after 4 s by default,
/// keeps that race out of reach for common servers.
final class UpstreamPool {
    private struct Idle {
        let connection: UpstreamConnection
        let since: NIODeadline
    }

    let eventLoop: any EventLoop
    let idleTimeout: TimeAmount
    /// Beyond this many idle connections per target on one loop, returned ones are closed.
    let maxIdlePerTarget: Int
    /// Per target, oldest first: connections are appended when returned and taken from the end.
    private var idle: [Target: [Idle]] = [:]

    init(eventLoop: any EventLoop, idleTimeout: TimeAmount, maxIdlePerTarget: Int = 256) {
        self.eventLoop = eventLoop
        self.idleTimeout = idleTimeout
        self.maxIdlePerTarget = maxIdlePerTarget
    }

    /// An open idle connection to `target` that has not idled too long, if there is one.
    func take(_ target: Target, now: NIODeadline = .now()) -> UpstreamConnection? {
        while let entry = idle[target]?.popLast() {
            guard entry.connection.isActive else { continue }
            if now - entry.since >= idleTimeout {
                // The newest has expired, so all older ones have too.
                entry.connection.close()
                closeIdle(to: target)
                return nil
            }
            return entry.connection
        }
        return nil
    }

    /// Takes back a connection whose last exchange ended cleanly.
    func put(_ connection: UpstreamConnection, now: NIODeadline = .now()) {
        connection.delegate = nil
        connection.resumeReads()  // an idle connection must still notice the target closing it
        guard connection.isActive else { return }
        var list = idle[connection.target, default: []]
        guard list.count < maxIdlePerTarget else {
            connection.close()
            return
        }
        list.append(Idle(connection: connection, since: now))
        idle[connection.target] = list
    }

    func remove(_ connection: UpstreamConnection) {
        idle[connection.target]?.removeAll { $0.connection === connection }
    }

    /// Closes connections idle for `idleTimeout` or longer; run periodically.
    func closeExpired(now: NIODeadline = .now()) {
        for (target, list) in idle {
            let expired = list.prefix { now - $0.since >= idleTimeout }
            guard !expired.isEmpty else { continue }
            idle[target] = Array(list.dropFirst(expired.count))
            for entry in expired { entry.connection.close() }
        }
    }

    /// Closes the idle connections to a target that has left its group, so a later
    /// process on the same port starts with fresh connections.
    func closeIdle(to target: Target) {
        for entry in idle.removeValue(forKey: target) ?? [] { entry.connection.close() }
    }

    func closeAll() {
        let all = idle.values.flatMap { $0 }
        idle = [:]
        for entry in all { entry.connection.close() }
    }

    var idleCount: Int { idle.values.reduce(0) { $0 + $1.count } }
}
