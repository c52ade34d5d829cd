import CutoverAWS
import CutoverCore
import CutoverLocal
import Foundation
import LuaRuntime

/// AWS as Lua sees it (`cutover.provider "aws"`): credentials, region and endpoints as
/// the AWS CLI finds them (AWS_ENDPOINT_URL points it at an emulator). Lambda
/// deployments shift an alias's weights; ECS ones move a service to a replacement task
/// set through its listeners' weights; alarms are CloudWatch's. Deployments are
/// engine-driven here, as on the local cloud (no CodeDeploy API is called), and
/// recorded in the history the same way.
final class AWSCloudBinding: LiveCloud {
    static let typeName = "cutover.AWSCloud"
    unowned let module: CutoverModule
    let client: AWSClient
    var groupBindings: [String: GroupBinding] = [:]
    var currentStack: LuaStack?
    var groups: [String: (group: DeploymentGroup, lastSuccessfulRevision: String?, active: String?)] = [:]
    var handles: [String: DeploymentBinding] = [:]
    /// ECS services' routing (`cloud:ecs_service{…}`), by service name.
    var ecsServices: [String: ECSRouting] = [:]
    /// Server groups' target groups and the bundle bucket (AWSCloudBinding+Servers.swift).
    let servers = AWSServerSettings()
    /// Sessions of resumed deployments (and of the rollbacks they start), by id.
    var resumedSessions: [String: Int64] = [:]

    init(module: CutoverModule, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.module = module
        switch Result(catching: { () throws(AWSConfigurationError) in try AWSConfiguration.resolve(environment: environment) }) {
        case .success(let configuration):
            client = AWSClient(configuration: configuration, retryPolicy: RetryPolicy(maxAttempts: configuration.maxAttempts ?? 5))
        case .failure(let error): throw LuaArgumentError(1, "aws: \(error)")
        }
    }

    var lambda: Lambda { Lambda(client) }
    var ecs: ECS { ECS(client) }
    var cloudWatch: CloudWatch { CloudWatch(client) }

    // MARK: - CloudProvider

    func addGroup(_ group: DeploymentGroup) throws(CoreError) {
        try group.validate()
        let previous = groups[group.name]
        groups[group.name] = (group, previous?.lastSuccessfulRevision, previous?.active)
    }

    func group(named name: String) -> (group: DeploymentGroup, lastSuccessfulRevision: String?, active: String?)? {
        groups[name]
    }

    func targetIDs(of name: String) -> [String] {
        guard let g = groups[name]?.group.traffic else { return serverTargetIDs(of: name) }
        return [g.alias.map { "\(g.name):\($0)" } ?? g.name]
    }

    func attach(loadBalancer: String?, to group: String) {
        servers.targetGroups[group] = loadBalancer.map { $0.split(separator: ",").map(String.init) } ?? []
    }

    func startDeployment(group name: String, revision: String, configuration: DeploymentConfiguration?, policy: String?,
                         ignoreApplicationStopFailures: Bool, appSpec: AppSpec?) throws -> DeploymentBinding {
        var hooks: [LifecycleEvent: String] = [:]
        if case .lambda(let l)? = appSpec {
            let alias = try? lambda.getAlias(function: l.name, alias: l.alias)
            try l.check(against: groups[name]?.group.traffic, aliasVersion: alias?.functionVersion)
            hooks = l.hooks
        }
        return try start(group: name, revision: revision, configuration: configuration, policy: policy,
                         ignoreApplicationStopFailures: ignoreApplicationStopFailures, creator: .user, rollbackOf: nil,
                         hooks: hooks, only: nil)
    }

    // MARK: - LiveCloud

