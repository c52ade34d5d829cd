import CutoverCore
import CutoverHistory
import CutoverLocal
import CutoverSim
import LuaRuntime

/// The `cutover` Lua module's native half (`require "cutover.native"`); the Lua half
/// in stdlib/cutover/ builds the user-facing API on it. One instance per VM holds
/// what the VM registered: configurations, policies, the default provider.
public final class CutoverModule {
    /// Configurations by name (the predefined ones come from stdlib/cutover/configs.lua).
    public private(set) var configurations: [String: DeploymentConfiguration] = [:]
    /// Policies by name: Lua functions.
    var policies: [String: LuaReference] = [:]
    /// Policies' recorded sources (FunctionSource), by name: what `cutover resume`
    /// re-runs. Missing when the source could not be kept (typed at the prompt).
    var policySources: [String: String] = [:]
    private var functionTools: (capture: LuaReference, restore: LuaReference)?
    /// The texts run under a chunk name ("=stdin": the prompt's inputs), newest first:
    /// where a function typed at the prompt is found again to be recorded.
    public var chunkTexts: ((String) -> [String])?
    /// What `cutover.provider()` returns when no name is given: "sim" unless set.
    public var defaultProvider: String
    /// The seed of simulated clouds made without one.
    public var defaultSeed: UInt64 = 1

    /// The local cloud's state directory, and the executable that runs its daemon.
    public var localStateDirectory: String?
    public var executable: String = CommandLine.arguments.first ?? "cutover"

    /// The history database deployments are recorded in; nil: not recorded.
    public var historyPath: String?
    /// "prompt" or "run", and the command line, for the history's session.
    public var sessionKind = "run"
    public var sessionCommand = CommandLine.arguments.joined(separator: " ")
    let historyState = HistoryState()

    public init(defaultProvider: String = "sim", localStateDirectory: String? = nil) {
        self.defaultProvider = defaultProvider
        self.localStateDirectory = localStateDirectory
    }

    /// Makes `require "cutover.native"` available in `vm`.
    public func install(in vm: LuaVM) {
        let module = self
        // Types are registered on the first require, not at startup: `cutover -e ''`
        // pays nothing for the module.
        let loader = LuaFunction { [weak vm] stack in
            if let vm { module.registerTypes(vm) }
            stack.push(table: LuaTable(array: []))
            let natives: [(String, LuaFunctionBody)] = [
                ("config", { try module.config($0) }),
                ("configuration", { try module.configuration($0) }),
                ("configurations", { module.configurationNames($0) }),
                ("policy", { try module.policy($0) }),
                ("sim", { try module.sim($0) }),
                ("provider", { try module.provider($0) }),
                ("group", { try module.group($0) }),
                ("history", { try module.historyList($0) }),
                ("deployment", { try module.recordedDeployment($0) }),
                ("resume", { try module.resumeDeployment($0) }),
            ]
            let table = stack.reference(at: -1)
            for (name, body) in natives { table.rawSet(.string(name), .function(LuaFunction(body))) }
            return 1
        }
        if case .reference(let package) = vm[global: "package"], case .reference(let preload) = package["preload"] {
            preload.rawSet("cutover.native", .function(loader))
        }
    }

    public func configuration(named name: String) -> DeploymentConfiguration? { configurations[name] }

    // MARK: - Configurations and policies

    /// `config(table)`: registers a configuration; returns its name.
    private func config(_ stack: LuaStack) throws -> Int {
        let (configuration, predefined) = try ConfigurationParsing.parse(Fields(stack, 1))
        if let existing = configurations[configuration.name], existing != configuration, !predefined,
           configuration.name.hasPrefix("CodeDeployDefault.") {
            throw LuaArgumentError(1, "configuration \(configuration.name) is predefined")
        }
        configurations[configuration.name] = configuration
        stack.push(configuration.name)
        return 1
    }

    /// `configuration(name)`: a configuration as a table, or an error naming the known ones.
    private func configuration(_ stack: LuaStack) throws -> Int {
        let name = try stack.checkString(1)
        guard let c = configurations[name] else { throw LuaArgumentError(1, unknownConfiguration(name)) }
        stack.push(table: Self.describe(c))
        return 1
    }

    func unknownConfiguration(_ name: String) -> String {
        let near = configurations.keys.sorted().min { editDistance($0, name) < editDistance($1, name) }
        let hint = near.map { editDistance($0, name) <= 4 ? " (did you mean \($0)?)" : "" } ?? ""
        return "unknown deployment configuration '\(name)'\(hint); cutover.configurations() lists them"
    }

