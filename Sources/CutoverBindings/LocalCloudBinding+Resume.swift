import CutoverCore
import CutoverHistory
import CutoverLocal
import Foundation
import LuaRuntime

/// What `cutover resume` needs, besides the specification and the events, to go on with
/// a deployment on the local cloud. Written with the deployment's first event (the
/// history's `context` column).
struct LocalResumeContext: Codable {
    static let version = 1
    var version = Self.version
    var group: DeploymentGroup
    var groupID: String
    /// Where the revision's bundle is (servers).
    var revisionPath: String
    var loadBalancer: String?
    /// Lambda and ECS appspec hooks: event → hook function.
    var trafficHooks: [String: String]
    var stableTimeoutMilliseconds: Int
    /// The group's Lua hooks (FunctionSource records), by event.
    var hooks: [String: String]
}

extension LocalCloudBinding {
    /// The context of a deployment as it starts (see LocalResumeContext).
    func resumeContext(_ d: LocalDeployment) -> String? {
        guard let group = groups[d.spec.group]?.group, let local = d.local else { return nil }
        var hooks: [String: String] = [:]
        for (event, source) in groupBindings[d.spec.group]?.hookSources ?? [:] { hooks[event.rawValue] = source }
        var trafficHooks: [String: String] = [:]
        for (event, name) in local.trafficHooks { trafficHooks[event.rawValue] = name }
        let context = LocalResumeContext(group: group, groupID: groupID(d.spec.group), revisionPath: local.revisionPath,
                                         loadBalancer: local.loadBalancer, trafficHooks: trafficHooks,
                                         stableTimeoutMilliseconds: local.stableTimeoutMilliseconds, hooks: hooks)
        return (try? JSONEncoder().encode(context)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Takes up a recorded deployment whose process died: the group is defined again from
    /// the record, the policy and Lua hooks are made again from their recorded sources,
    /// and the deployment goes on from its events (LocalDeployment.resume). Its new
    /// events are recorded under the session that started it.
    func resume(_ recorded: RecordedDeployment, on stack: LuaStack) throws -> DeploymentBinding {
        let spec = recorded.spec
        let id = recorded.summary.key
        guard recorded.summary.provider == "local" else {
            throw LuaArgumentError(1, "\(id) ran on the \(recorded.summary.provider) provider; only local-cloud and AWS deployments can be resumed"
                                   + (recorded.summary.provider == "sim" ? " (a simulation ends with its process: replay it)" : ""))
        }
        guard let text = recorded.context, let context = try? JSONDecoder().decode(LocalResumeContext.self, from: Data(text.utf8)) else {
            throw LuaArgumentError(1, "\(id) was recorded without what resuming needs (recorded by an older cutover)")
        }
        if let active = groups[spec.group]?.active {
            throw LuaArgumentError(1, "the deployment group \(spec.group) already has an active deployment \(active)")
        }
        if groups[spec.group] == nil {
            do { try addGroup(context.group) } catch { throw LuaArgumentError(1, "\(id): its group: \(error)") }
        }
        if let lb = context.loadBalancer { attach(loadBalancer: lb, to: spec.group) }
        if !context.hooks.isEmpty {
            let group = groupBindings[spec.group] ?? GroupBinding(provider: self, name: spec.group)
            groupBindings[spec.group] = group
            try module.remakeLua(of: recorded, hooks: context.hooks, into: group, on: stack)
        } else {
            try module.remakeLua(of: recorded, hooks: [:], into: nil, on: stack)
        }
        let executor = LocalExecutor(client: client, revisionPath: context.revisionPath, groupID: context.groupID)
        executor.loadBalancer = context.loadBalancer
        executor.stableTimeoutMilliseconds = context.stableTimeoutMilliseconds
        let deployment = LiveDeployment(resuming: spec, log: recorded.events, createdAt: recorded.summary.createdAt, executor: executor)
        if spec.blueGreen != nil {
            let (client, sources) = (client, context.group.selection.autoScalingGroups)
            deployment.blueGreenRunner = { command in
                Self.carryOutBlueGreen(command, spec: spec, client: client, sourceGroups: sources)
            }
        }
        for (name, hook) in context.trafficHooks {
            if let event = LifecycleEvent(rawValue: name) { executor.trafficHooks[event] = hook }
        }
        let binding = track(deployment, session: recorded.summary.session)
        // An end recorded just before the process died: its bookkeeping may not have happened.
        if case .ended(.succeeded, _, _)? = recorded.events.last?.event, spec.namesRevision {
            groups[spec.group]?.active = nil
            groups[spec.group]?.lastSuccessfulRevision = spec.revision
            _ = try? client.send("PUT", "/v1/groups/\(context.groupID)", Control.GroupRecord(lastSuccessfulRevision: spec.revision),
                                 as: Control.GroupRecord.self)
        } else if deployment.state.isEnded {
            groups[spec.group]?.active = nil
        }
        return binding
    }
}

extension CutoverModule {
    /// A recorded deployment's Lua hooks (into `group`) and policy, made again from their
    /// recorded sources (FunctionSource) unless the script running the resume defined
    /// them already.
    func remakeLua(of recorded: RecordedDeployment, hooks: [String: String], into group: GroupBinding?, on stack: LuaStack) throws {
        if let group {
            for (name, source) in hooks {
                guard let event = LifecycleEvent(rawValue: name), group.hooks[event] == nil else { continue }
                let (fn, missing) = try remake(source, on: stack)
                warnMissing(missing, of: "hook \(name)")
                group.hooks[event] = fn
                group.hookSources[event] = source
            }
        }
        if let policy = recorded.spec.policy, policies[policy] == nil {
            guard let source = recorded.policySource, source.hasPrefix("{") else {
                throw LuaArgumentError(1, "\(recorded.summary.key) runs policy \(policy), whose source was not recorded (typed at the prompt?): "
                                       + "register it with cutover.policy before cutover.resume")
            }
            let (fn, missing) = try remake(source, on: stack)
            warnMissing(missing, of: "policy \(policy)")
            policies[policy] = fn
            policySources[policy] = source
        }
    }

    private func warnMissing(_ missing: [String], of what: String) {
        guard !missing.isEmpty else { return }
        FileHandle.standardError.write(Data("cutover: \(what): not recorded, now nil: \(missing.joined(separator: ", "))\n".utf8))
    }
}
