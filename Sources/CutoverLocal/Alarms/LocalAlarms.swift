import CutoverCore
import CutoverLoadBalancer
import Foundation

/// The daemon's alarms: CloudWatch-style metric alarms over what the daemon measures
/// (load balancer target groups, function versions).
///
/// A sampler reads every alarm's source once a second — cumulative counters — and
/// each alarm turns the differences into one datapoint per period and evaluates itself
/// at the end of each period (`LocalAlarm`, `AlarmEvaluator`). Definitions are kept in
/// `alarms.json` in the state directory; a restarted daemon starts them again from
/// INSUFFICIENT_DATA.
///
/// A period without requests is 0 for counts and missing for rates and latencies. The
/// daemon knows that nothing happened; CloudWatch would have no datapoint for a zero
/// count either (ELB and Lambda publish counts only when there are some), so an alarm
/// meant to behave the same in both places uses `treat_missing_data: notBreaching`.
///
/// Routes: `PUT /v1/alarms/NAME` (an `AlarmSpec`), `GET /v1/alarms`,
/// `POST /v1/alarms/describe` (`{names}` → `{alarms, missing}`), `GET /v1/alarms/NAME`,
/// `DELETE /v1/alarms/NAME`, `PUT /v1/alarms/NAME/state` (`{state, reason}`).
final class LocalAlarms: @unchecked Sendable {
    /// Reads the cumulative counters of a metric source; nil when it does not exist.
    typealias Source = @Sendable (AlarmMetric.Source) -> CumulativeMetric?

    private let file: String
    private let source: Source
    private let clock: @Sendable () -> Date
    private let lock = NSLock()
    private var alarms: [String: LocalAlarm] = [:]
    private var timer: DispatchSourceTimer?

    convenience init(paths: LocalPaths, loadBalancers: LocalLoadBalancers, functions: LocalFunctions) {
        self.init(paths: paths, source: { source in
            switch source {
            case .targetGroup(let name):
                guard let metrics = loadBalancers.balancer.targetGroup(named: name)?.metrics() else { return nil }
                return CumulativeMetric(count: UInt64(max(0, metrics.requests)), errors: UInt64(max(0, metrics.responses5xx)),
                                        latency: metrics.latency)
            case .function(let name, let version):
                return functions.metric(function: name, version: version)
            }
        })
        startSampler()
    }

    /// Alarms on any source; the sampler does not run until `startSampler` (tests call
    /// `tick` themselves).
    init(paths: LocalPaths, source: @escaping Source, clock: @escaping @Sendable () -> Date = { Date() }) {
        file = paths.root + "/alarms.json"
        self.source = source
        self.clock = clock
        restore()
    }

