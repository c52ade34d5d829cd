import CutoverAWS
import CutoverCore
import CutoverLocal
import Foundation
import LuaRuntime

/// Launch deployments on AWS: what CodeDeploy does for an Auto Scaling group's new
/// instances (reference §5.4), done by a Cutover process that serves them.
///
/// `group:serve_launches{…}` puts a launch lifecycle hook (and with `terminations = true`
/// a termination one) on the group's Auto Scaling
/// groups (the copies that replaced them after a blue/green included), then, until its
/// duration or count is reached, finds instances the hook holds (`Pending:Wait`),
/// deploys the group's last successful revision to them (creator `autoscaling`: no
/// block-traffic events, no rollback), and lets them go on: CONTINUE when the deployment
/// succeeded, ABANDON (Auto Scaling terminates the instance and launches another) when it
/// failed. A group with no successful revision yet lets them go on as they are. An
/// instance held on its way out gets a termination deployment (creator
/// `autoscalingTermination`: BeforeBlockTraffic, BlockTraffic, AfterBlockTraffic,
/// ApplicationStop, from its last install) and goes on to termination whatever it gives.
///
/// The hook's default result is CONTINUE: while no Cutover serves launches, an instance
/// waits out `hook_timeout` and then goes into service with what its launch template
/// gives it, as it would without the hook. A deployment longer than `hook_timeout` is
/// cut short by Auto Scaling's default; choose it longer than a deployment.
extension AWSCloudBinding {
    struct ServedLaunch {
        var id: String
        var status: String
        var instances: [String]
        /// CONTINUE or ABANDON, or why the instances were let go without a deployment.
        var result: String
    }

    func launchHookName(_ group: String, terminating: Bool = false) -> String {
        String(((terminating ? "cutover-termination-" : "cutover-launch-") + group)
            .map { $0.isLetter || $0.isNumber || "-_/".contains($0) ? $0 : "_" }.prefix(255))
    }

    func serveLaunches(group name: String, durationSeconds: Int?, count: Int?, hookTimeout: Int, terminations: Bool, quiet: Bool,
                       on stack: LuaStack) throws -> [ServedLaunch] {
        guard let entry = groups[name], entry.group.traffic == nil, entry.group.blueGreen == nil,
              !entry.group.selection.autoScalingGroups.isEmpty else {
            throw LuaArgumentError(1, "serve_launches needs an in-place server group whose targets are Auto Scaling groups (targets = { asg = {…} })")
        }
        let bucket = try serverBucket()
        let deadline = durationSeconds.map { Date().addingTimeInterval(Double($0)) }
        var hooked: Set<String> = []
        var served: [ServedLaunch] = []
        func say(_ line: String) { if !quiet { FileHandle.standardOutput.write(Data(("[launches] " + line + "\n").utf8)) } }
        while count.map({ served.count < $0 }) ?? true, deadline.map({ Date() < $0 }) ?? true {
            let record = try aws { try RevisionRecord.load(bucket: bucket, groupID: serverGroupID(name), from: s3) }
            let asgs = entry.group.selection.autoScalingGroups.map(record.currentGroup)
            for asg in asgs where !hooked.contains(asg) {
                for terminating in terminations ? [false, true] : [false] {
                    try aws {
                        try autoScaling.putLifecycleHook(AutoScaling.LifecycleHook(
                            name: launchHookName(name, terminating: terminating), groupName: asg,
                            transition: terminating ? .terminating : .launching, heartbeatTimeout: hookTimeout, defaultResult: .proceed))
                    }
                }
                hooked.insert(asg)
                say("\(asg): \(terminations ? "launch and termination hooks" : "launch hook \(launchHookName(name))") in place "
                    + "(instances wait up to \(hookTimeout) s for their deployment)")
            }
            var launching: [(asg: String, id: String)] = []
            var terminating: [(asg: String, id: String)] = []
            for asg in asgs {
                let group = try aws { try autoScaling.group(named: asg) }
                for instance in group?.instances ?? [] {
                    if instance.lifecycleState == "Pending:Wait" { launching.append((asg, instance.id)) }
                    if terminations && instance.lifecycleState == "Terminating:Wait" { terminating.append((asg, instance.id)) }
                }
            }
            if launching.isEmpty && terminating.isEmpty {
                Thread.sleep(forTimeInterval: servers.pollSeconds)
                continue
            }
            let revision = groups[name]?.lastSuccessfulRevision ?? record.lastSuccessful
            for (held, isTermination) in [(terminating, true), (launching, false)] where !held.isEmpty {
                if let count, served.count >= count { break }
                served.append(serve(held, group: name, revision: revision, termination: isTermination, hookTimeout: hookTimeout,
                                    quiet: quiet, say: say, on: stack))
            }
        }
        return served
    }

