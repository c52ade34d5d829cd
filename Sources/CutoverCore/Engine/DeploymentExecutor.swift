/// What a real provider does for a deployment the engine drives in real time (the local
/// cloud's daemon, AWS's APIs). Each call blocks until the provider has answered and
/// returns the input the engine waits for; the driver calls them on threads of its own,
/// several at once (a batch), so an executor must be safe to share.
public protocol DeploymentExecutor: AnyObject, Sendable {
    /// Runs one lifecycle event on target `target` of `spec` (a host's scripts, a load
    /// balancer's registration, a Lambda or ECS step).
    func runLifecycleEvent(_ event: LifecycleEvent, target: Int, of spec: DeploymentSpec) -> EngineInput
    /// Reads the alarms' states: `.alarms(active:)`, or `.alarmPollFailed`.
    func pollAlarms(_ names: [String]) -> EngineInput
    /// `setTraffic`, `restoreTraffic`, and for Lambda/ECS `terminateOriginal`.
    func moveTraffic(_ command: EngineCommand, of spec: DeploymentSpec) -> EngineInput
    /// The provider's bookkeeping for an event just recorded (a target's revision once it
    /// succeeded). Called on the driver's thread, in order, before the event's commands;
    /// must be idempotent (a resumed deployment calls it again for recorded events).
    func recorded(_ event: DeploymentEvent, of spec: DeploymentSpec)
}
