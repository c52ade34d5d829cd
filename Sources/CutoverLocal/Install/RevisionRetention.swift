import Foundation

/// Which old deployment directories of a group DownloadBundle deletes (reference §15.5).
public enum RevisionRetention {
    /// What the agent keeps when `:max_revisions:` is not set.
    public static let defaultRevisionsToKeep = 5

    /// One deployment directory of a group.
    public struct Revision: Sendable, Hashable {
        /// The directory's name: the deployment id.
        public var deploymentID: String
        /// When the directory last changed; the oldest go first.
        public var modified: Date

        public init(deploymentID: String, modified: Date) {
            self.deploymentID = deploymentID
            self.modified = modified
        }
    }

    /// The deployment ids whose directories to delete so that, with the current deployment's
    /// directory, at most `keep` remain, never deleting the current one or the last
    /// successful one.
    ///
    /// The agent's rule: leave out the current deployment; if `n` others remain, delete the
    /// `n - keep + 1` oldest of them by modification time, skipping the last successful one
    /// (so that ApplicationStop can still run its scripts). When the last successful one is
    /// among the oldest, one more directory than `keep` survives. Ties in time go by name,
    /// so that the choice does not depend on listing order.
    ///
    /// Example, `keep` 5: the group holds d-1…d-6 (oldest first), the current deployment is
    /// d-7 and the last successful is d-2. Six others, so two go: d-1 and d-3 (d-2 is
    /// spared), leaving d-2, d-4, d-5, d-6 and d-7. With d-7 already present (a re-run) the
    /// answer is the same. With only d-1…d-4 present nothing goes.
    public static func deploymentsToRemove(
        _ revisions: [Revision], current: String, lastSuccessful: String?, keep: Int
    ) -> [String] {
        let others = revisions.filter { $0.deploymentID != current }
        let extra = others.count - max(keep, 1) + 1
        guard extra > 0 else { return [] }
        return others
            .filter { $0.deploymentID != lastSuccessful }
            .sorted { ($0.modified, $0.deploymentID) < ($1.modified, $1.deploymentID) }
            .prefix(extra)
            .map(\.deploymentID)
    }
}
