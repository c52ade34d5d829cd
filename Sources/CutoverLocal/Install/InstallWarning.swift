/// Something Install could not do on this host but did not fail for, returned so that the
/// agent can show it (a local host is not a real instance: no root, no ACL tools, no
/// SELinux).
public enum InstallWarning: Sendable, Equatable, CustomStringConvertible {
    /// `acls` were given but `setfacl` is not installed.
    case aclsNotApplied(paths: [String])
    /// SELinux `context` is never applied on local hosts.
    case selinuxContextsNotApplied(paths: [String])
    /// `owner` or `group` were given but the agent is not running as root.
    case ownershipNotApplied(paths: [String])

    /// The instance paths affected.
    public var paths: [String] {
        switch self {
        case .aclsNotApplied(let paths), .selinuxContextsNotApplied(let paths), .ownershipNotApplied(let paths):
            paths
        }
    }

    public var description: String {
        switch self {
        case .aclsNotApplied(let paths):
            "ACLs not set on \(Self.list(paths)): setfacl is not installed (Debian package acl)"
        case .selinuxContextsNotApplied(let paths):
            "SELinux contexts not set on \(Self.list(paths)): local hosts do not support SELinux"
        case .ownershipNotApplied(let paths):
            "owner and group not set on \(Self.list(paths)): the agent is not running as root"
        }
    }

    /// "/a", "/a and /b", or "5 paths (/a, /b, /c, …)".
    private static func list(_ paths: [String]) -> String {
        switch paths.count {
        case 1: paths[0]
        case 2: "\(paths[0]) and \(paths[1])"
        case 3: "\(paths[0]), \(paths[1]) and \(paths[2])"
        default: "\(paths.count) paths (\(paths.prefix(3).joined(separator: ", ")), …)"
        }
    }
}
