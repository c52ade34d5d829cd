import CutoverCore
import LuaRuntime

extension LambdaAppSpec {
    /// A Lambda appspec must name the group's function and alias, and its CurrentVersion
    /// must be the version the alias points at now (`aliasVersion`); otherwise the
    /// deployment is refused with INVALID_LAMBDA_CONFIGURATION, as a Lua argument error.
    func check(against group: TrafficGroupTarget?, aliasVersion: String?) throws {
        guard let group, name == group.name, alias == group.alias else {
            let moved = group.map { "\($0.name):\($0.alias ?? "")" } ?? "nothing"
            throw LuaArgumentError(2, "INVALID_LAMBDA_CONFIGURATION: the appspec deploys \(name):\(alias), the group moves \(moved)")
        }
        guard aliasVersion == String(currentVersion) else {
            throw LuaArgumentError(2, "INVALID_LAMBDA_CONFIGURATION: the appspec's CurrentVersion is \(currentVersion), but alias \(alias) points at \(aliasVersion ?? "nothing")")
        }
    }
}