    func start(group name: String, revision: String, configuration: DeploymentConfiguration?, policy: String?,
               ignoreApplicationStopFailures: Bool, creator: DeploymentCreator, rollbackOf: String?,
               hooks: [LifecycleEvent: String], only: Set<String>?) throws -> DeploymentBinding {
        guard let entry = groups[name] else { throw LuaArgumentError(1, "no deployment group named \(name)") }
        if let active = entry.active {
            throw LuaArgumentError(2, "DeploymentLimitExceededException: the deployment group \(name) already has an active deployment \(active)")
        }
        guard let g = entry.group.traffic else {
            return try startServer(entry.group, revision: revision, configuration: configuration, policy: policy,
                                   ignoreApplicationStopFailures: ignoreApplicationStopFailures, creator: creator,
                                   rollbackOf: rollbackOf, only: only)
        }
        let rollback = creator == .codeDeployRollback
        let (traffic, target, routing) = try trafficTarget(g, revision: revision)
        let spec = DeploymentSpec(
            id: nextDeploymentID(), application: entry.group.application.name, group: name, platform: entry.group.platform,
            revision: revision, lastSuccessfulRevision: entry.lastSuccessfulRevision,
            configuration: rollback ? DeploymentConfiguration.trafficRollback(entry.group.platform) : configuration ?? entry.group.configuration,
            targets: [target], alarms: entry.group.alarms, autoRollback: entry.group.autoRollback, creator: creator,
            rollbackOf: rollbackOf, policy: rollback ? nil : policy, traffic: traffic)
        let executor = AWSExecutor(client: client, ecs: routing)
        executor.trafficHooks = rollback ? [:] : hooks
        return track(LiveDeployment(spec: spec, executor: executor),
                     context: resumeContext(entry.group, trafficHooks: executor.trafficHooks, ecs: routing))
    }

    /// What a Lambda or ECS deployment of `revision` moves traffic between, as AWS has it
    /// now; a missing function, alias, version or service is a Lua error with CodeDeploy's
    /// code and AWS's error behind it.
    private func trafficTarget(_ g: TrafficGroupTarget, revision: String) throws -> (TrafficTarget, TargetDescription, ECSRouting?) {
        switch g.kind {
        case .function:
            let aliasName = g.alias ?? ""
            let alias: Lambda.Alias
            do {
                alias = try lambda.getAlias(function: g.name, alias: aliasName)
            } catch {
                throw LuaArgumentError(2, "INVALID_LAMBDA_CONFIGURATION: \(error)")
            }
            do {
                _ = try lambda.getFunction(g.name, qualifier: revision)
            } catch {
                throw LuaArgumentError(2, "INVALID_LAMBDA_FUNCTION: function \(g.name) has no version \(revision): \(error)")
            }
            return (TrafficTarget(kind: .function, name: g.name, alias: aliasName, currentVersion: alias.functionVersion,
                                  targetVersion: revision),
                    TargetDescription(id: "\(g.name):\(aliasName)", revision: alias.functionVersion), nil)
        case .service:
            guard let routing = ecsServices[g.name] else {
                throw LuaArgumentError(2, "INVALID_ECS_SERVICE: no routing for service \(g.name): describe it first with "
                                       + "cloud:ecs_service{ name =, cluster =, listener =, target_groups = {…}, container =, port = }")
            }
            let service: ECS.Service
            do {
                service = try ecs.describeService(cluster: routing.cluster, service: routing.service)
            } catch {
                throw LuaArgumentError(2, "INVALID_ECS_SERVICE: \(error)")
            }
            guard let primary = service.primaryTaskSet else {
                throw LuaArgumentError(2, "INVALID_ECS_SERVICE: service \(g.name) has no primary task set (its deployment controller "
                                       + "must be EXTERNAL, with a task set serving)")
            }
            let current = ECSRouting.taskDefinitionName(primary.taskDefinition)
            return (TrafficTarget(kind: .service, name: g.name, currentVersion: current, targetVersion: revision,
                                  hasTestListener: routing.testListener != nil, terminationWaitSeconds: g.terminationWaitSeconds),
                    TargetDescription(id: g.name, revision: current), routing)
        }
    }

    func followUp(after spec: DeploymentSpec) -> LiveRun? { serverFollowUp(after: spec) }

    func binding(for run: LiveRun) -> DeploymentBinding {
        handles[run.spec.id] ?? DeploymentBinding(run: run)
    }

    /// A new deployment id (LiveDeploymentID: never reused in a process, random across them).
    func nextDeploymentID() -> String { LiveDeploymentID.make(provider: "A") }

