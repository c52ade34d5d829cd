import Foundation

/// The daemon's functions: versions, aliases with weighted routing, invocations.
/// (Skeleton: filled in by the functions work.)
final class LocalFunctions: @unchecked Sendable {
    let paths: LocalPaths
    /// The `cutover` executable, which runs Lua handlers (`cutover local handler FILE`).
    let executable: String

    init(paths: LocalPaths, executable: String) {
        self.paths = paths
        self.executable = executable
    }

    /// Answers /v1/functions…; nil when the path is not this component's.
    func route(_ request: ControlRequest) throws -> ControlResponse? {
        nil
    }

    /// Counters for one version of a function (all versions when `version` is nil).
    func metric(function: String, version: String?) -> CumulativeMetric? {
        nil
    }

    func shutdown() {}
}
