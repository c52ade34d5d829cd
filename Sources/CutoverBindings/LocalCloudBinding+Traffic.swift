import CutoverCore
import CutoverLocal
import Foundation
import LuaRuntime

/// Functions, services and alarms on the local cloud, as Lua calls them. Each is one
/// request to the daemon; its error (with the daemon's code) becomes a Lua error at the
/// caller's line.
extension LocalCloudBinding {
    func call(_ method: String, _ path: String, _ body: Control.JSONValue? = nil, argument: Int = 2) throws -> Control.JSONValue {
        do {
            if let body { return try client.send(method, path, body, as: Control.JSONValue.self) }
            if method == "DELETE" { return try client.delete(path, as: Control.JSONValue.self) }
            return try client.get(path, as: Control.JSONValue.self)
        } catch {
            throw LuaArgumentError(argument, "\(error)")
        }
    }

    static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        return expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
    }

    /// `cloud:lambda{ name =, handler =, timeout =, environment = }`: creates the
    /// function or changes its code ($LATEST). `error_rate` is for the simulator.
    func function(_ f: Fields) throws -> String {
        try f.rejectUnknown(["name", "handler", "timeout", "environment", "versions", "alias", "alias_version", "error_rate"],
                            function: "lambda")
        let name = try f.requiredString("name")
        var body: [String: Control.JSONValue] = ["name": .string(name), "handler": .string(Self.absolute(try f.requiredString("handler")))]
        if !f.value("timeout").isNil {
            guard let seconds = parseDuration(f.value("timeout")), seconds > 0 else { throw f.error("timeout", "a duration above 0 expected") }
            body["timeout_ms"] = .number(Double(seconds * 1000))
        }
        if let env = try f.stringMap("environment") { body["environment"] = .object(env.mapValues { .string($0) }) }
        _ = try call("POST", "/v1/functions", .object(body))
        return name
    }

    static func registerTraffic(_ t: LuaTypeBuilder<LocalCloudBinding>) {
        t.method("load") { cloud, stack in
            let (target, rate, seconds) = try LoadBinding.options(Fields(stack, 2))
            let loop = LoadLoop(target: target, client: cloud.client, ratePerSecond: rate, duration: .seconds(seconds))
            loop.start()
            stack.push(object: LoadBinding(loop: loop, rate: rate), typeName: LoadBinding.typeName)
            return 1
        }
        t.method("lambda") { cloud, stack in
            stack.push(try cloud.function(Fields(stack, 2)))
            return 1
        }
        t.method("publish") { cloud, stack in
            let name = try stack.checkString(2)
            let answer = try cloud.call("POST", "/v1/functions/\(name)/versions", .object([:]))
            stack.push(answer["version"]?.string ?? "")
            return 1
        }
        t.method("alias") { cloud, stack in
            // cloud:alias(name, alias[, version]): points the alias (when a version is
            // given) and returns its weights, { ["1"] = 90, ["2"] = 10 }.
            let name = try stack.checkString(2)
            let alias = try stack.checkString(3)
            let path = "/v1/functions/\(name)/aliases/\(alias)"
            let answer = stack.top >= 4
                ? try cloud.call("PUT", path, .object(["version": .string(try stack.checkString(4))]))
                : try cloud.call("GET", path)
            var weights: [(LuaValue, LuaValue)] = []
            let extra = answer["additional_weight"]?.number ?? 0
            if let v = answer["version"]?.string { weights.append((.string(v), .number(100 - extra))) }
            if let v = answer["additional_version"]?.string, extra > 0 { weights.append((.string(v), .number(extra))) }
            stack.push(table: LuaTable(fields: weights.map { (key: $0.0, value: $0.1) }))
            return 1
        }
        t.method("invoke") { cloud, stack in
            // cloud:invoke("name[:qualifier]", event) → { version =, result =, error =, duration_ms = }.
            let target = try stack.checkString(2)
            let event = stack.top >= 3 ? try JSONBridge.json(stack.value(at: 3), path: "event") : .object([:])
            let answer = try cloud.call("POST", "/v1/functions/\(target)/invoke", event)
            stack.push(JSONBridge.lua(answer))
            return 1
        }
        t.method("metrics") { cloud, stack in
            // cloud:metrics(function) → per version { version =, invocations =, errors =, duration_ms = { p50 =, … } }.
            stack.push(JSONBridge.lua(try cloud.call("GET", "/v1/functions/\(try stack.checkString(2))/metrics")))
            return 1
        }
        t.method("task_definition") { cloud, stack in
            let f = try Fields(stack, 2)
            try f.rejectUnknown(["family", "command", "environment", "health_path", "port_env", "working_directory"],
                                function: "task_definition")
            var body: [String: Control.JSONValue] = ["family": .string(try f.requiredString("family"))]
            if let command = f.value("command").stringValue {
                body["command"] = .array([.string("/bin/sh"), .string("-c"), .string(command)])
            } else if let list = try f.strings("command"), !list.isEmpty {
                body["command"] = .array(list.map { .string($0) })
            } else {
                throw f.error("command", "a command line or a list of arguments expected")
            }
            if let env = try f.stringMap("environment") { body["environment"] = .object(env.mapValues { .string($0) }) }
            if let p = try f.string("health_path") { body["health_path"] = .string(p) }
            if let p = try f.string("port_env") { body["container_port_env"] = .string(p) }
            if let p = try f.string("working_directory") { body["working_directory"] = .string(Self.absolute(p)) }
            let answer = try cloud.call("POST", "/v1/task-definitions", .object(body))
            let family = answer["family"]?.string ?? ""
            stack.push("\(family):\(answer["revision"]?.number.map { String(Int($0)) } ?? "?")")
            return 1
        }
        t.method("service") { cloud, stack in
            let f = try Fields(stack, 2)
            try f.rejectUnknown(["name", "task_definition", "desired_count", "port", "test_port", "health_interval"], function: "service")
            var body: [String: Control.JSONValue] = [
                "name": .string(try f.requiredString("name")),
                "task_definition": .string(try f.requiredString("task_definition")),
                "desired_count": .number(Double(try f.int("desired_count") ?? 1)),
                "port": .number(Double(try f.int("port") ?? 0)),
            ]
            if let test = try f.int("test_port") { body["test_port"] = .number(Double(test)) }
            if !f.value("health_interval").isNil, let ms = parseMilliseconds(f.value("health_interval")) {
                body["health_interval_ms"] = .number(Double(ms))
            }
            stack.push(JSONBridge.lua(try cloud.call("POST", "/v1/services", .object(body))))
            return 1
        }
        t.method("describe_service") { cloud, stack in
            stack.push(JSONBridge.lua(try cloud.call("GET", "/v1/services/\(try stack.checkString(2))")))
            return 1
        }
        t.method("alarm") { cloud, stack in
            let f = try Fields(stack, 2)
            let (name, definition) = try alarmDefinition(f)
            stack.push(JSONBridge.lua(try cloud.call("PUT", "/v1/alarms/\(name)", definition)))
            return 1
        }
        t.method("alarm_state") { cloud, stack in
            stack.push(JSONBridge.lua(try cloud.call("GET", "/v1/alarms/\(try stack.checkString(2))")))
            return 1
        }
        t.method("set_alarm_state") { cloud, stack in
            let name = try stack.checkString(2)
            let state = try stack.checkString(3)
            let reason = try stack.optString(4) ?? "set by hand"
            stack.push(JSONBridge.lua(try cloud.call("PUT", "/v1/alarms/\(name)/state",
                                                     .object(["state": .string(state), "reason": .string(reason)]))))
            return 1
        }
    }

    /// `{ name =, metric =, target_group = | lambda = [, version =], statistic =,
    ///    comparison = ">", threshold =, period = "10s", evaluation_periods = 1,
    ///    datapoints_to_alarm =, treat_missing_data = }` as the daemon's JSON.
    static func alarmDefinition(_ f: Fields) throws -> (String, Control.JSONValue) {
        try f.rejectUnknown(["name", "metric", "target_group", "load_balancer", "lambda", "version", "statistic", "comparison",
                             "threshold", "period", "evaluation_periods", "datapoints_to_alarm", "treat_missing_data"],
                            function: "alarm")
        let name = try f.requiredString("name")
        var body: [String: Control.JSONValue] = ["metric": .string(try f.requiredString("metric"))]
        if let tg = try f.string("target_group") ?? f.string("load_balancer") { body["target_group"] = .string(tg) }
        if let fn = try f.string("lambda") { body["function"] = .string(fn) }
        if let v = try f.string("version") { body["version"] = .string(v) }
        if let s = try f.string("statistic") { body["statistic"] = .string(s) }
        body["comparison"] = .string(try f.string("comparison") ?? ">")
        guard let threshold = try f.number("threshold") else { throw f.error("threshold", "number expected, got nil") }
        body["threshold"] = .number(threshold)
        let period = f.value("period").isNil ? 60 : (parseDuration(f.value("period")) ?? -1)
        guard period >= 1 else { throw f.error("period", "a duration of 1 second or more expected") }
        body["period_seconds"] = .number(Double(period))
        body["evaluation_periods"] = .number(Double(try f.int("evaluation_periods") ?? 1))
        if let m = try f.int("datapoints_to_alarm") { body["datapoints_to_alarm"] = .number(Double(m)) }
        if let t = try f.string("treat_missing_data") { body["treat_missing_data"] = .string(t) }
        return (name, .object(body))
    }
}

