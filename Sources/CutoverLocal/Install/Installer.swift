import CutoverCore
import Foundation

/// The agent's Install event: copies a deployment archive's `files` into the host's root
/// and applies its `permissions` (reference §2.3–§2.5, §15.4).
///
/// The steps are the agent's:
/// 1. remove everything the previous Install of the group listed in `<group-id>-cleanup`,
///    last created first (directories only when empty, so files that scripts added keep
///    theirs), then delete that file;
/// 2. plan the copies, directories and permission changes, failing on any conflict or on
///    a file already there under `DISALLOW` before anything is copied;
/// 3. write the plan to `<group-id>-install.json` and carry it out, listing each created
///    file and directory in a new cleanup file as it goes;
/// 4. point `<group-id>_last_successful_install` at this deployment.
///
/// Differences from a real instance, all reported as warnings rather than failures: ACLs
/// need `setfacl`; SELinux contexts are never set; owner and group need root. Permission
/// changes on a symlink never follow it, so nothing outside the host's root is touched.
public struct Installer: Sendable {
    public var layout: HostLayout
    /// The `setfacl` executable, or `nil` to report `acls` as not applied.
    public var setfacl: String?
    /// Whether `owner` and `group` are applied; they need root.
    public var setsOwnership: Bool

    /// An installer that uses `setfacl` if it is installed and sets ownership if running as root.
    public init(layout: HostLayout) {
        self.init(layout: layout, setfacl: InstallTool.locate("setfacl"), setsOwnership: HostFiles.isRoot)
    }

    public init(layout: HostLayout, setfacl: String?, setsOwnership: Bool) {
        self.layout = layout
        self.setfacl = setfacl
        self.setsOwnership = setsOwnership
    }

    /// Installs the archive DownloadBundle unpacked for this deployment, reading its appspec.
    ///
    /// - Parameters:
    ///   - appSpecFilename: the deployment's appspec name; `appspec.yaml` and `appspec.yml`
    ///     are tried after it.
    ///   - fileExistsBehavior: the deployment's setting, used when the appspec has none
    ///     (`nil`: DISALLOW).
    @discardableResult
    public func install(
        groupID: String, deploymentID: String, appSpecFilename: String = DeploymentArchive.defaultAppSpecFilename,
        fileExistsBehavior: FileExistsBehavior? = nil
    ) throws(InstallError) -> InstallResult {
        try HostLayout.validate(groupID: groupID, deploymentID: deploymentID)
        let directory = layout.archiveDirectory(groupID: groupID, deploymentID: deploymentID)
        let archive = try DeploymentArchive.locate(in: directory, appSpecFilename: appSpecFilename)
        return try install(
            archive.loadAppSpec(), groupID: groupID, deploymentID: deploymentID, fileExistsBehavior: fileExistsBehavior)
    }

    /// Installs this deployment's archive following an appspec already read.
    @discardableResult
    public func install(
        _ appSpec: ServerAppSpec, groupID: String, deploymentID: String, fileExistsBehavior: FileExistsBehavior? = nil
    ) throws(InstallError) -> InstallResult {
        try HostLayout.validate(groupID: groupID, deploymentID: deploymentID)
        let archive = layout.archiveDirectory(groupID: groupID, deploymentID: deploymentID)
        guard HostFiles.isDirectory(archive) else { throw .archiveMissing(path: archive) }
        guard appSpec.os == .linux else {
            throw .unsupportedOperatingSystem(path: archive, os: appSpec.os.rawValue)
        }
        let behavior = appSpec.fileExistsBehavior ?? fileExistsBehavior ?? .disallow
        try HostFiles.makeDirectories(layout.instructionsDirectory)
        try HostFiles.makeDirectories(layout.root)

        // 1. Undo the previous install.
        let cleanupPath = layout.cleanupFile(groupID: groupID)
        let removed = try CleanupFile.undo(at: cleanupPath, layout: layout)

        // 2. Plan.
        var planner = InstallPlanner(layout: layout, archive: archive, behavior: behavior)
        for mapping in appSpec.files { try planner.add(mapping) }
        for permission in appSpec.permissions { try planner.add(permission) }
        let plan = planner.plan

        // 3. Record the plan, then carry it out.
        try HostFiles.writeText(plan.json(), to: layout.installInstructionsFile(groupID: groupID))
        var execution = Execution(installer: self, cleanup: try CleanupFile(creating: cleanupPath))
        for instruction in plan.instructions { try execution.perform(instruction) }

        // 4. This deployment's scripts now stop the application next time.
        try HostFiles.writeText(
            layout.deploymentDirectory(groupID: groupID, deploymentID: deploymentID),
            to: layout.lastSuccessfulInstallFile(groupID: groupID))

        return InstallResult(
            archiveDirectory: archive, fileExistsBehavior: behavior, plan: plan, removed: removed,
            createdDirectories: planner.directories, copiedFiles: planner.copies,
            overwrittenFiles: planner.overwritten, retainedFiles: planner.retained,
            permissionsSet: execution.permissionsSet, warnings: execution.warnings)
    }
}

