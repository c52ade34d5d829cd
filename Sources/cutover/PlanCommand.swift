import ArgumentParser
import CutoverBindings
import CutoverCore
import CutoverREPL

/// `cutover plan`: what a configuration would do, without deploying anything.
struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what a deployment configuration would do, without side effects.",
        discussion: """
            Server: the minimum healthy hosts and the batches, in deployment order, over \
            --hosts instances (i-1 … i-N; the first --unhealthy of them unhealthy). \
            Lambda and ECS: the traffic steps. Exit status 1 when the configuration \
            could not start on that fleet (HEALTH_CONSTRAINTS_INVALID).
            """
    )

    @Option(help: "server, lambda or ecs.")
    var platform: String = "server"

    @Option(help: ArgumentHelp("A configuration name, such as CodeDeployDefault.HalfAtATime.", valueName: "name"))
    var config: String?

    @Option(help: "How many instances (server).")
    var hosts: Int?

    @Option(help: "How many of them are unhealthy at the start (server).")
    var unhealthy: Int = 0

    @Option(name: .customLong("min-healthy"), help: ArgumentHelp("A custom minimum: a host count (3) or a percentage (40%).", valueName: "n|p%"))
    var minHealthy: String?

    @Option(help: ArgumentHelp("A custom canary: PERCENT%:INTERVAL, such as 10%:5m.", valueName: "p%:interval"))
    var canary: String?

    @Option(help: ArgumentHelp("A custom linear shift: PERCENT%:INTERVAL, such as 10%:1m.", valueName: "p%:interval"))
    var linear: String?

    @Option(help: ArgumentHelp("A Lua file that registers a traffic policy with cutover.policy (lambda, ecs): its steps are run on the simulator and shown.", valueName: "file"))
    var policy: String?

    @Option(name: .customLong("policy-name"), help: ArgumentHelp("Which policy of the file, when it registers several.", valueName: "name"))
    var policyName: String?

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        guard let platform = ComputePlatform(name: platform) else {
            throw ValidationError("--platform must be server, lambda or ecs, not '\(self.platform)'")
        }
        if let policy {
            guard platform != .server else { throw ValidationError("--policy shows traffic policies: give --platform lambda or ecs") }
            guard config == nil && canary == nil && linear == nil && minHealthy == nil else {
                throw ValidationError("give either --policy or a configuration")
            }
            var launch = Launch()
            launch.chunks = [Self.policyPlanChunk(file: policy, name: policyName, platform: platform, json: json)]
            launch.prepare = installModules(provider: "sim")
            throw ExitCode(launch.run())
        }
        let configuration = try resolveConfiguration(platform)
        guard configuration.platform == platform else {
            throw ValidationError("\(configuration.name) is a \(configuration.platform.rawValue) configuration, not \(platform.rawValue)")
        }
        switch platform {
        case .server: try planServer(configuration)
        case .lambda, .ecs: planTraffic(configuration)
        }
    }

    private func resolveConfiguration(_ platform: ComputePlatform) throws -> DeploymentConfiguration {
        let custom = [minHealthy, canary, linear].compactMap { $0 }
        if custom.count > 1 || (!custom.isEmpty && config != nil) {
            throw ValidationError("give one of --config, --min-healthy, --canary or --linear")
        }
        if let minHealthy {
            let rule: MinimumHealthyHosts
            if minHealthy.hasSuffix("%"), let p = Int(minHealthy.dropLast()) { rule = .fleetPercent(p) }
            else if let n = Int(minHealthy) { rule = .hostCount(n) }
            else { throw ValidationError("--min-healthy takes a host count (3) or a percentage (40%), not '\(minHealthy)'") }
            return try validated(DeploymentConfiguration(name: "custom", platform: .server, minimumHealthyHosts: rule))
        }
        if let spec = canary ?? linear {
            let parts = spec.split(separator: ":").map(String.init)
            guard parts.count == 2, parts[0].hasSuffix("%"), let p = Int(parts[0].dropLast()),
                  let minutes = Plan.minutes(parts[1]) else {
                throw ValidationError("--\(canary != nil ? "canary" : "linear") takes PERCENT%:INTERVAL, such as 10%:5m, not '\(spec)'")
            }
            let routing: TrafficRouting = canary != nil
                ? .timeBasedCanary(percent: p, intervalMinutes: minutes) : .timeBasedLinear(percent: p, intervalMinutes: minutes)
            return try validated(DeploymentConfiguration(name: "custom", platform: platform, trafficRouting: routing))
        }
        guard let config else { throw ValidationError("give --config NAME (or --min-healthy, --canary, --linear)") }
        return try predefinedConfiguration(named: config, platform: platform)
    }

    private func validated(_ c: DeploymentConfiguration) throws -> DeploymentConfiguration {
        do { try c.validate() } catch { throw ValidationError(error.description) }
        return c
    }

    static func minutes(_ text: String) -> Int? {
        if let n = Int(text) { return n }
        if text.hasSuffix("m"), let n = Int(text.dropLast()) { return n }
        if text.hasSuffix("h"), let n = Int(text.dropLast()) { return n * 60 }
        return nil
    }

    private func planServer(_ c: DeploymentConfiguration) throws {
        guard let hosts else { throw ValidationError("--hosts N is needed for a server plan") }
        guard hosts > 0 else { throw ValidationError("--hosts must be at least 1") }
        guard unhealthy >= 0, unhealthy <= hosts else { throw ValidationError("--unhealthy must be between 0 and --hosts") }
        guard let rule = c.minimumHealthyHosts else { throw ValidationError("\(c.name) has no minimum healthy hosts") }
        if case .hostCount(let v) = rule, v >= hosts {
            throw ValidationError("HOST_COUNT \(v) must be below the fleet size \(hosts): the deployment could never start")
        }
        let targets = (1...hosts).map { TargetDescription(id: "i-\($0)", health: $0 <= unhealthy ? .unhealthy : .healthy) }
        let outcome: Result<BatchPlan, CoreError>
        do { outcome = .success(try BatchPlan.plan(targets: targets, rule: rule)) } catch { outcome = .failure(error) }
        switch outcome {
        case .success(let plan):
            if json {
                let batches = plan.batches.map { "[" + $0.map(JSONText.quote).joined(separator: ",") + "]" }.joined(separator: ",")
                print("{\"platform\":\"server\",\"config\":\(JSONText.quote(c.name)),\"hosts\":\(hosts),\"unhealthy\":\(unhealthy),"
                      + "\"minimum_healthy_hosts\":\(plan.minimumHealthyHosts),\"batch_size\":\(plan.batchSize),\"batches\":[\(batches)]}")
            } else {
                print("\(c.name) over \(hosts) instances\(unhealthy > 0 ? " (\(unhealthy) unhealthy)" : "")")
                print("  minimum healthy hosts: \(plan.minimumHealthyHosts) (\(rule.typeName) \(rule.value))")
                print("  at most \(plan.batchSize) at a time; success needs at least \(max(1, plan.minimumHealthyHosts)) succeeded")
                for (i, batch) in plan.batches.enumerated() {
                    print("  batch \(i + 1): " + batch.joined(separator: " "))
                }
            }
        case .failure(.invalid(let message)):
            throw ValidationError(message)
        case .failure(.deployment(let code, let message)):
            if json {
                print("{\"platform\":\"server\",\"config\":\(JSONText.quote(c.name)),\"hosts\":\(hosts),\"error\":\"\(code.rawValue)\",\"message\":\(JSONText.quote(message))}")
            } else {
                print("\(c.name) over \(hosts) instances: cannot start: \(code.rawValue): \(message)")
            }
            throw ExitCode(1)
        }
    }

    /// Lua that loads the policy file, runs the policy on a simulated function or
    /// service (approvals granted at once) and prints its traffic steps, timed from the
    /// start of AllowTraffic.
    static func policyPlanChunk(file: String, name: String?, platform: ComputePlatform, json: Bool) -> String {
        func quote(_ s: String) -> String { JSONText.quote(s) } // a JSON string is a valid Lua string here
        return """
        local cutover = require "cutover"
        local names, register = {}, cutover.policy
        cutover.policy = function(n, f) names[#names + 1] = n; return register(n, f) end
        dofile(\(quote(file)))
        cutover.policy = register
        local name = \(name.map(quote) ?? "nil")
        if not name then
          if #names ~= 1 then error(("%s registers %d policies (%s): choose one with --policy-name"):format(\(quote(file)), #names, table.concat(names, ", ")), 0) end
          name = names[1]
        end
        local cloud = cutover.sim {}
        local d
        if \(platform == .lambda ? "true" : "false") then
          cloud:lambda { name = "plan", versions = 2, alias = "live", alias_version = "1" }
          d = cutover.group { provider = cloud, platform = "lambda", name = "plan", lambda = "plan", alias = "live" }:deploy { version = "2", policy = name }
        else
          cloud:service { name = "plan", task_definition = "plan:1", test_port = 0 }
          d = cutover.group { provider = cloud, platform = "ecs", name = "plan", service = "plan" }:deploy { task_definition = "plan:2", policy = name }
        end
        d:wait()
        while d.waiting_for do d:approve(d.waiting_for) end
        local start, steps = nil, {}
        for _, e in ipairs(d.events) do
          if e.kind == "event_started" and e.event == "AllowTraffic" then start = e.time end
          if start then
            local at = e.time - start
            if e.kind == "traffic_shifted" then steps[#steps + 1] = { at = at, what = "shift", weight = e.weight }
            elseif e.kind == "bake_started" then steps[#steps + 1] = { at = at, what = "bake", ["until"] = e["until"] - start }
            elseif e.kind == "approval_waiting" then steps[#steps + 1] = { at = at, what = "approve", name = e.name } end
          end
        end
        local function clock(s) return ("%dm%02ds"):format(s // 60, math.floor(s % 60)) end
        if \(json ? "true" : "false") then
          local items = {}
          for _, s in ipairs(steps) do
            if s.what == "shift" then items[#items + 1] = ('{"at_seconds":%d,"weight":%d}'):format(s.at, s.weight)
            elseif s.what == "bake" then items[#items + 1] = ('{"at_seconds":%d,"bake_until":%d}'):format(s.at, s["until"])
            else items[#items + 1] = ('{"at_seconds":%d,"approve":%q}'):format(s.at, s.name) end
          end
          print(('{"platform":%q,"policy":%q,"status":%q,"steps":[%s]}'):format(\(quote(platform.rawValue)), name, d.status, table.concat(items, ",")))
        else
          print(("policy %s (%s): traffic to the new version"):format(name, \(quote(platform.rawValue))))
          for _, s in ipairs(steps) do
            if s.what == "shift" then print(("  at %s  %d%%"):format(clock(s.at), s.weight))
            elseif s.what == "bake" then print(("  at %s  bake until %s"):format(clock(s.at), clock(s["until"])))
            else print(("  at %s  wait for approval '%s'"):format(clock(s.at), s.name)) end
          end
          if d.status ~= "Succeeded" then print(("  the policy ends %s: %s"):format(d.status, d.message)) end
        end
        if d.status ~= "Succeeded" then os.exit(1) end
        """
    }

    private func planTraffic(_ c: DeploymentConfiguration) {
        let steps = TrafficSchedule.steps(for: c.trafficRouting ?? .allAtOnce)
        if json {
            let items = steps.map { "{\"at_seconds\":\($0.atSeconds),\"weight\":\($0.weight)}" }.joined(separator: ",")
            print("{\"platform\":\"\(c.platform.rawValue)\",\"config\":\(JSONText.quote(c.name)),\"steps\":[\(items)]}")
        } else {
            print("\(c.name): traffic to the new version")
            for step in steps {
                let m = step.atSeconds / 60, s = step.atSeconds % 60
                print("  from \(m)m\(s > 0 ? "\(s)s" : "")  \(step.weight)%")
            }
        }
    }
}

/// A configuration by name: the predefined ones are defined in stdlib/cutover/configs.lua.
func predefinedConfiguration(named config: String, platform: ComputePlatform) throws -> DeploymentConfiguration {
    let shell = try Shell()
    let module = CutoverModule()
    module.install(in: shell.vm)
    do {
        try shell.vm.run("require 'cutover'", chunkName: "=(plan)")
    } catch {
        throw ValidationError("cannot load the cutover Lua module: \(Shell.describe(error))")
    }
    guard let configuration = module.configuration(named: config) else {
        let names = module.configurations.keys.filter { $0.lowercased().contains(platform.rawValue) || platform == .server }
        let near = names.min { editDistance($0, config) < editDistance($1, config) }
        throw ValidationError("unknown configuration '\(config)'" + (near.map { "; did you mean \($0)?" } ?? ""))
    }
    return configuration
}
