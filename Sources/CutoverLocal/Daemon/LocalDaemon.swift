import CutoverAppSpec
import CutoverCore
import Foundation

/// The local cloud's daemon: owns the hosts and the processes their hooks start, runs
/// lifecycle events for the orchestrator, and answers the control API on 127.0.0.1.
public final class LocalDaemon: @unchecked Sendable {
    public static let version = "1"
    let paths: LocalPaths
    let fleet: Fleet
    let agent: LocalAgent
    let loadBalancers: LocalLoadBalancers
    let functions: LocalFunctions
    let services: LocalServices
    let alarms: LocalAlarms
    let autoScaling: LocalAutoScaling
    private let stopping = DispatchSemaphore(value: 0)
    private let groupsLock = NSLock()

    init(paths: LocalPaths, executable: String) throws {
        self.paths = paths
        try paths.create()
        fleet = try Fleet(paths: paths)
        loadBalancers = LocalLoadBalancers(paths: paths)
        agent = LocalAgent(fleet: fleet, loadBalancers: loadBalancers)
        functions = LocalFunctions(paths: paths, executable: executable)
        services = LocalServices(paths: paths, loadBalancers: loadBalancers)
        alarms = LocalAlarms(paths: paths, loadBalancers: loadBalancers, functions: functions)
        loadBalancers.restore()
        autoScaling = LocalAutoScaling(paths: paths, fleet: fleet, agent: agent, loadBalancers: loadBalancers)
    }

