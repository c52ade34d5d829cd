import NIOHTTP1

/// What the services API reports as a failure; `route` renders each as a problem with
/// ECS's error code and an HTTP status.
enum ServiceError: Error, CustomStringConvertible {
    case serviceNotFound(String)
    case taskDefinitionNotFound(String)
    case taskSetNotFound(service: String, id: String)
    /// A bad request: the message says what to change.
    case invalid(String)
    /// A task set that did not become stable (CodeDeploy's ECS_UPDATE_ERROR).
    case updateError(String)
    /// The daemon is stopping.
    case shutDown

    var description: String {
        switch self {
        case .serviceNotFound(let name): "service \(name) not found"
        case .taskDefinitionNotFound(let reference): "task definition \(reference) not found; register it with POST /v1/task-definitions"
        case .taskSetNotFound(let service, let id): "service \(service) has no task set \(id)"
        case .invalid(let message), .updateError(let message): message
        case .shutDown: "the daemon is shutting down"
        }
    }

    /// ECS's exception names for the lookups, CodeDeploy's code for stability.
    var code: String {
        switch self {
        case .serviceNotFound: "ServiceNotFoundException"
        case .taskDefinitionNotFound, .invalid: "InvalidParameterException"
        case .shutDown: "ServerException"
        case .taskSetNotFound: "TaskSetNotFoundException"
        case .updateError: "ECS_UPDATE_ERROR"
        }
    }

    var status: HTTPResponseStatus {
        switch self {
        case .serviceNotFound, .taskDefinitionNotFound, .taskSetNotFound: .notFound
        case .invalid, .updateError: .badRequest
        case .shutDown: .serviceUnavailable
        }
    }
}
