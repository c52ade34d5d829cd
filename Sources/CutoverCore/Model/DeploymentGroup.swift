/// An application: a named container of deployment groups on one platform (reference §1).
public struct Application: Sendable, Equatable, Codable {
    public var name: String
    public var platform: ComputePlatform

    public init(name: String, platform: ComputePlatform = .server) {
        self.name = name
        self.platform = platform
    }

    /// 1–100 characters of `[A-Za-z0-9._+=,@-]` (reference §1).
    public func validate() throws(CoreError) {
        try Application.checkName(name, what: "application name")
    }

    static func checkName(_ name: String, what: String) throws(CoreError) {
        if name.isEmpty || name.count > 100 { throw .invalid("\(what) must have 1 to 100 characters, got \(name.count)") }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+=,@-")
        if let bad = name.first(where: { !allowed.contains($0) }) {
            throw .invalid("\(what) \"\(name)\": character \"\(bad)\" is not allowed (use letters, digits and ._+=,@-)")
        }
    }
}

/// What gets deployed: a named revision, with its appspec when one is known.
public struct Revision: Sendable, Equatable {
    public var name: String
    public var appSpec: AppSpec?

    public init(name: String, appSpec: AppSpec? = nil) {
        self.name = name
        self.appSpec = appSpec
    }
}

/// A deployment group: the targets and the policy of deploying to them (reference §14).
public struct DeploymentGroup: Sendable, Equatable, Codable {
    public var application: Application
    public var name: String
    public var selection: TargetSelection
    public var configuration: DeploymentConfiguration
    /// In-place deployments behind a load balancer get the six traffic events (§5.2).
    public var loadBalanced: Bool
    public var alarms: AlarmConfiguration
    public var autoRollback: AutoRollbackConfiguration
    /// Lambda and ECS groups: the function and alias, or the service, traffic moves on.
    public var traffic: TrafficGroupTarget?
    /// Server groups deployed blue/green (reference §10); nil: in place.
    public var blueGreen: BlueGreenGroupOptions?

    public init(application: Application, name: String, selection: TargetSelection,
                configuration: DeploymentConfiguration, loadBalanced: Bool = false,
                alarms: AlarmConfiguration = .init(), autoRollback: AutoRollbackConfiguration = .init(),
                traffic: TrafficGroupTarget? = nil, blueGreen: BlueGreenGroupOptions? = nil) {
        self.application = application
        self.name = name
        self.selection = selection
        self.configuration = configuration
        self.loadBalanced = loadBalanced
        self.alarms = alarms
        self.autoRollback = autoRollback
        self.traffic = traffic
        self.blueGreen = blueGreen
    }

    public var platform: ComputePlatform { application.platform }

    /// What CreateDeploymentGroup checks.
    public func validate() throws(CoreError) {
        try application.validate()
        try Application.checkName(name, what: "deployment group name")
        try selection.validate()
        try alarms.validate()
        try configuration.validate()
        if configuration.platform != platform {
            throw .invalid("deployment group \(name): \(configuration.name) is a \(configuration.platform.rawValue) configuration, the group is \(platform.rawValue)")
        }
        switch (platform, traffic?.kind) {
        case (.server, nil), (.lambda, .function?), (.ecs, .service?): break
        case (.server, _?): throw .invalid("deployment group \(name): a server group deploys to instances, not to a function or a service")
        case (.lambda, _): throw .invalid("deployment group \(name): a lambda group needs a function and an alias")
        case (.ecs, _): throw .invalid("deployment group \(name): an ecs group needs a service")
        }
        if let blueGreen {
            guard platform == .server else { throw .invalid("deployment group \(name): blue/green options are for server groups") }
            guard loadBalanced else {
                throw .invalid("deployment group \(name): a blue/green deployment needs a load balancer (MISSING_ELB_INFORMATION)")
            }
            if case .copyAutoScalingGroup = blueGreen.greenFleet, selection.autoScalingGroups.isEmpty {
                throw .invalid("deployment group \(name): copying the Auto Scaling group needs targets = { asg = {…} }")
            }
            if let wait = blueGreen.readyWaitSeconds, !(0...48 * 3600).contains(wait) {
                throw .invalid("deployment group \(name): the ready wait is at most 48 hours")
            }
            if !(0...2880 * 60).contains(blueGreen.terminationWaitSeconds) {
                throw .invalid("deployment group \(name): the termination wait is 0 to 2880 minutes")
            }
        }
        if let traffic {
            if traffic.name.isEmpty { throw .invalid("deployment group \(name): the \(traffic.kind.rawValue) needs a name") }
            if traffic.kind == .function && (traffic.alias ?? "").isEmpty {
                throw .invalid("deployment group \(name): a lambda group needs the alias traffic moves on")
            }
            if !(0...2880 * 60).contains(traffic.terminationWaitSeconds) {
                throw .invalid("deployment group \(name): the termination wait is 0 to 2880 minutes")
            }
        }
    }
}

/// What a Lambda or ECS group moves traffic on (reference §12, §13).
public struct TrafficGroupTarget: Sendable, Equatable, Codable {
    public var kind: TrafficTarget.Kind
    public var name: String
    public var alias: String?
    /// ECS: how long the original task set is kept once traffic moved.
    public var terminationWaitSeconds: Int

    public init(kind: TrafficTarget.Kind, name: String, alias: String? = nil, terminationWaitSeconds: Int = 0) {
        self.kind = kind
        self.name = name
        self.alias = alias
        self.terminationWaitSeconds = terminationWaitSeconds
    }

    public static func function(_ name: String, alias: String) -> TrafficGroupTarget {
        TrafficGroupTarget(kind: .function, name: name, alias: alias)
    }

    public static func service(_ name: String, terminationWaitSeconds: Int = 0) -> TrafficGroupTarget {
        TrafficGroupTarget(kind: .service, name: name, terminationWaitSeconds: terminationWaitSeconds)
    }
}

/// How a server group deploys blue/green (reference §10).
public struct BlueGreenGroupOptions: Sendable, Equatable, Codable {
    public enum GreenFleet: Sendable, Equatable, Codable {
        /// COPY_AUTO_SCALING_GROUP: a new group like the deployment group's, with as many
        /// instances as are healthy in it.
        case copyAutoScalingGroup
        /// DISCOVER_EXISTING: instances given by tags or names.
        case discover(TargetSelection)
    }

    public var greenFleet: GreenFleet
    /// nil: CONTINUE_DEPLOYMENT; else STOP_DEPLOYMENT after this wait.
    public var readyWaitSeconds: Int?
    public var terminationWaitSeconds: Int
    public var keepOriginals: Bool

    public init(greenFleet: GreenFleet, readyWaitSeconds: Int? = nil, terminationWaitSeconds: Int = 0,
                keepOriginals: Bool = false) {
        self.greenFleet = greenFleet
        self.readyWaitSeconds = readyWaitSeconds
        self.terminationWaitSeconds = terminationWaitSeconds
        self.keepOriginals = keepOriginals
    }
}