    /// Registers a deployment's handle and wires its policy, Lua hooks, history and
    /// group bookkeeping. `context`: what resuming it needs (AWSResumeContext, JSON);
    /// `session`: a resumed deployment's (its events go on under the session that
    /// started it, and so do those of a rollback it starts).
    func track(_ deployment: LiveDeployment, context: String?, session: Int64? = nil) -> DeploymentBinding {
        let spec = deployment.spec
        let session = session ?? spec.rollbackOf.flatMap { resumedSessions[$0] }
        if let session { resumedSessions[spec.id] = session }
        let run = LiveRun(cloud: self, deployment: deployment)
        groups[spec.group]?.active = spec.id
        let binding = DeploymentBinding(run: run)
        handles[spec.id] = binding
        deployment.policyRunner = { [unowned self, unowned binding] _ in binding.nextPolicyStep(on: self.currentStack) }
        deployment.hookRunner = { [unowned self] d, t, event in self.runHook(d, t, event) }
        deployment.recorder = { [unowned self] d, events in
            self.module.record(events, of: d.spec, provider: "aws", session: session, context: { context })
        }
        deployment.observer = { [unowned self, unowned run] d, recorded in
            run.live?(run, recorded)
            if case .ended(let status, _, _) = recorded.event {
                self.groups[d.spec.group]?.active = nil
                if status == .succeeded, d.spec.namesRevision { self.groups[d.spec.group]?.lastSuccessfulRevision = d.spec.revision }
            }
        }
        return binding
    }

    private func runHook(_ d: LiveDeployment, _ t: Int, _ event: LifecycleEvent) -> (LifecycleEventStatus, LifecycleErrorCode, String)? {
        guard let group = groupBindings[d.spec.group], group.hooks[event] != nil, let stack = currentStack else { return nil }
        guard let traffic = d.spec.traffic else {
            // A server group's Lua hook runs here, in place of the instance's scripts for
            // the event (as on the local cloud); the instance is named in the context.
            let target = d.spec.targets[t]
            var targetTable: LuaTable = ["id": .string(target.id)]
            if let asg = target.autoScalingGroup { targetTable["asg"] = .string(asg) }
            return group.runHook(event, context: ["event": .string(event.rawValue), "deployment": .string(d.spec.id),
                                                  "revision": .string(d.spec.revision), "target": .table(targetTable)], on: stack)
        }
        if d.spec.creator == .codeDeployRollback { return (.skipped, .success, "a rollback runs no hooks") }
        let context: LuaTable = ["event": .string(event.rawValue), "deployment": .string(d.spec.id),
                                 "revision": .string(d.spec.revision), "target": .table(["id": .string(d.spec.targets[t].id)]),
                                 "current_version": .string(traffic.currentVersion), "target_version": .string(traffic.targetVersion),
                                 "lambda": .string(traffic.name), "alias": .string(traffic.alias ?? "")]
        return group.runHook(event, context: context, on: stack)
    }

    // MARK: - Lua

