/// Everything a deployment needs to decide what to do: the targets as they were at
/// the start, the configuration, the revision and the group's options. Together with
/// the recorded events it determines the deployment's state completely.
public struct DeploymentSpec: Sendable, Equatable, Codable {
    public var id: String
    public var application: String
    public var group: String
    public var platform: ComputePlatform
    /// The revision being deployed.
    public var revision: String
    /// The group's last successful revision (its target revision), if any: what a
    /// rollback goes back to.
    public var lastSuccessfulRevision: String?
    public var configuration: DeploymentConfiguration
    /// The targets, in the fleet's order, with their health at the start.
    public var targets: [TargetDescription]
    /// With a load balancer the in-place order adds the six traffic events (§5.2).
    public var loadBalanced: Bool
    public var ignoreApplicationStopFailures: Bool
    public var alarms: AlarmConfiguration
    public var autoRollback: AutoRollbackConfiguration
    public var creator: DeploymentCreator
    /// Set on a rollback: the deployment it rolls back.
    public var rollbackOf: String?
    /// The name of a policy that chooses the batches (server) or the traffic steps
    /// (lambda, ecs); nil: the configuration does.
    public var policy: String?
    /// Lambda and ECS: what traffic moves between. The one target is the function or
    /// the service.
    public var traffic: TrafficTarget?
    /// Server blue/green: which targets are the replacements, and the waits.
    public var blueGreen: BlueGreenOptions?

    public init(id: String, application: String, group: String, platform: ComputePlatform = .server,
                revision: String, lastSuccessfulRevision: String? = nil, configuration: DeploymentConfiguration,
                targets: [TargetDescription], loadBalanced: Bool = false, ignoreApplicationStopFailures: Bool = false,
                alarms: AlarmConfiguration = .init(), autoRollback: AutoRollbackConfiguration = .init(),
                creator: DeploymentCreator = .user, rollbackOf: String? = nil, policy: String? = nil,
                traffic: TrafficTarget? = nil, blueGreen: BlueGreenOptions? = nil) {
        self.id = id
        self.application = application
        self.group = group
        self.platform = platform
        self.revision = revision
        self.lastSuccessfulRevision = lastSuccessfulRevision
        self.configuration = configuration
        self.targets = targets
        self.loadBalanced = loadBalanced
        self.ignoreApplicationStopFailures = ignoreApplicationStopFailures
        self.alarms = alarms
        self.autoRollback = autoRollback
        self.creator = creator
        self.rollbackOf = rollbackOf
        self.policy = policy
        self.traffic = traffic
        self.blueGreen = blueGreen
    }

    /// The lifecycle events every target goes through, in order.
    public var lifecycleOrder: [LifecycleEvent] {
        if let blueGreen { return blueGreen.rollingBack ? BlueGreenStage.restoreOriginals.events : BlueGreenStage.install.events }
        // A launch deployment has no block-traffic events: the instance has no traffic yet (§5.4).
        if creator == .autoscaling {
            return loadBalanced ? LifecycleEvent.serverInPlace + [.beforeAllowTraffic, .allowTraffic, .afterAllowTraffic]
                                : LifecycleEvent.serverInPlace
        }
        // A termination deployment takes the instance out and stops the application
        // (§5.4; the order inside it is UNVERIFIED: by analogy with §5.2, block first).
        if creator == .autoscalingTermination {
            return (loadBalanced ? [.beforeBlockTraffic, .blockTraffic, .afterBlockTraffic] : []) + [.applicationStop]
        }
        return switch platform {
        case .server: loadBalanced ? LifecycleEvent.serverInPlaceWithLoadBalancer : LifecycleEvent.serverInPlace
        case .lambda: LifecycleEvent.lambda
        case .ecs: LifecycleEvent.ecs
        }
    }

    /// Lambda and ECS deployments move traffic instead of deploying in batches.
    public var shiftsTraffic: Bool { platform != .server }

    /// Whether `revision` names a revision the group can record as its last successful
    /// one (a blue/green rollback of originals set up by other means names none).
    public var namesRevision: Bool { revision != BlueGreenOptions.originalsRevision }
}

/// What a Lambda or ECS deployment moves traffic between (reference §12, §13).
public struct TrafficTarget: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// A function's alias moves from one version to another.
        case function
        /// A service's production listener moves from the original task set to a
        /// replacement running another task definition.
        case service
    }

    public var kind: Kind
    /// The function or the service.
    public var name: String
    /// The function's alias.
    public var alias: String?
    /// The version (function) or task definition (service) that has the traffic now.
    public var currentVersion: String
    /// The version or task definition the deployment moves traffic to.
    public var targetVersion: String
    /// ECS: the service has a test listener (AllowTestTraffic routes it to the replacement).
    public var hasTestListener: Bool
    /// ECS: how long the original task set is kept after traffic moved (reference §12:
    /// `terminationWaitTimeInMinutes`, at most 2880 minutes).
    public var terminationWaitSeconds: Int

    public init(kind: Kind, name: String, alias: String? = nil, currentVersion: String, targetVersion: String,
                hasTestListener: Bool = false, terminationWaitSeconds: Int = 0) {
        self.kind = kind
        self.name = name
        self.alias = alias
        self.currentVersion = currentVersion
        self.targetVersion = targetVersion
        self.hasTestListener = hasTestListener
        self.terminationWaitSeconds = terminationWaitSeconds
    }
}

/// Alarms watched during a deployment (reference §9.2).
public struct AlarmConfiguration: Sendable, Equatable, Codable {
    public var names: [String]
    public var ignorePollAlarmFailure: Bool

    public init(names: [String] = [], ignorePollAlarmFailure: Bool = false) {
        self.names = names
        self.ignorePollAlarmFailure = ignorePollAlarmFailure
    }

    public var isEnabled: Bool { !names.isEmpty }

    public func validate() throws(CoreError) {
        if names.count > 10 { throw .invalid("alarms: at most 10 per deployment group, got \(names.count)") }
        var seen = Set<String>()
        for name in names {
            if name.isEmpty || name.count > 255 { throw .invalid("alarms: a name must have 1 to 255 characters") }
            if !seen.insert(name).inserted { throw .invalid("alarms: \"\(name)\" is listed twice") }
        }
    }
}

/// When a failed or stopped deployment is rolled back (reference §9.1).
public struct AutoRollbackConfiguration: Sendable, Equatable, Codable {
    public enum Trigger: String, Sendable, Codable, CaseIterable {
        case deploymentFailure = "DEPLOYMENT_FAILURE"
        case stopOnAlarm = "DEPLOYMENT_STOP_ON_ALARM"
        case stopOnRequest = "DEPLOYMENT_STOP_ON_REQUEST"
    }

    public var triggers: Set<Trigger>

    public init(triggers: Set<Trigger> = []) { self.triggers = triggers }
}
