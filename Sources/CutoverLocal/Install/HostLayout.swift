import Foundation

/// Where one local host keeps its files: the directory that plays its filesystem and the
/// agent's deployment root (reference §15.2).
///
/// A local host is a directory `D` on the real machine, laid out as
///
/// ```
/// D/root/                                  the instance's `/`
/// D/deployment-root/                       the agent's root_dir
///   <group-id>/<deployment-id>/
///     bundle.tar                           the revision as given (archives only)
///     deployment-archive/                  the unpacked revision; scripts run from here
///     logs/scripts.log
///   deployment-instructions/
///     <group-id>-cleanup                   what the last Install created (hyphen, as the agent)
///     <group-id>-install.json              the last Install's plan (hyphen)
///     <group-id>_last_successful_install   a deployment directory (underscore)
///     <group-id>_most_recent_install       a deployment directory (underscore)
/// ```
///
/// Paths in an appspec are paths on the instance, so they are mapped into `D/root`: an
/// appspec `destination: /var/www/app` lands at `D/root/var/www/app`, and `/` is `D/root`
/// itself. The mapping is lexical and refuses a `..` that climbs above `/`, so that no
/// appspec can make the agent write outside `D/root` (the installer also refuses existing
/// directories that symlink out of it). The agent's own files (bundles, archives, pointer
/// files) are outside `D/root`, as `/opt/codedeploy-agent` is outside an application's
/// directories on a real instance, and are named by host paths.
public struct HostLayout: Sendable, Hashable {
    /// The host directory `D`, absolute and without a trailing slash.
    public let directory: String

    /// Names inside the deployment root that are not deployment groups.
    static let reservedNames: Set<String> = ["deployment-instructions", "deployment-logs"]

    /// A layout under `directory`; a relative path is taken from the current directory.
    public init(directory: String) {
        var path = directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        self.directory = path
    }

    // MARK: - The instance

    /// The directory that plays the instance's `/`.
    public var root: String { directory + "/root" }

    /// The host path of an absolute instance path: `/var/www/app` → `D/root/var/www/app`.
    ///
    /// `.` and repeated slashes are dropped and `..` is resolved lexically; a relative path,
    /// or one whose `..` climbs above `/`, is refused.
    public func hostPath(forInstancePath path: String) throws(InstallError) -> String {
        hostPath(normalized: try Self.normalizedInstancePath(path))
    }

    /// The instance path a host path under `root` stands for, or `nil` if it is not under it.
    public func instancePath(forHostPath path: String) -> String? {
        if path == root { return "/" }
        guard path.hasPrefix(root + "/") else { return nil }
        return String(path.dropFirst(root.count))
    }

    /// `path` with `.`, empty components and `..` resolved: `/var//www/./app/` →
    /// `/var/www/app`, `/var/www/../log` → `/var/log`; `/../etc` and `var/www` are refused.
    public static func normalizedInstancePath(_ path: String) throws(InstallError) -> String {
        guard path.hasPrefix("/") else { throw .notAbsolute(path: path) }
        var components: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..":
                guard components.popLast() != nil else { throw .outsideRoot(path: path) }
            default: components.append(component)
            }
        }
        return "/" + components.joined(separator: "/")
    }

    /// The host path of an already normalised instance path.
    func hostPath(normalized path: String) -> String {
        path == "/" ? root : root + path
    }

    // MARK: - The agent's files

    /// The agent's `root_dir`.
    public var deploymentRoot: String { directory + "/deployment-root" }

    public var instructionsDirectory: String { deploymentRoot + "/deployment-instructions" }

    /// Where the deployment directories of one group live (at most `revisionsToKeep` of them).
    public func groupDirectory(groupID: String) -> String {
        deploymentRoot + "/" + groupID
    }

    public func deploymentDirectory(groupID: String, deploymentID: String) -> String {
        groupDirectory(groupID: groupID) + "/" + deploymentID
    }

    /// The revision as downloaded; named `bundle.tar` whatever its real type, as the agent names it.
    public func bundleFile(groupID: String, deploymentID: String) -> String {
        deploymentDirectory(groupID: groupID, deploymentID: deploymentID) + "/bundle.tar"
    }

    /// The unpacked revision: the appspec's `files` sources and hook `location`s are relative to it.
    public func archiveDirectory(groupID: String, deploymentID: String) -> String {
        deploymentDirectory(groupID: groupID, deploymentID: deploymentID) + "/deployment-archive"
    }

    public func logsDirectory(groupID: String, deploymentID: String) -> String {
        deploymentDirectory(groupID: groupID, deploymentID: deploymentID) + "/logs"
    }

    /// Where hook script output goes, each line prefixed `[stdout]` or `[stderr]`.
    public func scriptLog(groupID: String, deploymentID: String) -> String {
        logsDirectory(groupID: groupID, deploymentID: deploymentID) + "/scripts.log"
    }

    /// What the last Install created, one instance path a line, removed by the next Install.
    public func cleanupFile(groupID: String) -> String {
        instructionsDirectory + "/" + groupID + "-cleanup"
    }

    /// The last Install's plan, as JSON.
    public func installInstructionsFile(groupID: String) -> String {
        instructionsDirectory + "/" + groupID + "-install.json"
    }

    /// Names the deployment directory whose Install last completed; its scripts run
    /// ApplicationStop, BeforeBlockTraffic and AfterBlockTraffic of the next deployment.
    public func lastSuccessfulInstallFile(groupID: String) -> String {
        instructionsDirectory + "/" + groupID + "_last_successful_install"
    }

    /// Names the deployment directory DownloadBundle last filled.
    public func mostRecentInstallFile(groupID: String) -> String {
        instructionsDirectory + "/" + groupID + "_most_recent_install"
    }

    /// The deployment directory named in `_last_successful_install`, if there is one.
    public func lastSuccessfulDeploymentDirectory(groupID: String) -> String? {
        pointer(at: lastSuccessfulInstallFile(groupID: groupID))
    }

    /// The deployment directory named in `_most_recent_install`, if there is one.
    public func mostRecentDeploymentDirectory(groupID: String) -> String? {
        pointer(at: mostRecentInstallFile(groupID: groupID))
    }

    // MARK: - Identifiers

    /// Checks that a group or deployment id can be one directory name, so that it cannot
    /// point the agent at another group's files or outside the deployment root.
    public static func validate(identifier: String, kind: String) throws(InstallError) {
        guard !identifier.isEmpty, identifier != ".", identifier != "..", !identifier.contains("/"),
              !identifier.contains("\0"), !reservedNames.contains(identifier)
        else { throw .invalidIdentifier(kind: kind, value: identifier) }
    }

    static func validate(groupID: String, deploymentID: String) throws(InstallError) {
        try validate(identifier: groupID, kind: "deployment group id")
        try validate(identifier: deploymentID, kind: "deployment id")
    }

    private func pointer(at file: String) -> String? {
        guard let text = try? HostFiles.readText(file) else { return nil }
        let path = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return path.isEmpty ? nil : path
    }
}
