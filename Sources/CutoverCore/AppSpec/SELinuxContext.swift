/// The SELinux label a `permissions` entry applies with `semanage fcontext` and `restorecon`.
public struct SELinuxContext: Sendable, Equatable {
    /// The SELinux user. The guide calls the key `user`; agent 1.8.1 reads `name`. Cutover
    /// accepts either, so that files written for the agent and for the guide both work.
    public var user: String?
    public var type: String
    /// An MLS/MCS range such as `s0` or `s0-s1:c0.c3,c7`.
    public var range: String?

    public init(user: String? = nil, type: String, range: String? = nil) {
        self.user = user
        self.type = type
        self.range = range
    }
}
