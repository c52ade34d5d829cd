import CutoverCore
import Foundation

/// A launch deployment on one new host (reference §5.4, §11): the hook's revision goes
/// through the in-place events and the traffic-allowing ones — no block-traffic events —
/// one at a time, through the daemon's agent, as `POST /v1/hosts/NAME/lifecycle` runs
/// them. AllowTraffic registers the host with each of the group's load balancers and
/// waits until it is healthy there.
struct LaunchDeploymentRun {
    static let events: [LifecycleEvent] = LifecycleEvent.serverInPlace + [.beforeAllowTraffic, .allowTraffic, .afterAllowTraffic]

    enum Outcome: Equatable {
        case succeeded
        case failed(event: String, message: String)
        /// The daemon is stopping: the host stays Pending, the next daemon runs it again.
        case interrupted
    }

    let agent: LocalAgent
    let hook: Control.LaunchHook
    let revision: String
    let loadBalancers: [String]
    let deploymentID: String

    /// CodeDeploy's shape: `d-` and nine letters or digits.
    static func newDeploymentID() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return "d-" + String((0..<9).map { _ in alphabet.randomElement()! })
    }

    /// Runs the events in order until one fails; `report` sees each result and answers
    /// whether to go on (false: the daemon is stopping).
    func run(on host: Control.Host, report: (Control.LaunchEventResult) -> Bool) -> Outcome {
        for event in Self.events {
            let result = event == .allowTraffic ? allowTraffic(on: host) : run(event, on: host, loadBalancer: nil)
            guard report(result) else { return .interrupted }
            if result.status == LifecycleEventStatus.failed.rawValue {
                return .failed(event: event.rawValue, message: result.message)
            }
        }
        return .succeeded
    }

    /// AllowTraffic once per load balancer (once without one when the group has none).
    private func allowTraffic(on host: Control.Host) -> Control.LaunchEventResult {
        guard !loadBalancers.isEmpty else { return run(.allowTraffic, on: host, loadBalancer: nil) }
        var messages: [String] = []
        for name in loadBalancers {
            let result = run(.allowTraffic, on: host, loadBalancer: name)
            messages.append("\(name): \(result.message)")
            if result.status == LifecycleEventStatus.failed.rawValue {
                return .init(event: result.event, status: result.status, message: messages.joined(separator: "; "))
            }
        }
        return .init(event: LifecycleEvent.allowTraffic.rawValue, status: LifecycleEventStatus.succeeded.rawValue,
                     message: messages.joined(separator: "; "))
    }

    private func run(_ event: LifecycleEvent, on host: Control.Host, loadBalancer: String?) -> Control.LaunchEventResult {
        let request = Control.LifecycleRequest(
            deploymentID: deploymentID, application: hook.application, group: hook.group, groupID: hook.deploymentGroupID,
            revision: revision, revisionName: revision, event: event.rawValue, loadBalancer: loadBalancer)
        let result = agent.run(request, on: host)
        var message = result.message
        if result.status == LifecycleEventStatus.failed.rawValue, !result.logTail.isEmpty {
            message += "\n" + result.logTail.split(separator: "\n").suffix(5).joined(separator: "\n")
        }
        return .init(event: event.rawValue, status: result.status, message: message)
    }
}
