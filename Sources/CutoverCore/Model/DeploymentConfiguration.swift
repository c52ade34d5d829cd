/// The minimum number of healthy instances a server deployment keeps (reference §6.4, §7).
public enum MinimumHealthyHosts: Sendable, Equatable, Codable {
    /// At least this many instances stay healthy; 0 means all at once.
    case hostCount(Int)
    /// At least this percent of the instances (rounded up) stay healthy; 0–99.
    case fleetPercent(Int)
    /// `CodeDeployDefault.OneAtATime`: one instance at a time; a failure fails the
    /// deployment unless it is on the last instance. (GetDeploymentConfig reports it as
    /// MOST_CONCURRENCY 1, a type users cannot set.)
    case oneAtATime

    /// Checks the ranges CodeDeploy accepts.
    public func validate() throws(CoreError) {
        switch self {
        case .hostCount(let v) where v < 0:
            throw .invalid("minimum healthy hosts: HOST_COUNT must be 0 or more, got \(v)")
        case .fleetPercent(let p) where p < 0 || p > 99:
            throw .invalid("minimum healthy hosts: FLEET_PERCENT must be between 0 and 99, got \(p)")
        default:
            return
        }
    }

    /// CodeDeploy's spelling of the type.
    public var typeName: String {
        switch self {
        case .hostCount: "HOST_COUNT"
        case .fleetPercent: "FLEET_PERCENT"
        case .oneAtATime: "MOST_CONCURRENCY"
        }
    }

    public var value: Int {
        switch self {
        case .hostCount(let v), .fleetPercent(let v): v
        case .oneAtATime: 1
        }
    }
}

/// How traffic moves to the new version, for Lambda and ECS (reference §6.2–6.4).
public enum TrafficRouting: Sendable, Equatable, Codable {
    case allAtOnce
    /// `percent` to the new version, then after `intervalMinutes` the rest.
    case timeBasedCanary(percent: Int, intervalMinutes: Int)
    /// `percent` more every `intervalMinutes` until all of it.
    case timeBasedLinear(percent: Int, intervalMinutes: Int)

    public func validate() throws(CoreError) {
        switch self {
        case .allAtOnce:
            return
        case .timeBasedCanary(let p, let i), .timeBasedLinear(let p, let i):
            if p < 1 || p > 99 { throw .invalid("traffic routing: the percentage must be between 1 and 99, got \(p)") }
            if i < 1 { throw .invalid("traffic routing: the interval must be at least 1 minute, got \(i)") }
            if case .timeBasedLinear = self, TrafficSchedule.steps(for: self).last!.atSeconds > 2880 * 60 {
                throw .invalid("traffic routing: shifting may take at most 2880 minutes from first to last step")
            }
            if case .timeBasedCanary = self, i > 2880 {
                throw .invalid("traffic routing: shifting may take at most 2880 minutes from first to last step")
            }
        }
    }
}

/// A deployment configuration: pacing and success rules (reference §6).
public struct DeploymentConfiguration: Sendable, Equatable, Codable {
    public var name: String
    public var platform: ComputePlatform
    /// For the server platform.
    public var minimumHealthyHosts: MinimumHealthyHosts?
    /// For the Lambda and ECS platforms.
    public var trafficRouting: TrafficRouting?

    public init(name: String, platform: ComputePlatform, minimumHealthyHosts: MinimumHealthyHosts? = nil,
                trafficRouting: TrafficRouting? = nil) {
        self.name = name
        self.platform = platform
        self.minimumHealthyHosts = minimumHealthyHosts
        self.trafficRouting = trafficRouting
    }

    /// Checks what CreateDeploymentConfig checks.
    public func validate() throws(CoreError) {
        if name.isEmpty || name.count > 100 {
            throw .invalid("configuration name must have 1 to 100 characters, got \(name.count)")
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+=,@-")
        if let bad = name.first(where: { !allowed.contains($0) }) {
            throw .invalid("configuration name \"\(name)\": character \"\(bad)\" is not allowed (use letters, digits and ._+=,@-)")
        }
        switch platform {
        case .server:
            guard let minimumHealthyHosts else {
                throw .invalid("configuration \(name): a server configuration needs minimum healthy hosts")
            }
            if trafficRouting != nil {
                throw .invalid("configuration \(name): traffic routing is for lambda and ecs, not server")
            }
            try minimumHealthyHosts.validate()
        case .lambda, .ecs:
            guard let trafficRouting else {
                throw .invalid("configuration \(name): a \(platform.rawValue) configuration needs traffic routing")
            }
            if minimumHealthyHosts != nil {
                throw .invalid("configuration \(name): minimum healthy hosts are for server, not \(platform.rawValue)")
            }
            try trafficRouting.validate()
        }
    }
}

extension DeploymentConfiguration {
    /// What a Lambda or ECS rollback deploys with: everything back at once (reference
    /// §13: "on alarm: immediately").
    public static func trafficRollback(_ platform: ComputePlatform) -> DeploymentConfiguration {
        DeploymentConfiguration(name: "CodeDeployDefault.\(platform == .lambda ? "Lambda" : "ECS")AllAtOnce",
                                platform: platform, trafficRouting: .allAtOnce)
    }
}