    /// The `cutover` executable that runs Lua function handlers: $CUTOVER_BIN when set
    /// (tests run the daemon inside the test runner), else this process's executable.
    public static var defaultExecutable: String {
        if let bin = ProcessInfo.processInfo.environment["CUTOVER_BIN"], !bin.isEmpty { return bin }
        return (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// A daemon listening on 127.0.0.1 (in this process).
    public final class Running: @unchecked Sendable {
        let daemon: LocalDaemon
        let server: ControlServer
        public var port: Int { server.port }
        public var paths: LocalPaths { daemon.paths }

        init(daemon: LocalDaemon, server: ControlServer) {
            self.daemon = daemon
            self.server = server
        }

        /// Waits for `POST /v1/shutdown` (or `requestStop()`).
        public func waitForStopRequest() { daemon.stopping.wait() }
        public func requestStop() { daemon.stopping.signal() }

        private let stopped = NSLock()
        private var isStopped = false

        /// Stops every process the hosts' hooks started, closes the server, removes
        /// daemon.json. Only the first call does anything.
        @discardableResult
        public func stop() -> Int {
            guard stopped.withLock({ () -> Bool in
                defer { isStopped = true }
                return !isStopped
            }) else { return 0 }
            daemon.autoScaling.shutdown()
            daemon.alarms.shutdown()
            daemon.functions.shutdown()
            let stopped = daemon.fleet.stopAll() + daemon.services.shutdown()
            daemon.loadBalancers.shutdown()
            server.close()
            try? FileManager.default.removeItem(atPath: daemon.paths.daemonFile)
            return stopped
        }
    }

    /// Starts a daemon on `paths` in this process (refusing a second one on the same
    /// state directory) and writes daemon.json.
    public static func start(paths: LocalPaths, port: Int = 0, executable: String = LocalDaemon.defaultExecutable) throws -> Running {
        if let running = LocalCloud.running(paths) {
            throw Control.Problem("a daemon already runs on this state directory (pid \(running.pid), port \(running.port))")
        }
        let daemon = try LocalDaemon(paths: paths, executable: executable)
        let server = try ControlServer(port: port) { daemon.route($0) }
        let info = Control.DaemonInfo(pid: getpid(), port: server.port, stateDirectory: paths.root, version: version, hosts: nil)
        try JSONEncoder().encode(info).write(to: URL(fileURLWithPath: paths.daemonFile), options: .atomic)
        return Running(daemon: daemon, server: server)
    }

    /// Runs the daemon until `POST /v1/shutdown`, SIGTERM or SIGINT; then stops every
    /// process it started and removes daemon.json.
    public static func serve(paths: LocalPaths) throws {
        let running = try start(paths: paths)
        say("cutover local daemon: pid \(getpid()), listening on 127.0.0.1:\(running.port), state in \(paths.root)")
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        let sources = [SIGTERM, SIGINT].map { sig -> DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { running.requestStop() }
            source.resume()
            return source
        }
        running.waitForStopRequest()
        let stopped = running.stop()
        say("cutover local daemon: stopping; \(stopped) host process(es) stopped")
        sources.forEach { $0.cancel() }
    }

    /// groups.json: what the daemon remembers of deployment groups (their last
    /// successful revision, which rollbacks go back to).
    private func readGroups() -> [String: Control.GroupRecord] {
        guard let data = FileManager.default.contents(atPath: paths.root + "/groups.json") else { return [:] }
        return (try? JSONDecoder().decode([String: Control.GroupRecord].self, from: data)) ?? [:]
    }

    /// A line to the daemon's log (its stdout), unbuffered.
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    // MARK: - Routes

    func route(_ request: ControlRequest) -> ControlResponse {
        do {
            return try routeOrThrow(request)
        } catch let problem as Control.Problem {
            return .json(problem, status: .badRequest)
        } catch {
            return .problem("\(error)", status: .internalServerError)
        }
    }

    private func routeOrThrow(_ request: ControlRequest) throws -> ControlResponse {
        for component in [functions.route, services.route, alarms.route, autoScaling.route] {
            if let response = try component(request) { return response }
        }
        let decoder = JSONDecoder()
        let path = request.path
        // /v1/hosts/NAME[/…]: the host's name is the third segment.
        let hostName = path.count >= 3 && path[1] == "hosts" ? path[2] : ""
        let route = path.enumerated().map { item -> String in
            if item.offset == 2 && (path[1] == "hosts" || path[1] == "groups") { return "*" }
            if item.offset == 4 && path.count == 5 && path[3] == "revisions" { return "*" }
            return item.element
        }
        switch (request.method, route) {
        case (.GET, ["v1", "status"]):
            return .json(Control.DaemonInfo(pid: getpid(), port: 0, stateDirectory: paths.root, version: Self.version,
                                            hosts: fleet.list().count))
        case (.GET, ["v1", "hosts"]):
            return .json(fleet.list())
        case (.POST, ["v1", "hosts"]):
            return .json(try fleet.create(try decoder.decode(Control.CreateHosts.self, from: request.body)), status: .created)
        case (.PUT, ["v1", "hosts", "*", "tags"]):
            return .json(try fleet.setTags(hostName, try decoder.decode(Control.Tags.self, from: request.body).tags))
        case (.DELETE, ["v1", "hosts", "*"]):
            return .json(["stopped": try fleet.remove(hostName)])
        case (.PUT, ["v1", "hosts", "*", "revisions", "*"]):
            let revision = try decoder.decode([String: String].self, from: request.body)["revision"] ?? ""
            return .json(try fleet.update(hostName) { $0.revisions[path[4]] = revision })
        case (.POST, ["v1", "hosts", "*", "lifecycle"]):
            let lifecycle = try decoder.decode(Control.LifecycleRequest.self, from: request.body)
            return .json(agent.run(lifecycle, on: try fleet.host(hostName)))
        case (.GET, ["v1", "groups", "*"]):
            return .json(groupsLock.withLock { readGroups()[path[2]] } ?? Control.GroupRecord(lastSuccessfulRevision: nil))
        case (.PUT, ["v1", "groups", "*"]):
            let record = try decoder.decode(Control.GroupRecord.self, from: request.body)
            try groupsLock.withLock {
                var groups = readGroups()
                groups[path[2]] = record
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                try encoder.encode(groups).write(to: URL(fileURLWithPath: paths.root + "/groups.json"), options: .atomic)
            }
            return .json(record)
        case (.GET, ["v1", "load-balancers"]):
            return .json(loadBalancers.list())
        case (.POST, ["v1", "load-balancers"]):
            let create = try decoder.decode(Control.CreateLoadBalancer.self, from: request.body)
            return .json(try loadBalancers.create(.init(name: create.name, port: create.port, healthPath: create.healthPath,
                                                        healthIntervalMilliseconds: create.healthIntervalMilliseconds ?? 1000)),
                         status: .created)
        case (.POST, ["v1", "shutdown"]):
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) { self.stopping.signal() }
            return .json(["stopping": true])
        default:
            return .problem("no such endpoint: \(request.method) /\(request.path.joined(separator: "/"))", status: .notFound)
        }
    }
}
