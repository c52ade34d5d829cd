import CutoverCore
import LuaRuntime

/// What groups and deployment handles need from a provider's cloud (the simulator's
/// or the local one): groups, targets, and starting deployments.
protocol CloudProvider: AnyObject {
    var module: CutoverModule { get }
    var groupBindings: [String: GroupBinding] { get set }
    /// The stack of the Lua call running deployments now: hooks and policies run on it.
    var currentStack: LuaStack? { get set }

    /// Adds or replaces a group, keeping what the cloud knows of its history.
    func addGroup(_ group: DeploymentGroup) throws(CoreError)
    func group(named name: String) -> (group: DeploymentGroup, lastSuccessfulRevision: String?, active: String?)?
    /// The ids of the group's targets now.
    func targetIDs(of group: String) -> [String]
    /// The load balancer (by name) a group's BlockTraffic/AllowTraffic use, where the
    /// provider has named ones.
    func attach(loadBalancer: String?, to group: String)
    /// Starts a deployment (refused while the group has an active one).
    func startDeployment(group: String, revision: String, configuration: DeploymentConfiguration?, policy: String?,
                         ignoreApplicationStopFailures: Bool, appSpec: AppSpec?) throws -> DeploymentBinding
}

/// One deployment as a handle sees it, whatever the provider.
protocol DeploymentRun: AnyObject {
    var spec: DeploymentSpec { get }
    var state: DeploymentState { get }
    var log: [RecordedEvent] { get }
    /// Log time of the creation (the simulator's clock) — 0 on real providers.
    var createdAt: Int64 { get }
    /// Milliseconds since the deployment was created.
    var elapsedMilliseconds: Int64 { get }
    var provider: CloudProvider { get }
    /// Runs until the deployment (and a rollback it started) ends, or waits for an approval.
    func run(on stack: LuaStack, untilSeconds: Double?)
    func send(_ input: EngineInput, on stack: LuaStack)
    /// The rollback deployment this one started, if any.
    var rollback: DeploymentRun? { get }
    /// Told about each event as it is recorded (the live view).
    /// The CodeDeployAutoUpdate deployment of instances launched while this one ran.
    var followUp: DeploymentRun? { get }
    /// Told about each event of the run and of the rollback it starts (with the run it belongs to).
    var live: ((DeploymentRun, RecordedEvent) -> Void)? { get set }
    /// A resumed deployment: how many of its events were recorded before it was taken
    /// up again (nil otherwise).
    var resumedAfter: Int? { get }
}

extension DeploymentRun {
    var resumedAfter: Int? { nil }

    func jsonLines() -> String {
        var out = ""
        for event in log { out += event.jsonLine(targets: spec.targets) + "\n" }
        return out
    }
}

extension CloudProvider {
    /// `cloud:group{…}`: a deployment group on this provider (argument 2 is the table).
    func makeGroup(_ stack: LuaStack) throws -> Int {
        let group = try GroupBinding.make(Fields(stack, 2), provider: self)
        stack.push(object: group, typeName: GroupBinding.typeName)
        return 1
    }
}

extension LuaTable {
    /// String keys and values (tags), keys sorted so output is stable.
    init(strings map: [String: String]) {
        self.init(fields: map.sorted { $0.key < $1.key }.map { (.string($0.key), .string($0.value)) })
    }
}
