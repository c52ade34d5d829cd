import CutoverCore
import Foundation

/// AWS as a deployment's executor (the engine is driven by `LiveDeployment`): Lambda
/// deployments move an alias's weights; ECS ones a replacement task set and the
/// listeners' weights (ECSMover); hook events invoke the appspec's hook functions;
/// alarms are read with CloudWatch DescribeAlarms. Each call blocks until AWS
/// answered and turns the answer (or the AWSError) into the engine's input.
public final class AWSExecutor: DeploymentExecutor, @unchecked Sendable {
    public let lambda: Lambda
    public let cloudWatch: CloudWatch
    /// Lambda and ECS: the appspec's hook functions, per event. Set before the
    /// deployment runs, read on its threads.
    public var trafficHooks: [LifecycleEvent: String] = [:]
    /// ECS: the service's routing (nil for Lambda).
    let ecs: ECSMover?

    public init(client: AWSClient, ecs routing: ECSRouting? = nil,
                sleep: @escaping @Sendable (Duration) -> Void = { Thread.sleep(forTimeInterval: Double($0.components.seconds)) }) {
        lambda = Lambda(client)
        cloudWatch = CloudWatch(client)
        ecs = routing.map { ECSMover(client: client, routing: $0, sleep: sleep) }
    }

    public func runLifecycleEvent(_ event: LifecycleEvent, target: Int, of spec: DeploymentSpec) -> EngineInput {
        func result(_ status: LifecycleEventStatus, _ code: LifecycleErrorCode, _ message: String) -> EngineInput {
            .lifecycleResult(target: target, event: event, status: status, error: code, message: message)
        }
        guard let traffic = spec.traffic else {
            return result(.failed, .unknownError, "server deployments on AWS need the server executor")
        }
        if traffic.kind == .service {
            guard let ecs else { return result(.failed, .unknownError, "no routing for ECS service \(traffic.name) (cloud:ecs_service{…})") }
            do {
                switch event {
                case .install: return result(.succeeded, .success, try ecs.install(spec, traffic))
                case .allowTestTraffic: return result(.succeeded, .success, try ecs.allowTestTraffic(traffic))
                default: break
                }
            } catch {
                return result(.failed, .unknownError, "\(error)")
            }
        }
        guard let hook = trafficHooks[event] else { return result(.succeeded, .success, "") }
        // A hook function reports through its result, {"status": "Succeeded" | "Failed"},
        // as on the local cloud (CodeDeploy's functions call PutLifecycleEventHookExecutionStatus).
        let payload: JSON = ["DeploymentId": .string(spec.id), "LifecycleEventHookExecutionId": .string("\(spec.id)-\(event.rawValue)")]
        do {
            let answer = try lambda.invoke(hook, event: payload)
            if let error = answer.functionError {
                return result(.failed, .scriptFailed, "hook function \(hook) failed: \(error)")
            }
            return HookFunctionReport.result(hook: hook, status: answer.json?["status"]?.string,
                                             message: answer.json?["message"]?.string ?? "", answer: answer.text,
                                             event: event, target: target)
        } catch {
            return result(.failed, .unknownError, "\(error)")
        }
    }

    public func pollAlarms(_ names: [String]) -> EngineInput { cloudWatch.engineInput(polling: names) }

    public func moveTraffic(_ command: EngineCommand, of spec: DeploymentSpec) -> EngineInput {
        guard let traffic = spec.traffic else { return .trafficShifted(weight: 0, error: "this deployment moves no traffic") }
        if traffic.kind == .service {
            guard let ecs else { return .trafficShifted(weight: 0, error: "no routing for ECS service \(traffic.name)") }
            switch command {
            case .setTraffic(let weight):
                do {
                    try ecs.shift(weight, traffic)
                    return .trafficShifted(weight: weight, error: nil)
                } catch {
                    return .trafficShifted(weight: weight, error: "\(error)")
                }
            case .restoreTraffic:
                do { return .trafficRestored(message: try ecs.restore(spec, traffic), error: nil) } catch {
                    return .trafficRestored(message: "", error: "\(error)")
                }
            case .terminateOriginal:
                do {
                    try ecs.terminateOriginal(spec)
                    return .originalTerminated(error: nil)
                } catch {
                    return .originalTerminated(error: "\(error)")
                }
            default:
                return .timer
            }
        }
        guard let alias = traffic.alias else { return .trafficShifted(weight: 0, error: "function \(traffic.name) has no alias") }
        switch command {
        case .setTraffic(let weight):
            do {
                // A rollback deploys the version the alias already points at: nothing moves.
                if traffic.currentVersion != traffic.targetVersion {
                    _ = try lambda.shiftAlias(function: traffic.name, alias: alias, from: traffic.currentVersion,
                                              to: traffic.targetVersion, percent: Double(weight))
                }
                return .trafficShifted(weight: weight, error: nil)
            } catch {
                return .trafficShifted(weight: weight, error: "\(error)")
            }
        case .restoreTraffic:
            do {
                _ = try lambda.updateAlias(function: traffic.name, alias: alias, routing: Lambda.Routing(functionVersion: traffic.currentVersion))
                return .trafficRestored(message: "alias \(alias) points at version \(traffic.currentVersion) again", error: nil)
            } catch {
                return .trafficRestored(message: "", error: "\(error)")
            }
        case .terminateOriginal:
            return .originalTerminated(error: nil)
        default:
            return .timer
        }
    }

    public func recorded(_ event: DeploymentEvent, of spec: DeploymentSpec) {}
}

extension CloudWatch {
    /// The engine's answer to a poll of `names`: those in ALARM, or why the poll failed.
    func engineInput(polling names: [String]) -> EngineInput {
        do {
            let alarms = try alarms(named: names)
            return .alarms(active: alarms.filter { $0.state == .alarm }.map(\.name).sorted())
        } catch {
            return .alarmPollFailed(message: "\(error)")
        }
    }
}
