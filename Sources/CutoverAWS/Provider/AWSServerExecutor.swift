import CutoverCore
import Foundation

/// AWS as the executor of a server deployment (in place or blue/green) on EC2
/// instances: each lifecycle event on an instance is one SSM Run Command
/// (`AWS-RunShellScript`, scripts from `InstanceScripts`) waited for with
/// GetCommandInvocation; BlockTraffic and AllowTraffic deregister and register the
/// instance in the group's ELBv2 target groups and wait for draining to end or for the
/// target to be healthy. The revision travels as a tar.gz in S3, uploaded once
/// (`uploadBundle`), fetched by each instance with a presigned URL.
///
/// Bookkeeping (`recorded`): which revision each instance last got, and the group's
/// last successful revision, are kept in S3 next to the bundles
/// (`RevisionRecord`, one JSON object per group). S3 rather than instance tags: the
/// bucket is needed anyway, one object answers for the whole group in one GetObject
/// (tags would take CreateTags rights on every instance and a DescribeInstances
/// filter per group), revision names (local paths) may pass the 256 characters a tag
/// value has, and tags are copied to blue/green replacements by launch templates,
/// which would claim a revision they never got. The instance itself keeps the agent's
/// pointers (`_last_successful_install`), from which its stop-type hooks run.
public final class AWSServerExecutor: DeploymentExecutor, @unchecked Sendable {
    public let ssm: SSM
    public let elbv2: ELBv2
    public let s3: S3
    public let cloudWatch: CloudWatch
    public let appSpec: ServerAppSpec
    public let bundle: RevisionBundle
    public let groupID: String
    /// The ELBv2 target groups BlockTraffic and AllowTraffic act on.
    public let targetGroupARNs: [String]
    /// The Classic Load Balancers they act on, by name.
    public var classicLoadBalancers: [String] = []
    /// The deployment root on the instances.
    public var instanceRoot = InstanceScripts.defaultRoot
    /// How often SSM and target health are polled.
    public var pollInterval: Duration = .seconds(2)
    /// How long AllowTraffic waits for a healthy target (CodeDeploy waits an hour).
    public var healthTimeout: Duration = .seconds(3600)
    /// How long BlockTraffic waits for draining to end (the target group's
    /// deregistration delay is 300 s by default).
    public var drainTimeout: Duration = .seconds(900)
    /// How long an instance has to pick a command up (SSM's TimeoutSeconds).
    public var deliveryTimeoutSeconds = 600
    /// The waits' sleep: tests inject one that does not wait.
    public var sleep: @Sendable (Duration) -> Void = RetryPolicy.threadSleep
    /// A blue/green deployment through a copy: the Auto Scaling group it replaces and
    /// the copy, recorded as replaced when the deployment succeeds.
    public var replacingGroup: (original: String, copy: String)?
    /// A resumed deployment: when its first process started (commands it sent are
    /// looked for from then on).
    public var earlierCommandsSince: Date?
    private let record: RevisionRecord
    private let lock = NSLock()

    public init(client: AWSClient, appSpec: ServerAppSpec, bundle: RevisionBundle, groupID: String, targetGroupARNs: [String],
                record: RevisionRecord) {
        ssm = SSM(client)
        elbv2 = ELBv2(client)
        s3 = S3(client)
        cloudWatch = CloudWatch(client)
        self.appSpec = appSpec
        self.bundle = bundle
        self.groupID = groupID
        self.targetGroupARNs = targetGroupARNs
        self.record = record
    }

    func scripts(_ spec: DeploymentSpec) -> InstanceScripts {
        InstanceScripts(root: instanceRoot, groupID: groupID, deploymentID: spec.id)
    }

    // MARK: - Lifecycle events