    private func configurationNames(_ stack: LuaStack) -> Int {
        stack.push(table: LuaTable(array: configurations.keys.sorted().map { .string($0) }))
        return 1
    }

    static func describe(_ c: DeploymentConfiguration) -> LuaTable {
        var t: LuaTable = ["name": .string(c.name), "platform": .string(c.platform.rawValue)]
        if let m = c.minimumHealthyHosts {
            t["minimum_healthy"] = .table(["type": .string(m.typeName), "value": .integer(Int64(m.value))])
        }
        if let r = c.trafficRouting {
            switch r {
            case .allAtOnce: t["traffic"] = .table(["type": "all_at_once"])
            case .timeBasedCanary(let p, let i):
                t["traffic"] = .table(["type": "canary", "percent": .integer(Int64(p)), "interval": .integer(Int64(i))])
            case .timeBasedLinear(let p, let i):
                t["traffic"] = .table(["type": "linear", "percent": .integer(Int64(p)), "interval": .integer(Int64(i))])
            }
        }
        return t
    }

    /// `policy(name, fn)`: registers a policy function.
    private func policy(_ stack: LuaStack) throws -> Int {
        let name = try stack.checkString(1)
        guard stack.type(at: 2) == 6 /* LUA_TFUNCTION */ else {
            throw LuaArgumentError(2, "function expected, got \(stack.typeName(at: 2))")
        }
        let fn = stack.reference(at: 2)
        policies[name] = fn
        policySources[name] = record(of: fn, on: stack)
        stack.push(name)
        return 1
    }

    // MARK: - Functions kept in the history

    private func tools(_ stack: LuaStack) throws -> (capture: LuaReference, restore: LuaReference) {
        if let functionTools { return functionTools }
        guard let vm = LuaVM.owner(of: stack.state) else { throw LuaArgumentError(1, "no Lua VM") }
        let capture = try vm.load(FunctionSource.capture, chunkName: "=(function source)")
        let restore = try vm.load(FunctionSource.restore, chunkName: "=(function source)")
        stack.push(.reference(capture))
        let c = try stack.call(argumentCount: 0)
        stack.push(.reference(restore))
        let r = try stack.call(argumentCount: 0)
        guard case .reference(let cf) = c.first, case .reference(let rf) = r.first else {
            throw LuaArgumentError(1, "function source tools did not load")
        }
        functionTools = (cf, rf)
        return (cf, rf)
    }

    /// The function's record (FunctionSource), or nil when its text was not kept.
    func record(of function: LuaReference, on stack: LuaStack) -> String? {
        guard let capture = try? tools(stack).capture else { return nil }
        let texts = chunkTexts
        stack.push(.reference(capture))
        stack.push(.reference(function))
        stack.push(.function(LuaFunction { stack in
            let name = try stack.checkString(1)
            stack.push(table: LuaTable(array: (texts?(name) ?? []).map { .string($0) }))
            return 1
        }))
        guard let results = try? stack.call(argumentCount: 2), case .string(let text)? = results.first else { return nil }
        return text
    }

    /// Makes a recorded function again; also names the upvalues that were not recorded.
    func remake(_ record: String, on stack: LuaStack) throws -> (LuaReference, [String]) {
        stack.push(.reference(try tools(stack).restore))
        stack.push(record)
        let results = try stack.call(argumentCount: 1)
        guard case .reference(let fn)? = results.first else {
            throw LuaArgumentError(1, results.count > 1 ? results[1].description : "the recorded function cannot be made again")
        }
        let missing = results.count > 1 ? (results[1].stringValue ?? "") : ""
        return (fn, missing.split(separator: "\n").map(String.init))
    }

    // MARK: - Providers

    /// `sim{seed=, hosts=, tags=, prefix=, fail_rate=, durations=, faults=}`.
    private func sim(_ stack: LuaStack) throws -> Int {
        let options = stack.type(at: 1) <= 0 ? nil : try Fields(stack, 1)
        let cloud = try CloudBinding.make(options, module: self)
        stack.push(object: cloud, typeName: CloudBinding.typeName)
        return 1
    }

    /// `provider([name])`: the cloud of that provider (the default one when no name).
    private func provider(_ stack: LuaStack) throws -> Int {
        let name = try stack.optString(1) ?? defaultProvider
        switch name {
        case "sim":
            // One shared cloud per provider: what groups made without `provider =` use too.
            if defaultCloud == nil { defaultCloud = try CloudBinding.make(nil, module: self) }
            stack.push(object: defaultCloud!, typeName: CloudBinding.typeName)
            return 1
        case "local":
            stack.push(object: try localProvider(), typeName: LocalCloudBinding.typeName)
            return 1
        case "aws":
            if awsCloud == nil { awsCloud = try AWSCloudBinding(module: self) }
            stack.push(object: awsCloud!, typeName: AWSCloudBinding.typeName)
            return 1
        default:
            throw LuaArgumentError(1, "unknown provider '\(name)' (sim, local or aws)")
        }
    }

