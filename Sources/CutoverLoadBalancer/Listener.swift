import NIOCore

/// A port on 127.0.0.1 where the balancer accepts HTTP connections and forwards their
/// requests by its action: a production listener, or a test listener, which is just
/// another listener.
public final class Listener: Sendable {
    /// The bound port, also when the listener was created with port 0.
    public let port: Int
    let serverChannel: any Channel
    let router: ListenerRouter
    let connections: ConnectionTracker

    init(port: Int, serverChannel: any Channel, router: ListenerRouter, connections: ConnectionTracker) {
        self.port = port
        self.serverChannel = serverChannel
        self.router = router
        self.connections = connections
    }

    public var action: ListenerAction { router.action }

    /// Client connections currently open.
    public var openConnections: Int { connections.count }

    /// Stops accepting, lets open connections finish their current request, force-closes
    /// what is left after `gracePeriod`.
    func close(gracePeriod: Duration) async {
        try? await serverChannel.close()
        try? await connections.closeAll(gracePeriod: gracePeriod, on: serverChannel.eventLoop).get()
    }
}
