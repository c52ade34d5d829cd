import Foundation

/// Ports on 127.0.0.1.
enum FreePort {
    /// A port nothing listens on now (the kernel's choice for port 0).
    static func pick() throws -> Int { try bindable(0) ?? 0 }

    /// The first port of `range` nothing listens on, skipping `taken`.
    static func pick(in range: ClosedRange<Int>, skipping taken: Set<Int>) throws -> Int {
        for port in range where !taken.contains(port) {
            if try bindable(port) != nil { return port }
        }
        throw Control.Problem("no free port on 127.0.0.1 between \(range.lowerBound) and \(range.upperBound)")
    }

    /// Binds 127.0.0.1:`port` for a moment: the port bound, or nil when it is in use
    /// (port 0: the kernel's choice).
    private static func bindable(_ port: Int) throws -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Control.Problem("cannot open a socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            if port != 0 && errno == EADDRINUSE { return nil }
            throw Control.Problem("cannot bind 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