    public func runLifecycleEvent(_ event: LifecycleEvent, target t: Int, of spec: DeploymentSpec) -> EngineInput {
        let instance = spec.targets[t].id
        func result(_ status: LifecycleEventStatus, _ code: LifecycleErrorCode, _ message: String) -> EngineInput {
            .lifecycleResult(target: t, event: event, status: status, error: code, message: message)
        }
        let scripts = scripts(spec)
        switch event {
        case .downloadBundle:
            let url: String
            do {
                url = try s3.presignedGetURL(bucket: bundle.bucket, key: bundle.key, expires: .seconds(3600))
            } catch {
                return result(.failed, .unknownError, "no URL for the bundle: \(error)")
            }
            return run(scripts.downloadBundle(url: url, appSpec: appSpec), on: instance, timeout: 900, comment: comment(spec, event), result)
        case .install:
            return run(scripts.install(appSpec), on: instance, timeout: 1800, comment: comment(spec, event), result)
        case .blockTraffic where spec.targets[t].onPremises, .allowTraffic where spec.targets[t].onPremises:
            // Target groups take EC2 instances (and IPs); an on-premises server is not registered.
            return result(.skipped, .success, "\(instance) is on premises: no load balancer registration")
        case .blockTraffic:
            return traffic(allow: false, instance: instance, result)
        case .allowTraffic:
            return traffic(allow: true, instance: instance, result)
        default:
            // Events of the new revision without scripts are no-ops (the agent's
            // IsCommandNoop); stop-type ones depend on what the instance had before, and
            // so do a blue/green rollback's, which installs nothing on the originals.
            let fromLastInstall = event.usesLastSuccessfulRevision || spec.blueGreen?.rollingBack == true
            if !fromLastInstall && (appSpec.hooks[event] ?? []).isEmpty {
                return result(.succeeded, .success, "no scripts for \(event.rawValue)")
            }
            // SSM's limit covers every script of the event, as the agent's command timeout.
            let hooks = appSpec.hooks[event] ?? []
            let timeout = fromLastInstall ? 3600 : hooks.reduce(0) { $0 + Int($1.timeout.components.seconds) }
            return run(scripts.hookEvent(event, application: spec.application, groupName: spec.group,
                                         fromLastInstall: fromLastInstall), on: instance,
                       timeout: max(60, timeout + 60), comment: comment(spec, event), result)
        }
    }

    /// The comment an event's SSM command carries: how a resumed deployment finds it.
    func comment(_ spec: DeploymentSpec, _ event: LifecycleEvent) -> String {
        "cutover \(spec.id) \(event.rawValue)"
    }

    /// One SSM command on one instance, waited for; its output's tail goes into a
    /// failure's message. A resumed deployment (`earlierCommandsSince`) first looks for
    /// the command its dead process sent for the event, and waits for that one: SSM has
    /// no idempotency token, and a script must not run twice.
    func run(_ script: String, on instance: String, timeout: Int, comment: String,
             _ result: (LifecycleEventStatus, LifecycleErrorCode, String) -> EngineInput) -> EngineInput {
        let invocation: SSM.Invocation
        do {
            let earlier = try earlierCommandsSince.flatMap { since in
                try ssm.listCommands(instanceID: instance, after: since).first { $0.comment == comment }
            }
            let command = try earlier ?? sendWhenManaged(script, to: instance, timeout: timeout, comment: comment)
            invocation = try ssm.waitForInvocation(commandID: command.id, instanceID: instance,
                                                   timeout: .seconds(timeout + deliveryTimeoutSeconds + 60),
                                                   poll: pollInterval, sleep: sleep)
        } catch {
            return result(.failed, .unknownError, "SSM on \(instance): \(error)")
        }
        let outcome = Self.outcome(of: invocation)
        return result(outcome.status, outcome.code, outcome.message)
    }

