/// What DownloadBundle left on the host.
public struct FetchedBundle: Sendable, Hashable {
    public var type: BundleType
    /// `…/<group-id>/<deployment-id>`, now named in `_most_recent_install`.
    public var deploymentDirectory: String
    /// The unpacked revision and its appspec.
    public var archive: DeploymentArchive
    /// The single top-level directory removed from an archive that wrapped its contents
    /// in one (as GitHub tarballs do), if there was one.
    public var strippedDirectory: String?
    /// Deployment ids of the group's old deployment directories deleted to keep the last few.
    public var removedDeployments: [String]
}