extension Installer {
    /// Carries out a plan, one instruction at a time, and notes what it could not do.
    private struct Execution {
        let installer: Installer
        let cleanup: CleanupFile
        private(set) var permissionsSet: [String] = []
        private var permissionSetIndex: Set<String> = []
        private var aclsSkipped: [String] = []
        private var contextsSkipped: [String] = []
        private var ownershipSkipped: [String] = []

        init(installer: Installer, cleanup: CleanupFile) {
            self.installer = installer
            self.cleanup = cleanup
        }

        var warnings: [InstallWarning] {
            var warnings: [InstallWarning] = []
            if !aclsSkipped.isEmpty { warnings.append(.aclsNotApplied(paths: aclsSkipped)) }
            if !contextsSkipped.isEmpty { warnings.append(.selinuxContextsNotApplied(paths: contextsSkipped)) }
            if !ownershipSkipped.isEmpty { warnings.append(.ownershipNotApplied(paths: ownershipSkipped)) }
            return warnings
        }

        mutating func perform(_ instruction: InstallInstruction) throws(InstallError) {
            let host = installer.layout.hostPath(normalized: instruction.path)
            switch instruction {
            case .makeDirectory(let path):
                try HostFiles.makeDirectory(host)
                try cleanup.record(path)

            case .copy(let source, let destination, let replacing):
                if let existing = try HostFiles.entry(at: host) {
                    guard replacing else { throw .fileExists(path: destination) }
                    if existing.kind == .directory { throw .isADirectory(path: destination) }
                    try HostFiles.removeFile(host)
                }
                // Listed before copying, so that a half-written file is still cleaned up.
                try cleanup.record(destination)
                switch try HostFiles.entry(at: source)?.kind {
                case .regular: try HostFiles.copyFile(from: source, to: host, keepingOwner: HostFiles.isRoot)
                case .symlink: try HostFiles.copySymlink(from: source, to: host)
                case .directory, .other, nil: throw .unsupportedFileType(path: source)
                }

            case .changeMode(let path, let mode):
                guard try !isSymlink(host) else { return }
                try HostFiles.changeMode(host, to: mode)
                noteSet(path)

            case .setACL(let path, let entries):
                guard let setfacl = installer.setfacl else { return aclsSkipped.append(path) }
                guard let info = try HostFiles.entry(at: host), info.kind != .symlink else { return }
                let acl = AccessControlList(entries: entries).fullEntries(mode: Int(info.permissions))
                let arguments = ["--set", acl.joined(separator: ","), host]
                let outcome = try InstallTool.run(setfacl, arguments)
                guard outcome.status == 0 else {
                    throw .aclFailed(
                        path: path, command: InstallTool.commandLine(setfacl, arguments), status: outcome.status,
                        output: outcome.output)
                }
                noteSet(path)

            case .setSELinuxContext(let path, _):
                contextsSkipped.append(path)

            case .changeOwner(let path, let owner, let group):
                guard installer.setsOwnership else { return ownershipSkipped.append(path) }
                var user: uid_t?
                var groupID: gid_t?
                if let owner {
                    guard let id = HostFiles.userID(named: owner) else { throw .unknownUser(name: owner, path: path) }
                    user = id
                }
                if let group {
                    guard let id = HostFiles.groupID(named: group) else { throw .unknownGroup(name: group, path: path) }
                    groupID = id
                }
                try HostFiles.changeOwner(host, user: user, group: groupID)
                noteSet(path)
            }
        }

        private mutating func noteSet(_ path: String) {
            if permissionSetIndex.insert(path).inserted { permissionsSet.append(path) }
        }

        /// Linux cannot change a symlink's mode or ACL; doing it to the target could reach
        /// outside the host's root, so symlinks are left alone.
        private func isSymlink(_ host: String) throws(InstallError) -> Bool {
            try HostFiles.entry(at: host)?.kind == .symlink
        }
    }
}
