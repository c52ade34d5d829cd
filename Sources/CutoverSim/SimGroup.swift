import CutoverCore

/// A deployment group as the simulated cloud keeps it: the group, and what the cloud
/// knows of it over time.
public struct SimGroup: Sendable {
    public var group: DeploymentGroup
    /// The group's target revision: the last one deployed successfully.
    public var lastSuccessfulRevision: String?
    /// The deployment in progress, if any (only one per group).
    public var activeDeployment: String?

    public init(_ group: DeploymentGroup, lastSuccessfulRevision: String? = nil) {
        self.group = group
        self.lastSuccessfulRevision = lastSuccessfulRevision
    }

    /// A server group of application `application` (convenience for tests and tools).
    public init(application: String, name: String, selection: TargetSelection, configuration: DeploymentConfiguration,
                loadBalanced: Bool = false, alarms: AlarmConfiguration = .init(),
                autoRollback: AutoRollbackConfiguration = .init(), lastSuccessfulRevision: String? = nil) {
        self.init(DeploymentGroup(application: Application(name: application), name: name, selection: selection,
                                  configuration: configuration, loadBalanced: loadBalanced, alarms: alarms,
                                  autoRollback: autoRollback),
                  lastSuccessfulRevision: lastSuccessfulRevision)
    }

    public var name: String { group.name }
    public var application: String { group.application.name }
    public var selection: TargetSelection { group.selection }
    public var configuration: DeploymentConfiguration { group.configuration }
    public var loadBalanced: Bool { group.loadBalanced }
    public var alarms: AlarmConfiguration { group.alarms }
    public var autoRollback: AutoRollbackConfiguration { group.autoRollback }
}
