import CutoverCore

/// One deployment run by the simulated cloud: its engine and its event log.
public final class SimDeployment {
    public let spec: DeploymentSpec
    public internal(set) var engine: DeploymentEngine
    public internal(set) var log: [RecordedEvent] = []
    /// Virtual time at creation.
    public let createdAt: Int64
    /// The rollback deployment this one started, if any.
    public internal(set) var rollback: SimDeployment?
    /// The follow-up deployment (creator CodeDeployAutoUpdate) of instances launched
    /// while this one ran.
    public internal(set) var followUp: SimDeployment?

    init(spec: DeploymentSpec, at now: Int64) {
        self.spec = spec
        engine = DeploymentEngine(spec: spec)
        createdAt = now
        log.append(RecordedEvent(sequence: 0, time: now, event: .created))
    }

    public var state: DeploymentState { engine.state }
    public var status: DeploymentStatus { engine.state.status }

    func record(_ events: [DeploymentEvent], at now: Int64) {
        for event in events {
            log.append(RecordedEvent(sequence: log.count, time: now, event: event))
        }
    }

    /// The event log as JSON lines (deterministic for a given spec, seed and faults).
    public func jsonLines() -> String {
        var out = ""
        for event in log {
            out += event.jsonLine(targets: spec.targets)
            out += "\n"
        }
        return out
    }
}
