/// The Lambda appspec: move one alias from one version of one function to another
/// (reference §4).
public struct LambdaAppSpec: Sendable, Equatable {
    /// The resource's logical name in the appspec (any name).
    public var resourceName: String
    /// The function's name.
    public var name: String
    /// The alias whose traffic moves.
    public var alias: String
    /// The version the alias points to now, and the one it moves to.
    public var currentVersion: Int
    public var targetVersion: Int
    /// One Lambda function name (or ARN) per hooked event.
    public var hooks: [LifecycleEvent: String]

    public init(
        resourceName: String, name: String, alias: String, currentVersion: Int, targetVersion: Int,
        hooks: [LifecycleEvent: String] = [:]
    ) {
        self.resourceName = resourceName
        self.name = name
        self.alias = alias
        self.currentVersion = currentVersion
        self.targetVersion = targetVersion
        self.hooks = hooks
    }
}
