import CutoverCore

/// A deployment group as the simulated cloud keeps it.
public struct SimGroup: Sendable {
    public var application: String
    public var name: String
    public var selection: TargetSelection
    public var configuration: DeploymentConfiguration
    public var loadBalanced: Bool
    public var alarms: AlarmConfiguration
    public var autoRollback: AutoRollbackConfiguration
    /// The group's target revision: the last one deployed successfully.
    public var lastSuccessfulRevision: String?
    /// The deployment in progress, if any (only one per group).
    public var activeDeployment: String?

    public init(application: String, name: String, selection: TargetSelection, configuration: DeploymentConfiguration,
                loadBalanced: Bool = false, alarms: AlarmConfiguration = .init(),
                autoRollback: AutoRollbackConfiguration = .init(), lastSuccessfulRevision: String? = nil) {
        self.application = application
        self.name = name
        self.selection = selection
        self.configuration = configuration
        self.loadBalanced = loadBalanced
        self.alarms = alarms
        self.autoRollback = autoRollback
        self.lastSuccessfulRevision = lastSuccessfulRevision
    }
}
