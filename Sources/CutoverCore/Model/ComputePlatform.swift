/// What a deployment group deploys to, with CodeDeploy's names.
public enum ComputePlatform: String, Sendable, Codable, CaseIterable {
    /// EC2 and on-premises instances ("Server" in CodeDeploy).
    case server
    /// Lambda-style functions: an alias moves between versions.
    case lambda
    /// ECS-style services: a replacement task set takes the traffic.
    case ecs

    /// CodeDeploy's spelling: `Server`, `Lambda`, `ECS`.
    public var codeDeployName: String {
        switch self {
        case .server: "Server"
        case .lambda: "Lambda"
        case .ecs: "ECS"
        }
    }

    public init?(name: String) {
        switch name.lowercased() {
        case "server", "ec2", "onpremises": self = .server
        case "lambda": self = .lambda
        case "ecs": self = .ecs
        default: return nil
        }
    }
}
