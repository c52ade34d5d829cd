import NIOHTTP1

/// What the Auto Scaling API reports as a failure; `route` renders each as a problem
/// with Auto Scaling's error code and an HTTP status.
enum AutoScalingError: Error, CustomStringConvertible {
    case groupNotFound(String)
    /// A bad request: the message names the field and says what to change.
    case invalid(String)
    /// The daemon is stopping.
    case shutDown

    var description: String {
        switch self {
        // What AWS answers for an unknown group, and then which one.
        case .groupNotFound(let name): "AutoScalingGroup name not found - no Auto Scaling group named \(name)"
        case .invalid(let message): message
        case .shutDown: "the daemon is shutting down"
        }
    }

    /// Auto Scaling answers ValidationError for unknown groups too.
    var code: String {
        switch self {
        case .groupNotFound, .invalid: "ValidationError"
        case .shutDown: "ServiceUnavailable"
        }
    }

    var status: HTTPResponseStatus {
        switch self {
        case .groupNotFound: .notFound
        case .invalid: .badRequest
        case .shutDown: .serviceUnavailable
        }
    }
}
