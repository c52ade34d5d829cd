import CutoverCore
import Foundation

/// The local cloud as a deployment's executor: lifecycle events run by the daemon's agent
/// on its hosts, alarms read from the daemon, traffic moved through its functions'
/// aliases and services' listeners.
public final class LocalExecutor: DeploymentExecutor, @unchecked Sendable {
    let client: ControlClient
    /// Where each target's revision comes from (a directory or an archive).
    public let revisionPath: String
    public let groupID: String
    /// The load balancer BlockTraffic and AllowTraffic act on (for load-balanced groups).
    /// Set before the deployment runs, read on its threads.
    public var loadBalancer: String?
    /// Lambda and ECS: the appspec's hook functions, per event.
    public var trafficHooks: [LifecycleEvent: String] = [:]
    /// ECS: how long Install waits for the replacement task set to be running and healthy.
    public var stableTimeoutMilliseconds = 120_000

    public init(client: ControlClient, revisionPath: String, groupID: String) {
        self.client = client
        self.revisionPath = revisionPath
        self.groupID = groupID
    }

    public func runLifecycleEvent(_ event: LifecycleEvent, target t: Int, of spec: DeploymentSpec) -> EngineInput {
        if let traffic = spec.traffic {
            return LocalTrafficDriver(client: client, traffic: traffic, deploymentID: spec.id)
                .runEvent(event, hook: trafficHooks[event], stableTimeoutMilliseconds: stableTimeoutMilliseconds)
        }
        let request = Control.LifecycleRequest(
            deploymentID: spec.id, application: spec.application, group: spec.group, groupID: groupID,
            revision: revisionPath, revisionName: spec.revision, event: event.rawValue,
            loadBalancer: spec.loadBalanced ? loadBalancer : nil)
        let host = spec.targets[t].id
        do {
            let result = try client.send("POST", "/v1/hosts/\(host)/lifecycle", request, as: Control.LifecycleResult.self)
            let status = LifecycleEventStatus(rawValue: result.status) ?? .failed
            var message = result.message
            if status == .failed, !result.logTail.isEmpty {
                message += "\n" + result.logTail.split(separator: "\n").suffix(5).joined(separator: "\n")
            }
            return .lifecycleResult(target: t, event: event, status: status,
                                    error: LifecycleErrorCode(rawValue: result.error) ?? .unknownError, message: message)
        } catch {
            return .lifecycleResult(target: t, event: event, status: .failed, error: .unknownError,
                                    message: "the agent on \(host) did not answer: \(error)")
        }
    }

    public func pollAlarms(_ names: [String]) -> EngineInput {
        LocalTrafficDriver.pollAlarms(names, client: client)
    }

    public func moveTraffic(_ command: EngineCommand, of spec: DeploymentSpec) -> EngineInput {
        guard let traffic = spec.traffic else { return .trafficShifted(weight: 0, error: "this deployment moves no traffic") }
        return LocalTrafficDriver(client: client, traffic: traffic, deploymentID: spec.id).carryOut(command)
    }

    /// A host's revision for this group, once it succeeded.
    public func recorded(_ event: DeploymentEvent, of spec: DeploymentSpec) {
        guard case .targetEnded(let t, .succeeded) = event, spec.traffic == nil else { return }
        _ = try? client.send("PUT", "/v1/hosts/\(spec.targets[t].id)/revisions/\(groupID)", ["revision": spec.revision],
                             as: Control.Host.self)
    }
}

/// A deployment on the local cloud: a live deployment whose executor is the daemon.
public typealias LocalDeployment = LiveDeployment

extension LiveDeployment {
    public convenience init(spec: DeploymentSpec, client: ControlClient, revisionPath: String, groupID: String) {
        self.init(spec: spec, executor: LocalExecutor(client: client, revisionPath: revisionPath, groupID: groupID))
    }

    public convenience init(resuming spec: DeploymentSpec, log: [RecordedEvent], createdAt: Date,
                            client: ControlClient, revisionPath: String, groupID: String) {
        self.init(resuming: spec, log: log, createdAt: createdAt,
                  executor: LocalExecutor(client: client, revisionPath: revisionPath, groupID: groupID))
    }

    /// The local executor's settings (nil on another provider).
    public var local: LocalExecutor? { executor as? LocalExecutor }
}
