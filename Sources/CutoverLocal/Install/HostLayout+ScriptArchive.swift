import CutoverCore

/// Which deployment archive a lifecycle event takes its appspec and scripts from
/// (reference §5.6).
extension HostLayout {
    /// The events that run before the new bundle is downloaded, and so run the scripts
    /// of the last revision whose Install completed on this host.
    public static let lastSuccessfulRevisionEvents: Set<LifecycleEvent> = [
        .applicationStop, .beforeBlockTraffic, .afterBlockTraffic,
    ]

    /// The deployment archive whose appspec and scripts `event` runs, or `nil` when there
    /// is none and the event is a no-op.
    ///
    /// ApplicationStop, BeforeBlockTraffic and AfterBlockTraffic use the current
    /// deployment's archive if it already exists (a re-run), else the archive of the
    /// deployment named in `_last_successful_install`, else none (the first deployment to
    /// this host). Every other event uses the current deployment's archive, if present.
    /// `_last_successful_install` is written when Install completes, even if a later hook
    /// of that deployment fails, which is the agent's rule.
    public func scriptArchive(for event: LifecycleEvent, groupID: String, deploymentID: String) -> String? {
        guard (try? Self.validate(groupID: groupID, deploymentID: deploymentID)) != nil else { return nil }
        let current = archiveDirectory(groupID: groupID, deploymentID: deploymentID)
        if HostFiles.isDirectory(current) { return current }
        guard Self.lastSuccessfulRevisionEvents.contains(event),
              let previous = lastSuccessfulDeploymentDirectory(groupID: groupID)
        else { return nil }
        let archive = previous + "/deployment-archive"
        return HostFiles.isDirectory(archive) ? archive : nil
    }
}
