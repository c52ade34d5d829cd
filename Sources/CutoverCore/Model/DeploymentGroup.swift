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

    public init(application: Application, name: String, selection: TargetSelection,
                configuration: DeploymentConfiguration, loadBalanced: Bool = false,
                alarms: AlarmConfiguration = .init(), autoRollback: AutoRollbackConfiguration = .init()) {
        self.application = application
        self.name = name
        self.selection = selection
        self.configuration = configuration
        self.loadBalanced = loadBalanced
        self.alarms = alarms
        self.autoRollback = autoRollback
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
    }
}
