import Testing
import LuaRuntime
import CutoverBindings
import CutoverREPL

/// The `cutover` Lua module, driven from Lua as users drive it.
@Suite struct CutoverModuleTests {
    let shell: Shell
    let module: CutoverModule

    init() throws {
        shell = try Shell()
        module = CutoverModule()
        module.install(in: shell.vm)
        try shell.vm.run("cutover = require 'cutover'", chunkName: "=setup")
    }

    @discardableResult
    private func run(_ code: String) throws -> [LuaValue] {
        try shell.vm.run(code, chunkName: "=test")
    }

    private func error(_ code: String) -> String {
        do {
            try run(code)
            return "no error"
        } catch let error as LuaError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func everyPredefinedConfigurationWithCodeDeploysValues() throws {
        let names = try run("return table.concat(cutover.configurations(), ',')").first?.stringValue ?? ""
        let list = names.split(separator: ",")
        #expect(list.count == 17)
        #expect(list.filter { $0.hasPrefix("CodeDeployDefault.Lambda") }.count == 9)
        #expect(list.filter { $0.hasPrefix("CodeDeployDefault.ECS") }.count == 5)
        #expect(list.contains("CodeDeployDefault.LambdaLinear10PercentEvery1Minute"))
        #expect(list.contains("CodeDeployDefault.ECSLinear10PercentEvery1Minutes"))
        let half = try run("local c = cutover.configuration 'CodeDeployDefault.HalfAtATime' return c.minimum_healthy.type, c.minimum_healthy.value")
        #expect(half == ["FLEET_PERCENT", 50])
        let canary = try run("local c = cutover.configuration 'CodeDeployDefault.LambdaCanary10Percent30Minutes' return c.traffic.type, c.traffic.percent, c.traffic.interval")
        #expect(canary == ["canary", 10, 30])
    }

    @Test func customConfigurationsAndTheirErrors() throws {
        try run("cutover.config { name = 'Quarter', minimum_healthy = '75%' }")
        #expect(module.configuration(named: "Quarter")?.minimumHealthyHosts == .fleetPercent(75))
        #expect(error("cutover.config { name = 'Bad', minimum_healthy = '100%' }")
            == "test:1: bad argument #1 to 'config' (minimum healthy hosts: FLEET_PERCENT must be between 0 and 99, got 100)")
        #expect(error("cutover.config { name = 'CodeDeployDefault.Mine', minimum_healthy = 1 }").contains("reserved"))
        #expect(error("cutover.config { name = 'X', minimum_helthy = 1 }").contains("did you mean 'minimum_healthy'"))
        #expect(error("cutover.config { name = 'L', platform = 'lambda', traffic = { type = 'canary', percent = 0, interval = 5 } }")
            .contains("percentage must be between 1 and 99"))
    }

    @Test func groupErrorsNameTheCallersLineAndTheField() throws {
        let message = error("""
            local cloud = cutover.sim { hosts = 2 }
            cutover.group { provider = cloud, name = 'web', targets = { hosts = { 'i-1' } }, config = 'CodeDeployDefault.HalfAtATim' }
            """)
        #expect(message.hasPrefix("test:2: bad argument #1 to 'group' (field 'config': unknown deployment configuration 'CodeDeployDefault.HalfAtATim' (did you mean CodeDeployDefault.HalfAtATime?)"))
        #expect(error("cutover.group { name = 'web' }").contains("field 'targets': table expected, got nil"))
        #expect(error("cutover.group(42)") == "test:1: bad argument #1 to 'group' (table expected, got number)")
    }

    @Test func hostCountNotBelowTheFleetCannotStart() throws {
        let results = try run("""
            cutover.config { name = 'AllButNone', minimum_healthy = 3 }
            local cloud = cutover.sim { hosts = 3 }
            local g = cloud:group { name = 'g', targets = { tags = {} , hosts = { 'i-1', 'i-2', 'i-3' } }, config = 'AllButNone' }
            local d = g:deploy { revision = 'v1' }
            d:wait()
            return d.status, d.error
            """)
        #expect(results == ["Failed", "HEALTH_CONSTRAINTS_INVALID"])
    }

    @Test func aRaisingHookFailsItsEventWithTheMessage() throws {
        let results = try run("""
            local cloud = cutover.sim { hosts = 3 }
            local g = cloud:group { name = 'g', targets = { hosts = { 'i-1', 'i-2', 'i-3' } }, config = 'CodeDeployDefault.AllAtOnce' }
            g:hook('ValidateService', function(ctx)
              if ctx.target.id == 'i-2' then error('health check failed on ' .. ctx.target.id) end
            end)
            local d = g:deploy { revision = 'v1' }
            d:wait()
            local failure
            for _, e in ipairs(d.events) do
              if e.kind == 'event_ended' and e.status == 'Failed' then failure = e end
            end
            return d.status, failure.target, failure.event, failure.error, failure.message
            """)
        #expect(results.prefix(4) == ["Succeeded", "i-2", "ValidateService", "ScriptFailed"])
        #expect(results[4].stringValue?.hasSuffix("health check failed on i-2") == true)
    }

    @Test func policiesDeployWavesAndAreCheckedAgainstTheConfiguration() throws {
        let results = try run("""
            cutover.policy('doubling', function(r)
              local n = 1
              while r:remaining() > 0 do
                r:deploy(r:pick(n))
                r:bake '1m'
                n = n * 2
              end
            end)
            local cloud = cutover.sim { hosts = 7 }
            local g = cloud:group { name = 'g', targets = { hosts = { 'i-1','i-2','i-3','i-4','i-5','i-6','i-7' } },
                                    config = 'CodeDeployDefault.AllAtOnce' }
            local d = g:deploy { revision = 'v1', policy = 'doubling' }
            d:wait()
            local sizes = {}
            for i, b in ipairs(d.batches) do sizes[i] = #b end
            return d.status, table.concat(sizes, ',')
            """)
        #expect(results == ["Succeeded", "1,2,4"])

        let strict = try run("""
            cutover.policy('greedy', function(r) r:deploy(r:pick(5)) end)
            local cloud = cutover.sim { hosts = 6 }
            local g = cloud:group { name = 'g', targets = { hosts = { 'i-1','i-2','i-3','i-4','i-5','i-6' } },
                                    config = 'CodeDeployDefault.HalfAtATime' }
            local d = g:deploy { revision = 'v1', policy = 'greedy' }
            d:wait()
            return d.status, d.error, d.message
            """)
        #expect(strict.prefix(2) == ["Failed", "HEALTH_CONSTRAINTS"])
        #expect(strict[2].stringValue?.contains("policy greedy: deploy asks to take 5 healthy instances out of service") == true)
    }

    @Test func aPolicyThatRaisesOrYieldsNonsenseFails() throws {
        let results = try run("""
            cutover.policy('broken', function(r) local x = nil; return x.field end)
            cutover.policy('nonsense', function(r) coroutine.yield(42) end)
            local cloud = cutover.sim { hosts = 2 }
            local g = cloud:group { name = 'g', targets = { hosts = { 'i-1', 'i-2' } } }
            local a = g:deploy { revision = 'v1', policy = 'broken' }
            a:wait()
            local b = g:deploy { revision = 'v1', policy = 'nonsense' }
            b:wait()
            return a.status, a.error, a.message, b.status, b.error, b.message
            """)
        #expect(results[0] == "Failed")
        #expect(results[1] == "HOOK_EXECUTION_FAILURE")
        #expect(results[2].stringValue?.contains("attempt to index a nil value") == true)
        #expect(results[3] == "Failed")
        #expect(results[5].stringValue?.contains("yielded number, not a step") == true)
    }

    @Test func approvalsAndStops() throws {
        let results = try run("""
            cutover.policy('gated', function(r) r:deploy(r:pick(1)) r:approve 'rest' end)
            local cloud = cutover.sim { hosts = 3 }
            local g = cloud:group { name = 'g', targets = { hosts = { 'i-1', 'i-2', 'i-3' } } }
            local d = g:deploy { revision = 'v1', policy = 'gated' }
            local first = d:wait()
            local waiting = d.waiting_for
            local ok, err = pcall(d.approve, d, 'other')
            d:approve 'rest'
            return first, waiting, ok, d.status
            """)
        #expect(results == ["InProgress", "rest", false, "Succeeded"])
    }

    @Test func theSameScriptGivesTheSameLog() throws {
        let script = """
            local cloud = cutover.sim { hosts = 12, seed = 9, fail_rate = 0.05 }
            local g = cloud:group { name = 'g', targets = { hosts = { 'i-1','i-2','i-3','i-4','i-5','i-6','i-7','i-8','i-9','i-10','i-11','i-12' } },
                                    config = 'CodeDeployDefault.HalfAtATime' }
            local d = g:deploy { revision = 'v1' }
            d:wait()
            return d:log()
            """
        let a = try run(script).first?.stringValue ?? ""
        let b = try run(script).first?.stringValue ?? ""
        #expect(!a.isEmpty)
        #expect(a == b)
    }

    @Test func aSecondDeploymentWhileOneIsActiveIsRefused() throws {
        let message = error("""
            cutover.policy('gated', function(r) r:approve 'go' end)
            local cloud = cutover.sim { hosts = 2 }
            local g = cloud:group { name = 'g', targets = { hosts = { 'i-1', 'i-2' } } }
            local d = g:deploy { revision = 'v1', policy = 'gated' }
            d:wait()
            g:deploy { revision = 'v2' }
            """)
        #expect(message.contains("DeploymentLimitExceededException"))
        #expect(message.contains("already has an active deployment d-000000001"))
    }

    @Test func anAppspecDecidesWhichEventsRunScriptsAndTheirTimeouts() throws {
        let root = #filePath.split(separator: "/").dropLast(3).joined(separator: "/")
        let results = try run("""
            local path = os.tmpname()
            local f = assert(io.open(path, 'w'))
            f:write('version: 0.0\\nos: linux\\nhooks:\\n  ValidateService:\\n    - location: check.sh\\n      timeout: 20\\n')
            f:close()
            local cloud = cutover.sim { hosts = 1, durations = { ValidateService = "30s" } }
            local g = cloud:group { name = 'g', targets = { hosts = { 'i-1' } } }
            local d = g:deploy { revision = 'v1', appspec = path }
            d:wait()
            os.remove(path)
            local noops, timedout = {}, nil
            for _, e in ipairs(d.events) do
              if e.kind == 'event_ended' and e.message and e.message:match('^no scripts') then noops[#noops + 1] = e.event end
              if e.error == 'ScriptTimedOut' then timedout = e.event .. ' ' .. e.message end
            end
            local ok, err = pcall(function()
              g:deploy { revision = 'v2', appspec = '/\(root)/examples/appspec/invalid.yml' }
            end)
            return d.status, table.concat(noops, ','), timedout, ok, err
            """)
        #expect(results.prefix(4) == ["Failed", "BeforeInstall,AfterInstall,ApplicationStart",
                                      "ValidateService check.sh timed out after 20 seconds", false])
        let message = results[4].stringValue ?? ""
        #expect(message.hasPrefix("test:16: invalid appspec"), "\(message)")
        #expect(message.contains("invalid.yml:16:3: error: `Install` is run by CodeDeploy itself"), "\(message)")
    }
}
