/// What `Install` does when a file it would copy already exists and was not put there by
/// the previous deployment (reference §2.4).
public enum FileExistsBehavior: String, Sendable, CaseIterable {
    /// Fail the deployment on that instance (CodeDeploy's default).
    case disallow = "DISALLOW"
    /// Replace the existing file with the revision's.
    case overwrite = "OVERWRITE"
    /// Keep the existing file and skip the revision's.
    case retain = "RETAIN"
}
