import NIOCore

/// One backend a target group can send traffic to: an address and a port on loopback.
///
/// A target is identified by its address and port alone, as an ELB target is by instance
/// and port: registering the same address and port twice is the same target.
public struct Target: Hashable, Sendable, CustomStringConvertible {
    /// The IP address the backend listens on; the local cloud always uses 127.0.0.1.
    public var host: String
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { "\(host):\(port)" }

    /// The socket address to connect to, resolved without DNS when `host` is an IP
    /// literal so that opening an upstream connection never waits for a resolver.
    var socketAddress: SocketAddress? {
        try? SocketAddress(ipAddress: host, port: port)
    }
}