/// "250ms", "2s" or a number of seconds, as milliseconds.
func parseMilliseconds(_ value: LuaValue) -> Int? {
    if let s = value.stringValue, s.hasSuffix("ms"), let n = Int(s.dropLast(2)) { return n }
    return parseDuration(value).map { $0 * 1000 }
}

/// A load loop as Lua holds it (`cloud:load{…}`): `:stop()` ends it and returns what it
/// counted, `:results()` reads the counts so far.
final class LoadBinding {
    static let typeName = "cutover.Load"
    /// nil on the simulator, whose alarm models take the rate instead of real requests.
    let loop: LoadLoop?
    let rate: Double

    init(loop: LoadLoop?, rate: Double) {
        self.loop = loop
        self.rate = rate
    }

    /// `{ target = "name:alias" | url = "http://127.0.0.1:PORT/path", rate = 50, duration = "30s" }`.
    static func options(_ f: Fields) throws -> (target: LoadLoop.Target, rate: Double, seconds: Int) {
        try f.rejectUnknown(["target", "url", "rate", "duration"], function: "load")
        let rate = try f.number("rate") ?? 20
        guard rate > 0 && rate <= 10_000 else { throw f.error("rate", "requests per second between 0 and 10000 expected") }
        let seconds = f.value("duration").isNil ? 60 : (parseDuration(f.value("duration")) ?? -1)
        guard seconds > 0 else { throw f.error("duration", "a duration above 0 expected (\"30s\", \"5m\")") }
        if let target = try f.string("target") { return (.function(target), rate, seconds) }
        if let url = try f.string("url") {
            guard url.hasPrefix("http://127.0.0.1:"), let rest = url.split(separator: ":").last,
                  let port = Int(rest.prefix { $0.isNumber }) else {
                throw f.error("url", "an http://127.0.0.1:PORT/… address expected, got \(url)")
            }
            let path = String(rest.drop { $0.isNumber })
            return (.http(port: port, path: path.isEmpty ? "/" : path), rate, seconds)
        }
        throw f.error("target", "give target = \"function:alias\" or url = \"http://127.0.0.1:PORT/\"")
    }

    static func results(_ r: LoadLoop.Results) -> LuaTable {
        ["total": .integer(Int64(r.total)), "errors": .integer(Int64(r.errors)),
         "by_version": .table(LuaTable(fields: r.byVersion.sorted { $0.key < $1.key }.map { (.string($0.key), .integer(Int64($0.value))) })),
         "by_status": .table(LuaTable(fields: r.byStatus.sorted { $0.key < $1.key }.map { (.integer(Int64($0.key)), .integer(Int64($0.value))) }))]
    }

    static func register(_ vm: LuaVM) {
        vm.registerType(LoadBinding.self, name: typeName) { t in
            t.method("stop") { load, stack in
                stack.push(table: results(load.loop?.stop() ?? LoadLoop.Results()))
                return 1
            }
            t.method("results") { load, stack in
                stack.push(table: results(load.loop?.snapshot ?? LoadLoop.Results()))
                return 1
            }
            t.metamethod("__tostring") { load, stack in
                stack.push("load loop (\(load.rate)/s, \(load.loop?.snapshot.total ?? 0) requests)")
                return 1
            }
        }
    }
}
