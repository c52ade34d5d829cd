import Foundation

/// Where the local cloud keeps its state: one directory (by default
/// `$XDG_STATE_HOME/cutover/local`; `--state-dir` or `CUTOVER_STATE_DIR` move it).
public struct LocalPaths: Sendable, Equatable {
    public let root: String

    public init(root: String) {
        self.root = (root as NSString).standardizingPath
    }

    /// The running daemon's pid and port.
    public var daemonFile: String { root + "/daemon.json" }
    /// What the daemon writes to stdout and stderr.
    public var logFile: String { root + "/daemon.log" }
    /// The hosts and their tags and ports.
    public var hostsFile: String { root + "/hosts.json" }
    /// One directory per host (see `HostLayout`).
    public var hostsDirectory: String { root + "/hosts" }

    public func hostDirectory(_ name: String) -> String { hostsDirectory + "/" + name }

    public func create() throws {
        try FileManager.default.createDirectory(atPath: hostsDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }
}
