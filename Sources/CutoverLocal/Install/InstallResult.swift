import CutoverCore

/// What an Install did; every path is an instance path unless it says otherwise.
public struct InstallResult: Sendable, Equatable {
    /// The host path of the deployment archive installed from.
    public var archiveDirectory: String
    /// The behaviour that applied: the appspec's, else the deployment's, else DISALLOW.
    public var fileExistsBehavior: FileExistsBehavior
    /// The plan written to `<group-id>-install.json` and carried out.
    public var plan: InstallPlan
    /// What the previous Install created and this one removed, in removal order.
    public var removed: [String]
    public var createdDirectories: [String]
    /// Every file and symlink copied, the overwritten ones included.
    public var copiedFiles: [String]
    /// Files that were already there and were replaced (`OVERWRITE`).
    public var overwrittenFiles: [String]
    /// Files that were already there and were kept (`RETAIN`); not recorded for cleanup.
    public var retainedFiles: [String]
    /// Paths whose mode, ACL or ownership was set.
    public var permissionsSet: [String]
    public var warnings: [InstallWarning]
}