    func startSampler() {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "cutover.alarms.sampler"))
        timer.schedule(deadline: .now() + 1, repeating: 1, leeway: .milliseconds(10))
        timer.setEventHandler { [weak self] in self?.tick() }
        lock.withLock { self.timer = timer }
        timer.resume()
    }

    func shutdown() {
        lock.withLock { () -> DispatchSourceTimer? in
            defer { timer = nil }
            return timer
        }?.cancel()
    }

    /// One second of the sampler: reads each source once, outside the lock (a source
    /// takes its own locks), then advances every alarm.
    func tick() {
        let sources = lock.withLock { Set(alarms.values.map(\.definition.metric.source)) }
        var samples: [AlarmMetric.Source: CumulativeMetric?] = [:]
        for s in sources { samples.updateValue(source(s), forKey: s) }
        let now = clock()
        lock.withLock {
            for name in alarms.keys {
                // An alarm created since the sources were read waits for the next tick.
                guard let sample = samples[alarms[name]!.definition.metric.source] else { continue }
                alarms[name]!.tick(sample, at: now)
            }
        }
    }

    // MARK: - Routes

    /// Answers /v1/alarms…; nil when the path is not this component's.
    func route(_ request: ControlRequest) throws -> ControlResponse? {
        let path = request.path
        guard path.count >= 2, path[0] == "v1", path[1] == "alarms" else { return nil }
        // Names are one path segment; a client may percent-encode them.
        let name = path.count >= 3 ? path[2].removingPercentEncoding ?? path[2] : ""
        switch (request.method, path.count) {
        case (.GET, 2):
            return .json(list())
        case (.POST, 3) where path[2] == "describe":
            let names = try decode(Control.DescribeAlarms.self, request.body).names
            return .json(describe(names))
        case (.GET, 3):
            guard let alarm = alarm(named: name) else { return notFound(name) }
            return .json(alarm)
        case (.PUT, 3):
            let spec = try decode(Control.AlarmSpec.self, request.body)
            let (alarm, created) = try put(name, spec)
            return .json(alarm, status: created ? .created : .ok)
        case (.DELETE, 3):
            guard delete(name) else { return notFound(name) }
            return .json(["deleted": name])
        case (.PUT, 4) where path[3] == "state":
            let change = try decode(Control.SetAlarmState.self, request.body)
            guard let alarm = try setState(name, change) else { return notFound(name) }
            return .json(alarm)
        default:
            return nil
        }
    }

    // MARK: - Operations

    func list() -> [Control.Alarm] {
        lock.withLock { alarms.values.map(\.description) }.sorted { $0.name < $1.name }
    }

    func alarm(named name: String) -> Control.Alarm? {
        lock.withLock { alarms[name]?.description }
    }

    func describe(_ names: [String]) -> Control.AlarmDescriptions {
        lock.withLock {
            var found: [Control.Alarm] = [], missing: [String] = []
            for name in names {
                if let alarm = alarms[name] { found.append(alarm.description) } else { missing.append(name) }
            }
            return Control.AlarmDescriptions(alarms: found, missing: missing)
        }
    }

    /// PutMetricAlarm: creates the alarm, or redefines it keeping its state.
    func put(_ name: String, _ spec: Control.AlarmSpec) throws -> (Control.Alarm, created: Bool) {
        let definition: AlarmDefinition
        do {
            definition = try AlarmDefinition(name: name, spec: spec)
        } catch {
            throw Control.Problem("\(error)", code: "InvalidParameterValue")
        }
        let now = clock()
        let (alarm, created, specs) = lock.withLock {
            let created = alarms[name] == nil
            if created { alarms[name] = LocalAlarm(definition: definition, at: now) } else { alarms[name]!.redefine(definition) }
            return (alarms[name]!.description, created, specsLocked())
        }
        try save(specs)
        return (alarm, created)
    }

    func delete(_ name: String) -> Bool {
        guard let specs = lock.withLock({ alarms.removeValue(forKey: name) == nil ? nil : specsLocked() }) else { return false }
        try? save(specs)
        return true
    }

    /// SetAlarmState; nil when there is no such alarm.
    func setState(_ name: String, _ change: Control.SetAlarmState) throws -> Control.Alarm? {
        let state: AlarmState
        do {
            state = try AlarmState(parsing: change.state)
        } catch {
            throw Control.Problem("\(error)", code: "InvalidParameterValue")
        }
        if change.reason.isEmpty { throw Control.Problem("set alarm state: a reason is required", code: "InvalidParameterValue") }
        let now = clock()
        return lock.withLock {
            guard alarms[name] != nil else { return nil }
            alarms[name]!.force(state, reason: change.reason, at: now)
            return alarms[name]!.description
        }
    }

    // MARK: - Persistence

    private func specsLocked() -> [String: Control.AlarmSpec] {
        alarms.mapValues(\.definition.spec)
    }

    private func save(_ specs: [String: Control.AlarmSpec]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(specs).write(to: URL(fileURLWithPath: file), options: .atomic)
        } catch {
            throw Control.Problem("cannot save the alarms to \(file): \(error)")
        }
    }

    /// Re-creates the alarms of an earlier run; one that no longer checks is left out
    /// (and said so in the daemon's log).
    private func restore() {
        guard let data = FileManager.default.contents(atPath: file) else { return }
        guard let specs = try? JSONDecoder().decode([String: Control.AlarmSpec].self, from: data) else {
            LocalDaemon.say("cutover local daemon: \(file) cannot be read; no alarms restored")
            return
        }
        let now = clock()
        for (name, spec) in specs {
            do {
                alarms[name] = LocalAlarm(definition: try AlarmDefinition(name: name, spec: spec), at: now)
            } catch {
                LocalDaemon.say("cutover local daemon: alarm \(name) in \(file) left out: \(error)")
            }
        }
    }

    // MARK: - Helpers

    private func notFound(_ name: String) -> ControlResponse {
        .problem("no alarm named \(name)", code: "ResourceNotFound", status: .notFound)
    }

    /// Decodes a request body, turning JSON errors into a 400 that names the field.
    private func decode<T: Decodable>(_ type: T.Type, _ body: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch let error as DecodingError {
            throw Control.Problem("bad request body: \(Self.explain(error))", code: "InvalidParameterValue")
        }
    }

    private static func explain(_ error: DecodingError) -> String {
        func field(_ path: [CodingKey]) -> String { path.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, let context): return "\(field(context.codingPath + [key])) is required"
        case .typeMismatch(let type, let context): return "\(field(context.codingPath)) must be \(type == Double.self ? "a number" : type == Int.self ? "an integer" : "a \(type)")"
        case .valueNotFound(_, let context): return "\(field(context.codingPath)) must not be null"
        case .dataCorrupted(let context): return context.codingPath.isEmpty ? "not JSON" : "\(field(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
