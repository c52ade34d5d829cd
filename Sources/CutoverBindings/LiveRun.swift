import CutoverCore
import CutoverLocal
import Foundation
import LuaRuntime

/// A provider whose deployments run live (`LiveDeployment`): it starts deployments,
/// rollbacks and follow-ups, and hands out their handles.
protocol LiveCloud: CloudProvider {
    func start(group name: String, revision: String, configuration: DeploymentConfiguration?, policy: String?,
               ignoreApplicationStopFailures: Bool, creator: DeploymentCreator, rollbackOf: String?,
               hooks: [LifecycleEvent: String], only: Set<String>?) throws -> DeploymentBinding
    /// The CodeDeployAutoUpdate deployment of instances launched while `spec` ran, if any.
    func followUp(after spec: DeploymentSpec) -> LiveRun?
    /// The handle of a run (the one Lua holds, when it holds one).
    func binding(for run: LiveRun) -> DeploymentBinding
}

/// A deployment on a real provider (the local cloud, AWS) as a handle runs it: the live
/// deployment, then what it asks for after it ends (a rollback deployment, a follow-up).
final class LiveRun: DeploymentRun {
    let cloud: LiveCloud
    let deployment: LiveDeployment
    private(set) var rollbackRun: LiveRun?
    private var rollbackFailureSaid = false
    /// The CodeDeployAutoUpdate deployment of hosts launched while this one ran.
    private(set) var followUpRun: LiveRun?
    var live: ((DeploymentRun, RecordedEvent) -> Void)?
    private var resumeProblemSaid = false

    init(cloud: LiveCloud, deployment: LiveDeployment) {
        self.cloud = cloud
        self.deployment = deployment
    }

    var spec: DeploymentSpec { deployment.spec }
    var resumedAfter: Int? { deployment.resumedAfter }
    var state: DeploymentState { deployment.state }
    var log: [RecordedEvent] { deployment.log }
    var createdAt: Int64 { 0 }
    var elapsedMilliseconds: Int64 { deployment.elapsed }
    var provider: CloudProvider { cloud }
    var rollback: DeploymentRun? { rollbackRun }
    var followUp: DeploymentRun? { followUpRun }

    func run(on stack: LuaStack, untilSeconds: Double?) {
        let saved = cloud.currentStack
        cloud.currentStack = stack
        defer { cloud.currentStack = saved }
        deployment.run()
        if let problem = deployment.resumeProblem, !resumeProblemSaid {
            resumeProblemSaid = true
            FileHandle.standardError.write(Data("cutover: \(spec.id): \(problem); stopping it and rolling back\n".utf8))
        }
        // Hosts launched while it ran missed it: a follow-up deployment brings them up to date.
        if state.status == .succeeded, followUpRun == nil, let followUp = cloud.followUp(after: spec) {
            followUpRun = followUp
            followUp.live = live
            followUp.run(on: stack, untilSeconds: nil)
        }
        // The engine asked for a rollback: a new deployment of the last good revision.
        if let revision = deployment.rollbackRevision, rollbackRun == nil, !rollbackFailureSaid, state.isEnded {
            switch Result(catching: { try cloud.start(group: spec.group, revision: revision, configuration: nil, policy: nil,
                                                      ignoreApplicationStopFailures: false, creator: .codeDeployRollback,
                                                      rollbackOf: spec.id, hooks: [:], only: nil) }) {
            case .success(let binding):
                if let run = binding.run as? LiveRun {
                    rollbackRun = run
                    run.live = live
                    run.run(on: stack, untilSeconds: nil)
                }
            case .failure(let error):
                // Not silently: what the deployment left is as it ended, and the user is told.
                rollbackFailureSaid = true
                let reason = (error as? LuaArgumentError)?.message ?? "\(error)"
                FileHandle.standardError.write(Data("cutover: \(spec.id): the rollback could not start: \(reason); the deployment's changes remain as it left them\n".utf8))
            }
        }
    }

    func send(_ input: EngineInput, on stack: LuaStack) {
        let saved = cloud.currentStack
        cloud.currentStack = stack
        defer { cloud.currentStack = saved }
        deployment.send(input)
        run(on: stack, untilSeconds: nil)
    }
}

