/// A parsed and validated appspec: what to install and which hooks to run.
///
/// CodeDeploy has three unrelated appspec forms, one per compute platform, sharing only
/// `version` (always 0.0, so not kept) and the idea of hooks. They are separate types
/// rather than one type with optional fields, so that code handling an ECS deployment
/// cannot ask for a server's file list.
public enum AppSpec: Sendable, Equatable {
    /// EC2/on-premises: files to copy, permissions to set, scripts to run (reference §2).
    case server(ServerAppSpec)
    /// ECS blue/green: the task definition and container to shift traffic to (§3).
    case ecs(ECSAppSpec)
    /// Lambda: the alias to move between two versions (§4).
    case lambda(LambdaAppSpec)

    /// The platform this appspec deploys to.
    public var platform: ComputePlatform {
        switch self {
        case .server: .server
        case .ecs: .ecs
        case .lambda: .lambda
        }
    }
}
