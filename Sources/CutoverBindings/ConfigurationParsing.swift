import CutoverCore
import LuaRuntime

/// A deployment configuration from its Lua description:
///
///     { name = "HalfAndHalf", platform = "server", minimum_healthy = "50%" }
///     { name = "Three", minimum_healthy = 3 }                 -- HOST_COUNT 3
///     { name = "X", minimum_healthy = { type = "FLEET_PERCENT", value = 40 } }
///     { name = "C", platform = "lambda", traffic = { type = "canary", percent = 10, interval = "5m" } }
enum ConfigurationParsing {
    static let fields = ["name", "platform", "minimum_healthy", "traffic", "predefined"]

    static func parse(_ f: Fields) throws -> (DeploymentConfiguration, predefined: Bool) {
        try f.rejectUnknown(fields, function: "config")
        let name = try f.requiredString("name")
        let predefined = try f.bool("predefined") ?? false
        if name.hasPrefix("CodeDeployDefault.") && !predefined {
            throw f.error("name", "names starting with 'CodeDeployDefault.' are reserved for the predefined configurations")
        }
        let platformName = try f.string("platform") ?? "server"
        guard let platform = ComputePlatform(name: platformName) else {
            throw f.error("platform", "'\(platformName)' is not a platform (server, lambda or ecs)")
        }
        var configuration = DeploymentConfiguration(name: name, platform: platform)
        let minimum = f.value("minimum_healthy")
        if !minimum.isNil { configuration.minimumHealthyHosts = try minimumHealthy(minimum, f) }
        if let traffic = try f.table("traffic") { configuration.trafficRouting = try routing(traffic) }
        do {
            try configuration.validate()
        } catch {
            throw LuaArgumentError(f.index, error.description)
        }
        return (configuration, predefined)
    }

    /// `3`, `"40%"`, `{ type = "HOST_COUNT" | "FLEET_PERCENT" | "ONE_AT_A_TIME", value = n }`.
    static func minimumHealthy(_ value: LuaValue, _ f: Fields) throws -> MinimumHealthyHosts {
        if let n = value.intValue { return .hostCount(Int(n)) }
        if let s = value.stringValue {
            if s.hasSuffix("%"), let p = Int(s.dropLast()) { return .fleetPercent(p) }
            if let n = Int(s) { return .hostCount(n) }
            throw f.error("minimum_healthy", "'\(s)' is neither a host count (3) nor a percentage (\"40%\")")
        }
        guard case .reference(let ref) = value, ref.typeName == "table" else {
            throw f.error("minimum_healthy", "number, percentage string or table expected, got \(value.typeName)")
        }
        let sub = Fields(table: ref, index: f.index, path: "minimum_healthy.")
        try sub.rejectUnknown(["type", "value"], function: "config")
        let type = try sub.requiredString("type").uppercased()
        switch type {
        case "HOST_COUNT": return .hostCount(try sub.int("value") ?? 0)
        case "FLEET_PERCENT": return .fleetPercent(try sub.int("value") ?? 0)
        case "ONE_AT_A_TIME", "MOST_CONCURRENCY": return .oneAtATime
        default: throw sub.error("type", "'\(type)' is not HOST_COUNT, FLEET_PERCENT or ONE_AT_A_TIME")
        }
    }

    static func routing(_ f: Fields) throws -> TrafficRouting {
        try f.rejectUnknown(["type", "percent", "interval"], function: "config")
        let type = try f.requiredString("type").lowercased().replacingUnderscores
        switch type {
        case "allatonce": return .allAtOnce
        case "canary", "timebasedcanary", "linear", "timebasedlinear":
            guard let percent = try f.int("percent") else { throw f.error("percent", "integer expected, got nil") }
            // A bare number is minutes, as CodeDeploy counts intervals.
            if let minutes = try? f.int("interval") {
                return type.contains("canary")
                    ? .timeBasedCanary(percent: percent, intervalMinutes: minutes)
                    : .timeBasedLinear(percent: percent, intervalMinutes: minutes)
            }
            guard let seconds = parseDuration(f.value("interval")) else {
                throw f.error("interval", "a duration expected (minutes as \"5m\", or seconds)")
            }
            guard seconds % 60 == 0 else { throw f.error("interval", "intervals are whole minutes, got \(seconds) s") }
            return type.contains("canary")
                ? .timeBasedCanary(percent: percent, intervalMinutes: seconds / 60)
                : .timeBasedLinear(percent: percent, intervalMinutes: seconds / 60)
        default:
            throw f.error("type", "'\(type)' is not canary, linear or all_at_once")
        }
    }
}

extension String {
    var replacingUnderscores: String { String(filter { $0 != "_" && $0 != "-" && $0 != " " }) }
}
