import CutoverCore

/// One step of an Install plan, as the agent's command builder records it.
///
/// Destinations, directories and the paths permissions are set on are instance paths
/// (`/var/www/app/index.html`); a copy's source is a host path in the deployment archive.
public enum InstallInstruction: Sendable, Equatable {
    /// Create one directory and record it for cleanup.
    case makeDirectory(path: String)
    /// Copy one file or symlink and record it for cleanup; `replacing` when
    /// `file_exists_behavior: OVERWRITE` replaces a file already there.
    case copy(source: String, destination: String, replacing: Bool)
    case changeMode(path: String, mode: Int)
    /// `setfacl --set` with these entries plus the base entries derived from the mode.
    case setACL(path: String, entries: [String])
    case setSELinuxContext(path: String, context: SELinuxContext)
    case changeOwner(path: String, owner: String?, group: String?)

    /// The instance path the instruction acts on.
    public var path: String {
        switch self {
        case .makeDirectory(let path), .changeMode(let path, _), .setACL(let path, _),
             .setSELinuxContext(let path, _), .changeOwner(let path, _, _):
            path
        case .copy(_, let destination, _):
            destination
        }
    }
}
