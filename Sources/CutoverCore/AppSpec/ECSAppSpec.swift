/// The ECS appspec: the one service whose replacement task set takes the traffic
/// (reference §3).
public struct ECSAppSpec: Sendable, Equatable {
    /// The resource's logical name in the appspec (conventionally `TargetService`).
    public var resourceName: String
    /// The task definition the replacement task set runs (an ARN, or CodePipeline's
    /// `<TASK_DEFINITION>` placeholder).
    public var taskDefinition: String
    /// The container the load balancer routes to, and its port.
    public var containerName: String
    public var containerPort: Int
    /// Fargate platform version; `nil` means the service's (`LATEST` by default).
    public var platformVersion: String?
    /// `nil` means the replacement inherits the service's network settings.
    public var networkConfiguration: ECSNetworkConfiguration?
    /// Empty means the service's own strategy.
    public var capacityProviderStrategy: [CapacityProviderStrategyItem]
    /// One Lambda function name (or ARN) per hooked event; each runs once per deployment.
    public var hooks: [LifecycleEvent: String]

    public init(
        resourceName: String = "TargetService", taskDefinition: String, containerName: String, containerPort: Int,
        platformVersion: String? = nil, networkConfiguration: ECSNetworkConfiguration? = nil,
        capacityProviderStrategy: [CapacityProviderStrategyItem] = [], hooks: [LifecycleEvent: String] = [:]
    ) {
        self.resourceName = resourceName
        self.taskDefinition = taskDefinition
        self.containerName = containerName
        self.containerPort = containerPort
        self.platformVersion = platformVersion
        self.networkConfiguration = networkConfiguration
        self.capacityProviderStrategy = capacityProviderStrategy
        self.hooks = hooks
    }
}
