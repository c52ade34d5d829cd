import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The local cloud's HTTP load balancer: listeners on 127.0.0.1 forwarding to target
/// groups, with health checks, connection draining and weighted forwarding — the parts
/// of an Application Load Balancer that CodeDeploy's in-place and blue/green
/// deployments drive.
///
/// The daemon owns instances. All methods are safe to call from any thread or task;
/// proxying itself runs on SwiftNIO event loops, each client connection and its
/// upstream connections on one loop. Call `shutdown()` before dropping the balancer.
public final class LoadBalancer: Sendable {
    /// Tunables that tests and the benchmark care about; the defaults suit the daemon.
    public struct Configuration: Sendable {
        /// How long opening a connection to a target may take before the request fails
        /// (or is retried on another target).
        public var upstreamConnectTimeout: Duration = .seconds(5)
        /// How long a pooled connection to a target may idle before the balancer closes
        /// it: below common servers' keep-alive timeouts (Node.js: 5 s) so the balancer,
        /// not the server, closes idle connections.
        public var upstreamIdleTimeout: Duration = .seconds(4)

        public init() {}
    }

    public let eventLoopGroup: any EventLoopGroup
    public let configuration: Configuration
    private let ownsEventLoopGroup: Bool
    let pools: UpstreamPoolRegistry
    private let state = Mutex(State())

    private struct State {
        var listeners: [Int: Listener] = [:]
        var targetGroups: [String: TargetGroup] = [:]
        var shutDown = false
    }

    /// A balancer running on `eventLoopGroup`, or on its own group of `threads` threads
    /// (one per core by default), which `shutdown()` then releases.
    public init(eventLoopGroup: (any EventLoopGroup)? = nil, threads: Int = System.coreCount,
                configuration: Configuration = Configuration()) {
        if let eventLoopGroup {
            self.eventLoopGroup = eventLoopGroup
            self.ownsEventLoopGroup = false
        } else {
            self.eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
            self.ownsEventLoopGroup = true
        }
        self.configuration = configuration
        self.pools = UpstreamPoolRegistry(eventLoopGroup: self.eventLoopGroup,
                                          idleTimeout: TimeAmount(configuration.upstreamIdleTimeout))
    }

    // MARK: - Target groups

    public func createTargetGroup(name: String, healthCheck: HealthCheck = HealthCheck()) throws(LoadBalancerError) -> TargetGroup {
        try healthCheck.validate()
        let group = TargetGroup(name: name, healthCheck: healthCheck, eventLoopGroup: eventLoopGroup, pools: pools)
        try state.withLock { (s: inout State) throws(LoadBalancerError) in
            guard !s.shutDown else { throw .shutDown }
            guard s.targetGroups[name] == nil else { throw .targetGroupExists(name: name) }
            s.targetGroups[name] = group
        }
        return group
    }

    public func targetGroup(named name: String) -> TargetGroup? {
        state.withLock { $0.targetGroups[name] }
    }

    public var targetGroups: [TargetGroup] {
        state.withLock { $0.targetGroups.values.sorted { $0.name < $1.name } }
    }

    /// Deletes a group no listener forwards to, stopping its health checks.
    public func deleteTargetGroup(named name: String) async throws(LoadBalancerError) {
        let group = try state.withLock { (s: inout State) throws(LoadBalancerError) -> TargetGroup in
            guard let group = s.targetGroups[name] else { throw .unknownTargetGroup(name: name) }
            for listener in s.listeners.values.sorted(by: { $0.port < $1.port })
            where listener.action.targetGroups.contains(where: { $0 === group }) {
                throw .targetGroupInUse(name: name, listenerPort: listener.port)
            }
            s.targetGroups[name] = nil
            return group
        }
        try? await group.stop().get()
    }

    // MARK: - Listeners