    /// `resume(id)`: takes up a local-cloud deployment whose process died and returns its
    /// handle (`d:watch()` runs it to its end). An ended deployment whose rollback was cut
    /// off resumes the rollback; one whose rollback never started starts it.
    func resumeDeployment(_ stack: LuaStack) throws -> Int {
        let id = try stack.checkString(1)
        guard let store = history() else { throw LuaArgumentError(1, "there is no history to resume from (CUTOVER_HISTORY=off, or it cannot be opened)") }
        let found: Result<RecordedDeployment, HistoryError> = Result { () throws(HistoryError) -> RecordedDeployment in
            let recorded = try store.deployment(id)
            let state = DeploymentEngine(spec: recorded.spec, replaying: recorded.events.map(\.event)).state
            if state.isEnded, let rollback = try store.rollbackLinks(of: recorded).rolledBackBy,
               !["Succeeded", "Failed", "Stopped"].contains(rollback.status) {
                return try store.deployment(rollback.key)
            }
            return recorded
        }
        guard case .success(let recorded) = found else {
            if case .failure(let error) = found { throw LuaArgumentError(1, "\(error)") }
            return 0
        }
        let binding: DeploymentBinding
        if recorded.summary.provider == "aws" {
            if awsCloud == nil { awsCloud = try AWSCloudBinding(module: self) }
            binding = try awsCloud!.resume(recorded, on: stack)
        } else {
            binding = try localProvider().resume(recorded, on: stack)
        }
        stack.push(object: binding, typeName: DeploymentBinding.typeName)
        return 1
    }

    /// The cloud of groups made without `provider =`.
    private var defaultCloud: CloudBinding?
    private var localCloud: LocalCloudBinding?
    /// The AWS cloud (credentials and region resolved when first asked for), one per VM.
    private var awsCloud: AWSCloudBinding?

    /// The local cloud (its daemon started when needed), one per VM.
    private func localProvider() throws -> LocalCloudBinding {
        if let localCloud { return localCloud }
        guard let directory = localStateDirectory else {
            throw LuaArgumentError(1, "the local provider needs a state directory (set by the cutover command)")
        }
        do {
            let cloud = try LocalCloudBinding(module: self, paths: LocalPaths(root: directory), executable: executable)
            localCloud = cloud
            return cloud
        } catch {
            throw LuaArgumentError(1, "cannot reach the local cloud: \(error)")
        }
    }

    /// `group(table)`: `provider =` a cloud, or the default provider's shared cloud.
    private func group(_ stack: LuaStack) throws -> Int {
        let f = try Fields(stack, 1)
        let cloud: CloudProvider
        if f.value("provider").isNil {
            if defaultProvider == "local" {
                cloud = try localProvider()
            } else if defaultProvider == "aws" {
                if awsCloud == nil { awsCloud = try AWSCloudBinding(module: self) }
                cloud = awsCloud!
            } else {
                if defaultCloud == nil { defaultCloud = try CloudBinding.make(nil, module: self) }
                cloud = defaultCloud!
            }
        } else {
            stack.push(f.value("provider"))
            defer { stack.pop() }
            if let sim = stack.object(at: -1, as: CloudBinding.self, typeName: CloudBinding.typeName) {
                cloud = sim
            } else if let local = stack.object(at: -1, as: LocalCloudBinding.self, typeName: LocalCloudBinding.typeName) {
                cloud = local
            } else if let aws = stack.object(at: -1, as: AWSCloudBinding.self, typeName: AWSCloudBinding.typeName) {
                cloud = aws
            } else {
                throw f.error("provider", "a cloud expected (from cutover.sim{} or cutover.provider()), got \(f.value("provider").typeName)")
            }
        }
        let group = try GroupBinding.make(f, provider: cloud)
        stack.push(object: group, typeName: GroupBinding.typeName)
        return 1
    }

    private func registerTypes(_ vm: LuaVM) {
        CloudBinding.register(vm)
        LocalCloudBinding.register(vm)
        AWSCloudBinding.register(vm)
        GroupBinding.register(vm)
        DeploymentBinding.register(vm)
        LoadBinding.register(vm)
        RecordedDeploymentBinding.register(vm)
    }
}