    /// One deployment to instances a hook holds, then the action completed: a launch
    /// goes on (CONTINUE) when it succeeded and is replaced (ABANDON) otherwise; a
    /// termination goes on either way.
    private func serve(_ held: [(asg: String, id: String)], group name: String, revision: String?, termination: Bool,
                       hookTimeout: Int, quiet: Bool, say: (String) -> Void, on stack: LuaStack) -> ServedLaunch {
        let ids = held.map(\.id)
        let hook = launchHookName(name, terminating: termination)
        let what = termination ? "terminating" : "launched"
        func release(_ result: AutoScaling.LifecycleActionResult) {
            for (asg, id) in held {
                if case .failure(let error) = Result(catching: {
                    try autoScaling.completeLifecycleAction(group: asg, hook: hook, instanceID: id, result: result)
                }) {
                    say("\(id): could not be let go (\(error)); Auto Scaling applies the hook's default after \(hookTimeout) s")
                }
            }
        }
        guard let revision else {
            release(.proceed)
            say("\(ids.joined(separator: " ")) \(what): the group has no successful revision yet; let go as they are")
            return ServedLaunch(id: "", status: "Skipped", instances: ids, result: "CONTINUE: the group has no successful revision yet")
        }
        say("\(ids.joined(separator: " ")) \(what): \(termination ? "taking them out and stopping" : "deploying") \(revision)")
        let binding: DeploymentBinding
        switch Result(catching: { try start(group: name, revision: revision, configuration: nil, policy: nil,
                                            ignoreApplicationStopFailures: termination,
                                            creator: termination ? .autoscalingTermination : .autoscaling, rollbackOf: nil,
                                            hooks: [:], only: Set(ids)) }) {
        case .success(let b): binding = b
        case .failure(let error):
            let result: AutoScaling.LifecycleActionResult = termination ? .proceed : .abandon
            release(result)
            let reason = (error as? LuaArgumentError)?.message ?? "\(error)"
            say("\(ids.joined(separator: " ")): the \(termination ? "termination" : "launch") deployment could not start (\(reason)); \(result)")
            return ServedLaunch(id: "", status: "Failed", instances: ids, result: "\(result): \(reason)")
        }
        if !quiet {
            let printer = LiveView(json: false)
            binding.run.live = { run, event in printer.show(event, of: run) }
            for event in binding.run.log { printer.show(event, of: binding.run) }
        }
        binding.run.run(on: stack, untilSeconds: nil)
        binding.run.live = nil
        let succeeded = binding.run.state.status == .succeeded
        let result: AutoScaling.LifecycleActionResult = succeeded || termination ? .proceed : .abandon
        release(result)
        say("\(binding.run.spec.id) \(binding.run.state.status.rawValue): \(ids.joined(separator: " ")) "
            + (termination ? "go on to termination" : succeeded ? "go into service" : "abandoned"))
        return ServedLaunch(id: binding.run.spec.id, status: binding.run.state.status.rawValue, instances: ids, result: result.rawValue)
    }
}