    /// Starts listening on 127.0.0.1:`port` (0 picks a free port; read it from the
    /// returned listener) and forwarding by `action`.
    public func createListener(port: Int, action: ListenerAction) async throws(LoadBalancerError) -> Listener {
        guard (0...65535).contains(port) else { throw .bindFailed(port: port, reason: "port must be 0–65535") }
        try action.validate()
        try state.withLock { (s: inout State) throws(LoadBalancerError) in
            guard !s.shutDown else { throw .shutDown }
            try Self.checkOwned(action, by: s)
            if port != 0, s.listeners[port] != nil { throw .listenerExists(port: port) }
        }

        let router = ListenerRouter(action)
        let connections = ConnectionTracker()
        let pools = self.pools
        let connectTimeout = TimeAmount(configuration.upstreamConnectTimeout)
        let serverChannel: any Channel
        do {
            let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
            serverChannel = try await ServerBootstrap(group: eventLoopGroup)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelInitializer { channel in
                    connections.add(channel)
                    return channel.eventLoop.makeCompletedFuture {
                        let listenerPort = channel.localAddress?.port ?? port
                        // Response headers were parsed (and so validated) from the target's
                        // response; the balancer's own are constants.
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                            withPipeliningAssistance: true, withErrorHandling: true, withOutboundHeaderValidation: false)
                        try channel.pipeline.syncOperations.addHandler(
                            ProxyHandler(router: router, pools: pools, listenerPort: listenerPort, connectTimeout: connectTimeout))
                    }
                }
                .bind(to: address)
                .get()
        } catch {
            if let io = error as? IOError, io.errnoCode == EADDRINUSE { throw .portInUse(port: port) }
            throw .bindFailed(port: port, reason: "\(error)")
        }

        let listener = Listener(port: serverChannel.localAddress?.port ?? port, serverChannel: serverChannel,
                                router: router, connections: connections)
        let added = state.withLock { s in
            guard !s.shutDown, s.listeners[listener.port] == nil else { return false }
            s.listeners[listener.port] = listener
            return true
        }
        guard added else {
            await listener.close(gracePeriod: .zero)
            throw state.withLock { $0.shutDown } ? .shutDown : .listenerExists(port: listener.port)
        }
        return listener
    }

    public func listener(port: Int) -> Listener? {
        state.withLock { $0.listeners[port] }
    }

    public var listeners: [Listener] {
        state.withLock { $0.listeners.values.sorted { $0.port < $1.port } }
    }

    /// Changes where a listener forwards: how blue/green swaps traffic and how traffic
    /// shifting moves weights. Requests already in flight are not affected.
    public func modifyListener(port: Int, action: ListenerAction) throws(LoadBalancerError) {
        try action.validate()
        try state.withLock { (s: inout State) throws(LoadBalancerError) in
            guard let listener = s.listeners[port] else { throw .unknownListener(port: port) }
            try Self.checkOwned(action, by: s)
            listener.router.setAction(action)
        }
    }

    /// Stops a listener: no new connections, open ones finish their current request,
    /// stragglers are closed after `gracePeriod`.
    public func deleteListener(port: Int, gracePeriod: Duration = .seconds(10)) async throws(LoadBalancerError) {
        let listener = try state.withLock { (s: inout State) throws(LoadBalancerError) -> Listener in
            guard let listener = s.listeners.removeValue(forKey: port) else { throw .unknownListener(port: port) }
            return listener
        }
        await listener.close(gracePeriod: gracePeriod)
    }

    // MARK: - Shutdown

    /// Closes every listener (letting in-flight requests finish for up to `gracePeriod`),
    /// stops health checks, closes pooled upstream connections and, when the balancer
    /// created its event loop group, shuts the group down. Calling it again does nothing.
    public func shutdown(gracePeriod: Duration = .seconds(10)) async {
        let (listeners, groups, first) = state.withLock { s in
            let first = !s.shutDown
            s.shutDown = true
            let result = (Array(s.listeners.values), Array(s.targetGroups.values), first)
            s.listeners = [:]
            return result
        }
        guard first else { return }
        await withTaskGroup(of: Void.self) { tasks in
            for listener in listeners {
                tasks.addTask { await listener.close(gracePeriod: gracePeriod) }
            }
        }
        for group in groups {
            try? await group.stop().get()
        }
        try? await pools.closeAll(on: eventLoopGroup).get()
        if ownsEventLoopGroup {
            try? await eventLoopGroup.shutdownGracefully()
        }
    }

    // MARK: - Helpers

    /// Idle pooled upstream connections across all event loops; for tests and status.
    public func idleUpstreamConnections() async -> Int {
        (try? await pools.idleCount(on: eventLoopGroup).get()) ?? 0
    }

    private static func checkOwned(_ action: ListenerAction, by s: State) throws(LoadBalancerError) {
        for group in action.targetGroups where s.targetGroups[group.name] !== group {
            throw .unknownTargetGroup(name: group.name)
        }
    }
}
