/// One script a server lifecycle event runs (reference §2.6).
public struct HookScript: Sendable, Equatable {
    /// What CodeDeploy uses when the appspec gives no timeout (the agent's value; one
    /// troubleshooting page says 30 minutes, the agent code says an hour).
    public static let defaultTimeout: Duration = .seconds(3600)

    /// Relative to the bundle root.
    public var location: String
    /// How long the script may run before its process group is killed and the event fails.
    public var timeout: Duration
    /// The user to run as (`su USER -c`); ignored on Windows.
    public var runas: String?
    /// Run through `sudo`: undocumented, but the agent honours it.
    public var sudo: Bool

    public init(location: String, timeout: Duration = defaultTimeout, runas: String? = nil, sudo: Bool = false) {
        self.location = location
        self.timeout = timeout
        self.runas = runas
        self.sudo = sudo
    }
}
