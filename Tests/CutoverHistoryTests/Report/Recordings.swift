import CutoverCore
import Foundation
@testable import CutoverHistory

/// Recorded deployments for the report tests, made by the engine itself: `Replay.run`
/// drives it on a virtual clock from outcomes (each lifecycle event's duration and
/// result per target, alarms), as `cutover replay` does.
enum Recordings {
    static func inPlace(hosts: Int = 6, prefix: String = "web-", config: DeploymentConfiguration = halfAtATime,
                        failing: [(target: Int, event: LifecycleEvent)] = [], application: String = "shop", group: String = "web-prod",
                        message: String = "exit status 1", alarms: [String] = []) -> RecordedDeployment {
        let spec = DeploymentSpec(
            id: "d-000000001", application: application, group: group, revision: "shop-v2", lastSuccessfulRevision: "shop-v1",
            configuration: config, targets: (1...hosts).map { TargetDescription(id: "\(prefix)\($0)", revision: "shop-v1") },
            alarms: AlarmConfiguration(names: alarms))
        return record(spec, failing: failing, message: message)
    }

    static func lambdaCanary(alarmAt: Int64? = 90_000, alarm: String = "checkout-errors") -> RecordedDeployment {
        let spec = DeploymentSpec(
            id: "d-000000002", application: "checkout", group: "checkout-live", platform: .lambda, revision: "2",
            configuration: DeploymentConfiguration(name: "CodeDeployDefault.LambdaCanary10Percent5Minutes", platform: .lambda,
                                                   trafficRouting: .timeBasedCanary(percent: 10, intervalMinutes: 5)),
            targets: [TargetDescription(id: "checkout:live")], alarms: AlarmConfiguration(names: [alarm]),
            autoRollback: AutoRollbackConfiguration(triggers: [.stopOnAlarm]),
            traffic: TrafficTarget(kind: .function, name: "checkout", alias: "live", currentVersion: "1", targetVersion: "2"))
        return record(spec, alarms: alarmAt.map { [(at: $0, name: alarm)] } ?? [])
    }

    static func blueGreen(replacements: Int = 3, originals: Int = 3) -> RecordedDeployment {
        let targets = (1...replacements).map { TargetDescription(id: "green-\($0)") }
            + (1...originals).map { TargetDescription(id: "blue-\($0)", revision: "shop-v1") }
        let spec = DeploymentSpec(
            id: "d-000000003", application: "shop", group: "web-bg", revision: "shop-v2", lastSuccessfulRevision: "shop-v1",
            configuration: halfAtATime, targets: targets, loadBalanced: true,
            blueGreen: BlueGreenOptions(replacementCount: replacements, terminationWaitSeconds: 60))
        return record(spec)
    }

    static let halfAtATime = DeploymentConfiguration(name: "CodeDeployDefault.HalfAtATime", platform: .server,
                                                     minimumHealthyHosts: .fleetPercent(50))
    static let oneAtATime = DeploymentConfiguration(name: "CodeDeployDefault.OneAtATime", platform: .server,
                                                    minimumHealthyHosts: .oneAtATime)

    /// Runs `spec` with every lifecycle event succeeding in its usual time except the
    /// failing ones, and the alarms seen in ALARM when given.
    static func record(_ spec: DeploymentSpec, failing: [(target: Int, event: LifecycleEvent)] = [],
                       message: String = "exit status 1", alarms: [(at: Int64, name: String)] = []) -> RecordedDeployment {
        // The outcomes are read from a made-up log: each target runs each event once, in its usual time.
        var log = [RecordedEvent(sequence: 0, time: 0, event: .created)]
        for (t, _) in spec.targets.enumerated() {
            for e in LifecycleEvent.allCases {
                let failed = failing.contains { $0.target == t && $0.event == e }
                log.append(RecordedEvent(sequence: log.count, time: 0, event: .lifecycleStarted(target: t, event: e)))
                log.append(RecordedEvent(sequence: log.count, time: duration(e), event: .lifecycleEnded(
                    target: t, event: e, status: failed ? .failed : .succeeded, error: failed ? .scriptFailed : .success,
                    message: failed ? message : "")))
            }
        }
        var outcomes = ReplayOutcomes(log: log, spec: spec)
        outcomes.alarms = alarms
        let events = Replay.run(spec, outcomes: outcomes)
        let state = DeploymentEngine(spec: spec, replaying: events.map(\.event)).state
        let summary = DeploymentSummary(
            key: spec.id + "@1", id: spec.id, session: 1, provider: "sim", application: spec.application, group: spec.group,
            revision: spec.revision, platform: spec.platform.rawValue, creator: spec.creator.rawValue,
            configuration: spec.configuration.name, createdAt: Date(timeIntervalSince1970: 1_700_000_000),
            status: state.status.rawValue, error: state.error?.rawValue, message: state.message,
            endedAt: Date(timeIntervalSince1970: 1_700_000_100), events: events.count)
        return RecordedDeployment(summary: summary, spec: spec, events: events, policySource: nil, seed: nil, faults: nil)
    }

    static func duration(_ e: LifecycleEvent) -> Int64 {
        switch e {
        case .downloadBundle: 5000
        case .install: 8000
        case .allowTraffic, .blockTraffic: 6000
        case .applicationStop: 1000
        default: 2000
        }
    }
}