    /// Sends the command once SSM manages the instance. A fresh instance (a blue/green
    /// copy's, one just launched) is InService before its SSM agent has registered, and
    /// SSM refuses commands for it with InvalidInstanceId, having created nothing: that
    /// is asked again, every poll, for up to the delivery timeout.
    func sendWhenManaged(_ script: String, to instance: String, timeout: Int, comment: String) throws -> SSM.Command {
        let deadline = ContinuousClock.now + .seconds(deliveryTimeoutSeconds)
        while true {
            switch Result(catching: { try ssm.sendCommand(instanceIDs: [instance], commands: [script], executionTimeout: timeout,
                                                          deliveryTimeout: deliveryTimeoutSeconds, comment: comment) }) {
            case .success(let command):
                return command
            case .failure(let error as AWSError) where error.code == "InvalidInstanceId":
                guard ContinuousClock.now + pollInterval <= deadline else {
                    throw AWSProviderError("SSM does not manage \(instance) after \(deliveryTimeoutSeconds) s (\(error)): is its SSM agent "
                                           + "running, with an instance profile that allows it (AmazonSSMManagedInstanceCore)?")
                }
                sleep(pollInterval)
            case .failure(let error):
                throw error
            }
        }
    }

    /// What an invocation's status and last `cutover:` line say: Skipped, succeeded, or
    /// failed with the code the script named (ScriptFailed, ScriptMissing…), the
    /// instance's output tail following the message.
    public static func outcome(of invocation: SSM.Invocation) -> (status: LifecycleEventStatus, code: LifecycleErrorCode, message: String) {
        let output = invocation.standardOutput + (invocation.standardError.isEmpty ? "" : "\n" + invocation.standardError)
        let lines = output.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let marker = lines.last { $0.hasPrefix(InstanceScripts.markerPrefix) }
            .map { $0.dropFirst(InstanceScripts.markerPrefix.count) }
        let code = marker.flatMap { $0.split(separator: ":", maxSplits: 1).first }.map(String.init)
        let said = marker.flatMap { $0.split(separator: ":", maxSplits: 1).dropFirst().first }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if invocation.succeeded {
            if code == "Skipped" { return (.skipped, .success, said ?? "") }
            return (.succeeded, .success, lines.last ?? "")
        }
        let tail = lines.filter { !$0.hasPrefix(InstanceScripts.markerPrefix) }.suffix(5).joined(separator: "\n")
        var message: String
        let errorCode: LifecycleErrorCode
        if !invocation.isFinished {
            (errorCode, message) = (.scriptTimedOut, "the command is still \(invocation.status) on \(invocation.instanceID) after the wait")
        } else if invocation.status == "TimedOut" {
            (errorCode, message) = (.scriptTimedOut, "SSM stopped the command on \(invocation.instanceID) (TimedOut\(invocation.statusDetails.map { ", \($0)" } ?? ""))")
        } else if let code, let known = LifecycleErrorCode(rawValue: code) {
            (errorCode, message) = (known, said ?? code)
        } else {
            (errorCode, message) = (.unknownError, "SSM says \(invocation.status)" + (invocation.statusDetails.map { " (\($0))" } ?? "")
                + (invocation.responseCode.map { ", exit status \($0)" } ?? ""))
        }
        if !tail.isEmpty { message += "\n" + tail }
        return (.failed, errorCode, message)
    }

    // MARK: - Traffic

    /// What BlockTraffic and AllowTraffic act on: ELBv2 target groups and Classic Load
    /// Balancers.
    enum Balancer {
        case targetGroup(String)
        case classic(String)
    }

    var balancers: [Balancer] { targetGroupARNs.map(Balancer.targetGroup) + classicLoadBalancers.map(Balancer.classic) }

