import CutoverCore
import Foundation

/// Moves traffic on the local cloud for a Lambda or ECS deployment: a function's alias
/// weights, or a service's listeners and task sets, through the daemon's control API.
/// Each command gets the answer the engine waits for.
struct LocalTrafficDriver: Sendable {
    let client: ControlClient
    let traffic: TrafficTarget
    let deploymentID: String

    func carryOut(_ command: EngineCommand) -> EngineInput {
        switch command {
        case .setTraffic(let weight):
            do {
                try setTraffic(weight)
                return .trafficShifted(weight: weight, error: nil)
            } catch {
                return .trafficShifted(weight: weight, error: "\(error)")
            }
        case .restoreTraffic:
            do {
                return .trafficRestored(message: try restore(), error: nil)
            } catch {
                return .trafficRestored(message: "", error: "\(error)")
            }
        case .terminateOriginal:
            do {
                try terminateOriginal()
                return .originalTerminated(error: nil)
            } catch {
                return .originalTerminated(error: "\(error)")
            }
        default:
            return .timer
        }
    }

    private var aliasPath: String { "/v1/functions/\(traffic.name)/aliases/\(traffic.alias ?? "")" }

    func setTraffic(_ weight: Int) throws {
        switch traffic.kind {
        case .function:
            let body = weight >= 100
                ? Control.PutFunctionAlias(version: traffic.targetVersion)
                : Control.PutFunctionAlias(version: traffic.currentVersion, additionalVersion: weight > 0 ? traffic.targetVersion : nil,
                                      additionalWeight: weight > 0 ? Double(weight) : nil)
            _ = try client.send("PUT", aliasPath, body, as: Control.JSONValue.self)
        case .service:
            if try targetIsPrimary() { return } // a rollback: the version it deploys already has all the traffic
            _ = try client.send("PUT", "/v1/services/\(traffic.name)/traffic", ["replacement_weight": weight], as: Control.JSONValue.self)
        }
    }


    func restore() throws -> String {
        switch traffic.kind {
        case .function:
            _ = try client.send("PUT", aliasPath, Control.PutFunctionAlias(version: traffic.currentVersion), as: Control.JSONValue.self)
            return "alias \(traffic.alias ?? "") points at version \(traffic.currentVersion) again"
        case .service:
            var undone = ["production traffic on \(traffic.currentVersion)"]
            _ = try client.send("PUT", "/v1/services/\(traffic.name)/traffic", ["replacement_weight": 0], as: Control.JSONValue.self)
            if let replacement = try taskSets().replacement {
                _ = try client.delete("/v1/services/\(traffic.name)/task-sets/\(replacement)", as: Control.JSONValue.self)
                undone.append("replacement task set \(replacement) (\(traffic.targetVersion)) removed")
            }
            return undone.joined(separator: "; ")
        }
    }

    func terminateOriginal() throws {
        guard let replacement = try taskSets().replacement else { return } // already primary (a rollback, a retry)
        _ = try client.send("POST", "/v1/services/\(traffic.name)/task-sets/\(replacement)/promote", [String: String](),
                            as: Control.JSONValue.self)
    }

    /// The service's task sets now: the primary's task definition, and the id of the
    /// replacement (status ACTIVE), if any.
    func taskSets() throws -> (primary: String?, replacement: String?) {
        let sets = try client.get("/v1/services/\(traffic.name)", as: Control.JSONValue.self)["task_sets"]?.array ?? []
        return (sets.first { $0["status"]?.string == "PRIMARY" }?["task_definition"]?.string,
                sets.first { $0["status"]?.string == "ACTIVE" }?["id"]?.string)
    }

    /// The version this deployment deploys already serves alone (a rollback after the
    /// original was restored): there is nothing to replace or move.
    func targetIsPrimary() throws -> Bool {
        let sets = try taskSets()
        return sets.replacement == nil && sets.primary == traffic.targetVersion
    }
}

extension LocalTrafficDriver {
    /// Runs a Lambda or ECS lifecycle event: the reserved ones act on the service; a hook
    /// event invokes the appspec's hook function, which reports through its result
    /// (`{"status": "Succeeded" | "Failed", "message": …}`, as PutLifecycleEventHookExecutionStatus
    /// would); an event without a hook succeeds at once.
    func runEvent(_ event: LifecycleEvent, hook: String?, stableTimeoutMilliseconds: Int) -> EngineInput {
        func result(_ status: LifecycleEventStatus, _ code: LifecycleErrorCode, _ message: String) -> EngineInput {
            .lifecycleResult(target: 0, event: event, status: status, error: code, message: message)
        }
        do {
            switch event {
            case .install where traffic.kind == .service:
                if try targetIsPrimary() {
                    return result(.succeeded, .success, "\(traffic.targetVersion) is already primary: nothing to replace")
                }
                let set = try client.send("POST", "/v1/services/\(traffic.name)/task-sets",
                                          ["task_definition": traffic.targetVersion], as: Control.JSONValue.self)
                guard let id = set["id"]?.string else { return result(.failed, .unknownError, "the daemon returned no task set id") }
                _ = try client.send("POST", "/v1/services/\(traffic.name)/task-sets/\(id)/wait-stable",
                                    ["timeout_ms": stableTimeoutMilliseconds], as: Control.JSONValue.self)
                return result(.succeeded, .success, "replacement task set \(id) (\(traffic.targetVersion)) is stable")
            case .allowTestTraffic where traffic.kind == .service:
                guard traffic.hasTestListener else { return result(.succeeded, .success, "no test listener") }
                if try targetIsPrimary() {
                    return result(.succeeded, .success, "\(traffic.targetVersion) is primary: the test listener already routes to it")
                }
                _ = try client.send("PUT", "/v1/services/\(traffic.name)/test-traffic", ["to": "replacement"], as: Control.JSONValue.self)
                return result(.succeeded, .success, "test listener routes to the replacement")
            default:
                guard let hook else { return result(.succeeded, .success, "") }
                let payload: [String: String] = ["DeploymentId": deploymentID,
                                                 "LifecycleEventHookExecutionId": "\(deploymentID)-\(event.rawValue)"]
                let answer = try client.send("POST", "/v1/functions/\(hook)/invoke", payload, as: Control.JSONValue.self)
                if let error = answer["error"], error != .null {
                    let message = error["message"]?.string ?? "\(error)"
                    let code: LifecycleErrorCode = message.contains("timed out") ? .scriptTimedOut : .scriptFailed
                    return result(.failed, code, "hook function \(hook) failed: \(message)")
                }
                return HookFunctionReport.result(hook: hook, status: answer["result"]?["status"]?.string,
                                                 message: answer["result"]?["message"]?.string ?? "",
                                                 answer: answer["result"].map { "\($0)" } ?? "nothing", event: event, target: 0)
            }
        } catch {
            return result(.failed, .unknownError, "\(error)")
        }
    }

    /// The watched alarms' states from the daemon: the ones in ALARM, or a poll failure.
    static func pollAlarms(_ names: [String], client: ControlClient) -> EngineInput {
        do {
            let answer = try client.send("POST", "/v1/alarms/describe", ["names": names], as: Control.JSONValue.self)
            if let missing = answer["missing"]?.array?.compactMap(\.string), !missing.isEmpty {
                return .alarmPollFailed(message: "no alarm named \(missing.joined(separator: ", ")) (define it with cloud:alarm{…})")
            }
            let active = (answer["alarms"]?.array ?? []).filter { $0["state"]?.string == "ALARM" }.compactMap { $0["name"]?.string }
            return .alarms(active: active.sorted())
        } catch {
            return .alarmPollFailed(message: "\(error)")
        }
    }
}
