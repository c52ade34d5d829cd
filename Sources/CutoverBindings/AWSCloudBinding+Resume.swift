import CutoverAppSpec
import CutoverAWS
import CutoverCore
import CutoverHistory
import CutoverLocal
import Foundation
import LuaRuntime

/// What `cutover resume` needs, besides the specification and the events, to go on with
/// a deployment on AWS. Written with the deployment's first event (the history's
/// `context` column).
struct AWSResumeContext: Codable {
    static let version = 1
    var version = Self.version
    var group: DeploymentGroup
    /// The group's Lua hooks (FunctionSource records), by event.
    var hooks: [String: String]
    /// Lambda and ECS appspec hooks: event → hook function.
    var trafficHooks: [String: String] = [:]
    var ecs: ECSRouting?
    var server: Server?

    /// A server deployment's bundle, target groups and appspec.
    struct Server: Codable {
        var bucket: String
        var bundleKey: String
        var groupID: String
        var targetGroupARNs: [String]
        /// The revision's appspec as it was packed (nil for a blue/green rollback, which
        /// installs nothing).
        var appSpec: AppSpecSource?
        var pollSeconds: Double
        var deliverySeconds: Int?
        var classicLoadBalancers: [String]?
        /// A blue/green through a copy: the Auto Scaling group it replaces, and the copy.
        var replacing: [String]?
    }

    struct AppSpecSource: Codable {
        var text: String
        var file: String
    }
}

extension AWSCloudBinding {
    /// The context of a deployment as it starts (see AWSResumeContext).
    func resumeContext(_ group: DeploymentGroup, trafficHooks: [LifecycleEvent: String] = [:], ecs: ECSRouting? = nil,
                       server: AWSResumeContext.Server? = nil) -> String? {
        var hooks: [String: String] = [:]
        for (event, source) in groupBindings[group.name]?.hookSources ?? [:] { hooks[event.rawValue] = source }
        var traffic: [String: String] = [:]
        for (event, name) in trafficHooks { traffic[event.rawValue] = name }
        let context = AWSResumeContext(group: group, hooks: hooks, trafficHooks: traffic, ecs: ecs, server: server)
        return (try? JSONEncoder().encode(context)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Takes up a recorded AWS deployment whose process died: the group is defined again
    /// from the record, the policy and Lua hooks from their recorded sources, and the
    /// deployment goes on from its events (LiveDeployment's resume): what was begun and not
    /// answered is done again. AWS's own state makes that safe: alias and listener
    /// weights are set, not added; registrations, removals and deletions of what is gone
    /// count as done; and an SSM command the dead process sent is found by its comment
    /// and waited for rather than sent again.
    func resume(_ recorded: RecordedDeployment, on stack: LuaStack) throws -> DeploymentBinding {
        let spec = recorded.spec
        let id = recorded.summary.key
        guard let text = recorded.context, let context = try? JSONDecoder().decode(AWSResumeContext.self, from: Data(text.utf8)) else {
            throw LuaArgumentError(1, "\(id) was recorded without what resuming needs (recorded by an older cutover)")
        }
        if let active = groups[spec.group]?.active {
            throw LuaArgumentError(1, "the deployment group \(spec.group) already has an active deployment \(active)")
        }
        if groups[spec.group] == nil {
            do { try addGroup(context.group) } catch { throw LuaArgumentError(1, "\(id): its group: \(error)") }
        }
        let group = context.hooks.isEmpty ? groupBindings[spec.group] : (groupBindings[spec.group] ?? GroupBinding(provider: self, name: spec.group))
        groupBindings[spec.group] = group
        try module.remakeLua(of: recorded, hooks: context.hooks, into: group, on: stack)

        let deployment: LiveDeployment
        if let server = context.server {
            servers.bucket = servers.bucket ?? server.bucket
            if servers.targetGroups[spec.group] == nil { servers.targetGroups[spec.group] = server.targetGroupARNs }
            var appSpec = ServerAppSpec(os: .linux)
            if let source = server.appSpec {
                switch Result(catching: { () throws(AppSpecError) in try AppSpecParser.parse(text: source.text, file: source.file) }) {
                case .success(.server(let parsed)): appSpec = parsed
                case .success: throw LuaArgumentError(1, "\(id): its recorded appspec is not a server appspec")
                case .failure(let error): throw LuaArgumentError(1, "\(id): its recorded appspec: \(error)")
                }
            }
            let record = try aws { try RevisionRecord.load(bucket: server.bucket, groupID: server.groupID, from: s3) }
            let executor = AWSServerExecutor(client: client, appSpec: appSpec, bundle: RevisionBundle(bucket: server.bucket, key: server.bundleKey),
                                             groupID: server.groupID, targetGroupARNs: server.targetGroupARNs, record: record)
            executor.pollInterval = .milliseconds(Int64(server.pollSeconds * 1000))
            executor.deliveryTimeoutSeconds = server.deliverySeconds ?? servers.deliverySeconds
            executor.classicLoadBalancers = server.classicLoadBalancers ?? []
            if let replacing = server.replacing, replacing.count == 2 { executor.replacingGroup = (replacing[0], replacing[1]) }
            // Commands are looked for from a minute before it was created (clock skew).
            executor.earlierCommandsSince = recorded.summary.createdAt.addingTimeInterval(-60)
            deployment = LiveDeployment(resuming: spec, log: recorded.events, createdAt: recorded.summary.createdAt, executor: executor)
            if spec.blueGreen != nil {
                let (client, targetGroups, classic) = (client, server.targetGroupARNs, server.classicLoadBalancers ?? [])
                deployment.blueGreenRunner = { command in
                    Self.carryOutBlueGreen(command, spec: spec, client: client, targetGroups: targetGroups, classic: classic)
                }
            }
        } else {
            if let routing = context.ecs, let name = spec.traffic?.name, ecsServices[name] == nil { ecsServices[name] = routing }
            let executor = AWSExecutor(client: client, ecs: context.ecs)
            for (name, hook) in context.trafficHooks {
                if let event = LifecycleEvent(rawValue: name) { executor.trafficHooks[event] = hook }
            }
            deployment = LiveDeployment(resuming: spec, log: recorded.events, createdAt: recorded.summary.createdAt, executor: executor)
        }
        let binding = track(deployment, context: text, session: recorded.summary.session)
        if case .ended(.succeeded, _, _)? = recorded.events.last?.event, spec.namesRevision {
            groups[spec.group]?.lastSuccessfulRevision = spec.revision
        }
        if deployment.state.isEnded { groups[spec.group]?.active = nil }
        return binding
    }
}
