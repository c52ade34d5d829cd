import Foundation

/// The agent's DownloadBundle event: puts a revision on a host as an unpacked archive
/// (reference §2.1, §15.5, §15.6).
///
/// A revision is a local directory, copied as it is, or a zip, tar or tgz file, copied to
/// `bundle.tar` (so that the deployment directory keeps what was deployed even if the file
/// is rebuilt later) and unpacked with the system's `unzip` or `tar`. The steps follow the
/// agent's order: delete old deployment directories beyond the ones kept, unpack, strip a
/// GitHub-style wrapping directory, check for the appspec, then point
/// `_most_recent_install` at the new deployment directory.
public struct BundleFetcher: Sendable {
    public var layout: HostLayout
    /// Deployment directories kept per group, the current one included (`:max_revisions:`).
    public var revisionsToKeep: Int

    public init(layout: HostLayout, revisionsToKeep: Int = RevisionRetention.defaultRevisionsToKeep) {
        self.layout = layout
        self.revisionsToKeep = revisionsToKeep
    }

    /// Fetches `revision` (a host path) for one deployment of a group.
    ///
    /// - Parameters:
    ///   - bundleType: what the revision is; by default told from the path (a directory,
    ///     else the file's first bytes, else its extension).
    ///   - appSpecFilename: the appspec name the deployment gives; `appspec.yaml` and
    ///     `appspec.yml` are tried after it.
    /// - Throws: `InstallError`, naming the revision: not found, not a bundle, a tool missing
    ///   or failing, or no appspec at the bundle's root.
    @discardableResult
    public func fetch(
        revision: String, bundleType: BundleType? = nil, groupID: String, deploymentID: String,
        appSpecFilename: String = DeploymentArchive.defaultAppSpecFilename
    ) throws(InstallError) -> FetchedBundle {
        try HostLayout.validate(groupID: groupID, deploymentID: deploymentID)
        let type: BundleType
        if let bundleType {
            guard HostFiles.exists(revision) else { throw .revisionNotFound(path: revision) }
            type = bundleType
        } else {
            guard let detected = try BundleType.detect(at: revision) else { throw .unsupportedBundle(path: revision) }
            type = detected
        }
        if type == .directory, !HostFiles.isDirectory(revision) { throw .unsupportedBundle(path: revision) }

        try HostFiles.makeDirectories(layout.groupDirectory(groupID: groupID))
        let removed = try removeOldDeployments(groupID: groupID, current: deploymentID)

        let deploymentDirectory = layout.deploymentDirectory(groupID: groupID, deploymentID: deploymentID)
        let archive = layout.archiveDirectory(groupID: groupID, deploymentID: deploymentID)
        try HostFiles.makeDirectories(deploymentDirectory)
        // A re-run starts from an empty archive, as the agent's `rm -rf` does.
        try HostFiles.removeTree(archive)

        var stripped: String?
        if type == .directory {
            // Copy what a symlinked revision points to, not the symlink.
            let source = HostFiles.resolved(revision) ?? revision
            try HostFiles.copyTree(from: source, to: archive, keepingOwner: HostFiles.isRoot)
        } else {
            let bundle = layout.bundleFile(groupID: groupID, deploymentID: deploymentID)
            try HostFiles.removeFile(bundle)
            try HostFiles.copyFile(from: revision, to: bundle, keepingOwner: false)
            try HostFiles.makeDirectory(archive)
            try ArchiveExtractor.extract(bundle, as: type, into: archive, revision: revision)
            stripped = try ArchiveExtractor.stripSingleTopLevelDirectory(in: archive)
        }

        let located = try DeploymentArchive.locate(in: archive, appSpecFilename: appSpecFilename, bundle: revision)
        try HostFiles.makeDirectories(layout.instructionsDirectory)
        try HostFiles.writeText(deploymentDirectory, to: layout.mostRecentInstallFile(groupID: groupID))
        return FetchedBundle(
            type: type, deploymentDirectory: deploymentDirectory, archive: located, strippedDirectory: stripped,
            removedDeployments: removed)
    }

    /// Deletes the group's oldest deployment directories beyond `revisionsToKeep`.
    private func removeOldDeployments(groupID: String, current: String) throws(InstallError) -> [String] {
        let group = layout.groupDirectory(groupID: groupID)
        var revisions: [RevisionRetention.Revision] = []
        for name in try HostFiles.names(in: group) {
            guard let info = try HostFiles.entry(at: group + "/" + name), info.kind == .directory else { continue }
            revisions.append(RevisionRetention.Revision(deploymentID: name, modified: info.modificationDate))
        }
        let doomed = RevisionRetention.deploymentsToRemove(
            revisions, current: current, lastSuccessful: lastSuccessfulDeploymentID(groupID: groupID),
            keep: revisionsToKeep)
        for deploymentID in doomed {
            try HostFiles.removeTree(group + "/" + deploymentID)
        }
        return doomed
    }

    /// The deployment id `_last_successful_install` names, compared by name rather than by
    /// path so that a host directory reached through another path still protects it.
    private func lastSuccessfulDeploymentID(groupID: String) -> String? {
        guard let path = layout.lastSuccessfulDeploymentDirectory(groupID: groupID) else { return nil }
        let parent = (path as NSString).deletingLastPathComponent
        guard (parent as NSString).lastPathComponent == groupID else { return nil }
        return (path as NSString).lastPathComponent
    }
}