    /// Deregisters (and waits until the target has drained) or registers (and waits
    /// until it is healthy) the instance in every load balancer of the deployment group.
    /// (A Classic Load Balancer shows no draining: its instance counts as out once it is
    /// no longer InService.)
    func traffic(allow: Bool, instance: String, _ result: (LifecycleEventStatus, LifecycleErrorCode, String) -> EngineInput) -> EngineInput {
        let balancers = self.balancers
        guard !balancers.isEmpty else { return result(.succeeded, .success, "no load balancer") }
        let target = ELBv2.Target(instance)
        let elb = ELB(elbv2.client)
        // An instance that is not registered has nothing to drain (moto refuses to
        // deregister it: InvalidTarget, InvalidInstance).
        func ignoringAbsent(_ call: () throws -> Void) throws {
            switch Result(catching: call) {
            case .success: break
            case .failure(let error as AWSError) where error.code == "InvalidTarget" || error.code == "InvalidInstance": break
            case .failure(let error): throw error
            }
        }
        /// Whether the instance is where it should be in `balancer`, and what it says.
        func settled(_ balancer: Balancer) throws -> (Bool, String) {
            switch balancer {
            case .targetGroup(let arn):
                let health = try elbv2.describeTargetHealth(of: arn, targets: [target]).first { $0.target.id == instance }
                let state = health?.state ?? "unused"
                return (allow ? state == "healthy" : state != "draining", state + (health?.reason.map { " (\($0))" } ?? ""))
            case .classic(let name):
                let state: String
                switch Result(catching: { try elb.instanceHealth(name, instanceIDs: [instance]).first }) {
                case .success(let found): state = found.map { $0.state + ($0.reasonCode.map { " (\($0))" } ?? "") } ?? "not registered"
                case .failure(let error as AWSError) where error.code == "InvalidInstance": state = "not registered"
                case .failure(let error): throw error
                }
                return (allow ? state.hasPrefix("InService") : !state.hasPrefix("InService"), state)
            }
        }
        do {
            for balancer in balancers {
                switch (balancer, allow) {
                case (.targetGroup(let arn), true): try elbv2.registerTargets([target], in: arn)
                case (.targetGroup(let arn), false): try ignoringAbsent { try elbv2.deregisterTargets([target], from: arn) }
                case (.classic(let name), true): try elb.register([instance], with: name)
                case (.classic(let name), false): try ignoringAbsent { try elb.deregister([instance], from: name) }
                }
            }
            let deadline = ContinuousClock.now + (allow ? healthTimeout : drainTimeout)
            var waiting = balancers
            var last = ""
            while !waiting.isEmpty {
                var still: [Balancer] = []
                for balancer in waiting {
                    let (done, state) = try settled(balancer)
                    if !done {
                        still.append(balancer)
                        last = state
                    }
                }
                waiting = still
                if waiting.isEmpty { break }
                if ContinuousClock.now + pollInterval > deadline {
                    return result(.failed, .unknownError, allow
                        ? "\(instance) is not healthy in \(waiting.count) load balancer(s) after \(healthTimeout): \(last)"
                        : "\(instance) is still draining after \(drainTimeout)")
                }
                sleep(pollInterval)
            }
            return result(.succeeded, .success, allow ? "\(instance) registered and healthy in \(balancers.count) load balancer(s)"
                                                      : "\(instance) deregistered from \(balancers.count) load balancer(s)")
        } catch {
            return result(.failed, .unknownError, "\(error)")
        }
    }

    // MARK: - Alarms, traffic commands, bookkeeping

    public func pollAlarms(_ names: [String]) -> EngineInput { cloudWatch.engineInput(polling: names) }

    /// Server deployments move traffic per instance (BlockTraffic, AllowTraffic);
    /// blue/green's removals are the binding's `blueGreenRunner`.
    public func moveTraffic(_ command: EngineCommand, of spec: DeploymentSpec) -> EngineInput {
        .trafficShifted(weight: 0, error: "a server deployment moves no weighted traffic")
    }

    /// An instance's revision once it succeeded; the group's once the deployment did.
    public func recorded(_ event: DeploymentEvent, of spec: DeploymentSpec) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .targetEnded(let t, .succeeded) where spec.namesRevision:
            record.instances[spec.targets[t].id] = spec.revision
        case .ended(.succeeded, _, _):
            if spec.namesRevision { record.lastSuccessful = spec.revision }
            if let replacingGroup { record.replace(replacingGroup.original, with: replacingGroup.copy) }
        default:
            return
        }
        try? record.save(to: s3)
    }
}
