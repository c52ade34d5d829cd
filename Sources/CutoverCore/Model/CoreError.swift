/// An error of the core: bad input, with a message a user can act on.
public enum CoreError: Error, Equatable, CustomStringConvertible {
    /// The input is not acceptable (a configuration out of range, an unknown name…).
    case invalid(String)
    /// A deployment cannot start or go on; carries CodeDeploy's error code.
    case deployment(DeploymentErrorCode, String)

    public var description: String {
        switch self {
        case .invalid(let message): message
        case .deployment(let code, let message): "\(code.rawValue): \(message)"
        }
    }
}
