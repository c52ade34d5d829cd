import NIOHTTP1

/// What the functions API reports as a failure; `LocalFunctions.route` renders each as
/// a problem with Lambda's exception name and an HTTP status.
enum FunctionProblem: Error, CustomStringConvertible {
    case functionNotFound(String)
    /// A version or alias the function does not have.
    case qualifierNotFound(function: String, qualifier: String)
    /// A bad parameter: the message says what to change.
    case invalid(String)
    /// An event that is not JSON.
    case invalidEvent(String)
    /// The disk refused (copying code, writing state).
    case storage(String)

    var description: String {
        switch self {
        case .functionNotFound(let name): "function \(name) not found; create it with POST /v1/functions"
        case .qualifierNotFound(let function, let qualifier):
            "function \(function) has no version or alias \(qualifier)"
        case .invalid(let message), .invalidEvent(let message), .storage(let message): message
        }
    }

    var code: String {
        switch self {
        case .functionNotFound, .qualifierNotFound: "ResourceNotFoundException"
        case .invalid: "InvalidParameterValueException"
        case .invalidEvent: "InvalidRequestContentException"
        case .storage: "ServiceException"
        }
    }

    var status: HTTPResponseStatus {
        switch self {
        case .functionNotFound, .qualifierNotFound: .notFound
        case .invalid, .invalidEvent: .badRequest
        case .storage: .internalServerError
        }
    }
}
