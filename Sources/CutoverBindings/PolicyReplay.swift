import CutoverCore
import CutoverHistory
import LuaRuntime

/// A recorded deployment replayed with a Lua policy answering the engine instead of the
/// recorded steps: the policy sees the replay's state and virtual clock through the
/// same `r` context as in a live deployment (`cutover replay ID --policy FILE`,
/// `d:replay{ policy = }`). Lifecycle outcomes, alarms and people's inputs are reused
/// from the record as in any replay.
final class ReplayRun: DeploymentRun {
    let spec: DeploymentSpec
    var state: DeploymentState
    let createdAt: Int64
    var now: Int64
    let provider: CloudProvider
    var live: ((DeploymentRun, RecordedEvent) -> Void)?

    init(spec: DeploymentSpec, start: Int64, provider: CloudProvider) {
        self.spec = spec
        state = DeploymentState(spec: spec)
        createdAt = start
        now = start
        self.provider = provider
    }

    var log: [RecordedEvent] { [] }
    var elapsedMilliseconds: Int64 { now - createdAt }
    var rollback: DeploymentRun? { nil }
    var followUp: DeploymentRun? { nil }
    func run(on stack: LuaStack, untilSeconds: Double?) {}
    func send(_ input: EngineInput, on stack: LuaStack) {}
}

extension CutoverModule {
    /// Names of the registered policies.
    public var policyNames: [String] { policies.keys.sorted() }

    /// Replays `recorded` as `spec` with the registered policy `name` deciding the steps.
    func replay(_ recorded: RecordedDeployment, as spec: DeploymentSpec, start: Int64, policy name: String,
                on stack: LuaStack) throws -> [RecordedEvent] {
        guard policies[name] != nil else {
            throw LuaArgumentError(1, "no policy named '\(name)' (known: \(policyNames.isEmpty ? "none" : policyNames.joined(separator: ", ")))")
        }
        var spec = spec
        spec.policy = name
        // The policy's context needs a provider: a simulated cloud nothing runs on.
        let run = ReplayRun(spec: spec, start: start, provider: try CloudBinding.make(nil, module: self))
        let binding = DeploymentBinding(run: run)
        let outcomes = ReplayOutcomes(log: recorded.events, spec: recorded.spec)
        return Replay.run(spec, outcomes: outcomes, start: start) { state, now in
            run.state = state
            run.now = now
            return binding.nextPolicyStep(on: stack)
        }
    }

    /// `replay ID --policy FILE` from the command line: runs FILE (it registers policies
    /// with cutover.policy, or returns a policy function) and replays with the policy it
    /// made — the one named as the recorded policy, or the only one.
    public func replay(_ recorded: RecordedDeployment, as spec: DeploymentSpec, start: Int64, policyFile path: String,
                       vm: LuaVM) throws -> (policy: String, events: [RecordedEvent]) {
        // The module's types (the policy's `r` needs them) come with its first require.
        try vm.run("require 'cutover'", chunkName: "=(replay)")
        let before = Set(policies.keys)
        let results = try vm.call(.reference(try vm.loadFile(path)))
        var made = Set(policies.keys).subtracting(before)
        if case .reference(let fn)? = results.first, fn.typeName == "function" {
            let name = "(\(path))"
            policies[name] = fn
            made.insert(name)
        }
        let name: String
        if let recordedName = recorded.spec.policy, made.contains(recordedName) {
            name = recordedName
        } else if made.count == 1, let only = made.first {
            name = only
        } else {
            throw LuaArgumentError(1, made.isEmpty
                ? "\(path) registers no policy (call cutover.policy(name, fn) or return a function)"
                : "\(path) registers several policies (\(made.sorted().joined(separator: ", "))) and none is named \(recorded.spec.policy ?? "like the recorded one")")
        }
        return (name, try replay(recorded, as: spec, start: start, policy: name, on: vm.stack))
    }
}
