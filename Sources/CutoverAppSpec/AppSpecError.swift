import CutoverCore

/// An appspec that cannot be used, with everything wrong with it.
public struct AppSpecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The form the file looks like, when that could be told (for reports).
    public var platform: ComputePlatform?
    /// Every problem found, in file order; never empty.
    public var issues: [AppSpecIssue]

    public init(platform: ComputePlatform?, issues: [AppSpecIssue]) {
        self.platform = platform
        self.issues = issues
    }

    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
