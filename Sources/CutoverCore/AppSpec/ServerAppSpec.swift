/// The EC2/on-premises appspec (reference §2).
public struct ServerAppSpec: Sendable, Equatable {
    /// The operating system the revision is for; each CodeDeploy agent accepts only its own.
    public enum OperatingSystem: String, Sendable, CaseIterable {
        case linux
        case windows
    }

    public var os: OperatingSystem
    /// What the `Install` event copies, in the order given.
    public var files: [FileMapping]
    /// `nil` when the appspec does not say; the deployment's own setting (default
    /// `DISALLOW`) then applies (§2.4).
    public var fileExistsBehavior: FileExistsBehavior?
    /// Applied after copying; Linux only.
    public var permissions: [Permission]
    /// Scripts per lifecycle event, each list in the order the appspec gives.
    public var hooks: [LifecycleEvent: [HookScript]]

    public init(
        os: OperatingSystem, files: [FileMapping] = [], fileExistsBehavior: FileExistsBehavior? = nil,
        permissions: [Permission] = [], hooks: [LifecycleEvent: [HookScript]] = [:]
    ) {
        self.os = os
        self.files = files
        self.fileExistsBehavior = fileExistsBehavior
        self.permissions = permissions
        self.hooks = hooks
    }
}