    static func register(_ vm: LuaVM) {
        vm.registerType(AWSCloudBinding.self, name: typeName) { t in
            t.method("group") { cloud, stack in try cloud.makeGroup(stack) }
            registerServers(t)
            t.method("whoami") { cloud, stack in
                let identity = try cloud.aws { try STS(cloud.client).getCallerIdentity() }
                stack.push(table: ["account": .string(identity.account), "arn": .string(identity.arn),
                                   "user_id": .string(identity.userID), "region": .string(cloud.client.configuration.region)])
                return 1
            }
            t.method("alias") { cloud, stack in
                // cloud:alias(function, alias[, version]): points the alias (when a version
                // is given) and returns its weights, { ["1"] = 90, ["2"] = 10 }.
                let name = try stack.checkString(2)
                let aliasName = try stack.checkString(3)
                let alias = try cloud.aws {
                    stack.top >= 4
                        ? try cloud.lambda.updateAlias(function: name, alias: aliasName,
                                                       routing: Lambda.Routing(functionVersion: try stack.checkString(4)))
                        : try cloud.lambda.getAlias(function: name, alias: aliasName)
                }
                var weights: [(key: LuaValue, value: LuaValue)] = [(.string(alias.functionVersion), .number(alias.percent(on: alias.functionVersion)))]
                for version in alias.additionalVersionWeights.keys.sorted() {
                    weights.append((.string(version), .number(alias.percent(on: version))))
                }
                stack.push(table: LuaTable(fields: weights))
                return 1
            }
            t.method("ecs_service") { cloud, stack in
                // cloud:ecs_service{ name =, cluster =, listener =, test_listener =, target_groups = { blue, green },
                //                    container =, port =, launch_type =, subnets = {…}, security_groups = {…} }
                let f = try Fields(stack, 2)
                try f.rejectUnknown(["name", "cluster", "listener", "test_listener", "target_groups", "container", "port",
                                     "launch_type", "subnets", "security_groups", "stable_timeout"], function: "ecs_service")
                let groups = try f.strings("target_groups") ?? []
                guard groups.count == 2 else { throw f.error("target_groups", "two target group ARNs expected (blue and green), got \(groups.count)") }
                let name = try f.requiredString("name")
                cloud.ecsServices[name] = ECSRouting(
                    cluster: try f.requiredString("cluster"), service: name, listener: try f.requiredString("listener"),
                    testListener: try f.string("test_listener"), targetGroups: groups, container: try f.requiredString("container"),
                    port: try f.int("port") ?? 80, launchType: try f.string("launch_type"), subnets: try f.strings("subnets") ?? [],
                    securityGroups: try f.strings("security_groups") ?? [], stableTimeoutSeconds: try f.int("stable_timeout") ?? 600)
                return 0
            }
            t.method("task_sets") { cloud, stack in
                // cloud:task_sets(service) → { { id =, status =, task_definition =, target_group = }, … }
                let name = try stack.checkString(2)
                guard let routing = cloud.ecsServices[name] else { throw LuaArgumentError(2, "no routing for service \(name) (cloud:ecs_service{…})") }
                let sets = try cloud.aws { try cloud.ecs.describeTaskSets(cluster: routing.cluster, service: routing.service) }
                stack.push(table: LuaTable(array: sets.map { set in
                    .table(["id": .string(set.id), "status": .string(set.status),
                            "task_definition": .string(ECSRouting.taskDefinitionName(set.taskDefinition)),
                            "target_group": .string(set.loadBalancers.first?.targetGroupARN ?? "")])
                }))
                return 1
            }
            t.method("listener_weights") { cloud, stack in
                // cloud:listener_weights(listener ARN) → { [target group ARN] = weight, … }
                let arn = try stack.checkString(2)
                let listener = try cloud.aws { try ELBv2(cloud.client).describeListeners(arns: [arn]).first }
                stack.push(table: LuaTable(fields: (listener?.forwardAction?.weights ?? [:]).sorted { $0.key < $1.key }
                    .map { (key: LuaValue.string($0.key), value: LuaValue.integer(Int64($0.value))) }))
                return 1
            }
            t.method("publish") { cloud, stack in
                let name = try stack.checkString(2)
                stack.push(try cloud.aws { try cloud.lambda.publishVersion(name) }.version)
                return 1
            }
            t.method("alarm_state") { cloud, stack in
                let name = try stack.checkString(2)
                let alarm = try cloud.aws { try cloud.cloudWatch.alarms(named: [name]) }.first
                stack.push(table: ["name": .string(name), "state": .string(alarm?.state.rawValue ?? ""),
                                   "reason": .string(alarm?.reason ?? "")])
                return 1
            }
            t.method("set_alarm_state") { cloud, stack in
                let name = try stack.checkString(2)
                let state = try stack.checkString(3)
                guard let value = CloudWatch.Alarm.State(rawValue: state) else {
                    throw LuaArgumentError(3, "OK, ALARM or INSUFFICIENT_DATA expected, got \(state)")
                }
                let reason = try stack.optString(4) ?? "set by hand"
                try cloud.aws { try cloud.cloudWatch.setAlarmState(name, state: value, reason: reason) }
                return 0
            }
            t.metamethod("__tostring") { cloud, stack in
                let c = cloud.client.configuration
                stack.push("aws (region \(c.region))")
                return 1
            }
        }
    }

    /// An AWS call from Lua: its AWSError (service, operation, code, message, request id)
    /// becomes the Lua error.
    func aws<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as LuaArgumentError {
            throw error
        } catch {
            throw LuaArgumentError(2, "\(error)")
        }
    }
}
