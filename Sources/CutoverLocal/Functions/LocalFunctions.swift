import CutoverLoadBalancer
import Foundation
import NIOHTTP1

/// The daemon's functions, Lambda-style: `$LATEST` code that can change, immutable
/// published versions (copies of the code), aliases with weighted routing between two
/// versions, invocations as real processes, and metrics per version and alias.
///
/// Endpoints (JSON bodies in `FunctionModels.swift`):
///
///     GET    /v1/functions                          [Function]
///     POST   /v1/functions                          CreateFunction → Function (201; 200 when it updated $LATEST)
///     GET    /v1/functions/NAME                     Function
///     GET    /v1/functions/NAME/versions            [FunctionVersion]
///     POST   /v1/functions/NAME/versions            FunctionVersion (201; 200 when $LATEST equals the newest)
///     GET    /v1/functions/NAME/aliases             [FunctionAlias]
///     GET    /v1/functions/NAME/aliases/ALIAS       FunctionAlias
///     PUT    /v1/functions/NAME/aliases/ALIAS       PutFunctionAlias → FunctionAlias
///     DELETE /v1/functions/NAME/aliases/ALIAS       FunctionAlias (the deleted one)
///     POST   /v1/functions/NAME[:QUALIFIER]/invoke  event JSON → FunctionInvocation
///     GET    /v1/functions/NAME/metrics             [FunctionVersionMetrics]
///
/// A qualifier is `$LATEST`, a version number or an alias name. Lookups that miss
/// answer 404 with the code ResourceNotFoundException.
final class LocalFunctions: @unchecked Sendable {
    let paths: LocalPaths
    /// The `cutover` executable, which runs Lua handlers (`cutover local handler FILE`).
    let executable: String

    static let defaultTimeoutMilliseconds = 3000
    /// Lambda's maximum, 15 minutes.
    static let maximumTimeoutMilliseconds = 900_000

    private let store: FunctionStore
    /// Where event files live while their invocation runs.
    private let scratch: String
    /// Serializes changes (they copy code on disk); invocations never wait for it.
    private let changes = NSLock()
    /// Guards `functions` and `routes` (held briefly, never across disk or process work).
    private let lock = NSLock()
    private var functions: [String: FunctionStore.Function]
    /// Per function, per alias.
    private var routes: [String: [String: AliasRoute]] = [:]
    private let metrics = FunctionMetrics()
    private let running = RunningHandlers()

    init(paths: LocalPaths, executable: String) {
        self.paths = paths
        self.executable = executable
        store = FunctionStore(paths: paths)
        scratch = store.root + "/.events"
        let fm = FileManager.default
        // Event files left by a daemon that was killed mid-invocation.
        try? fm.removeItem(atPath: scratch)
        try? fm.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        functions = store.load()
        for function in functions.values {
            routes[function.name] = function.aliases.mapValues(AliasRoute.init)
        }
    }

    /// Answers /v1/functions…; nil when the path is not this component's.
    func route(_ request: ControlRequest) throws -> ControlResponse? {
        let path = request.path.map { $0.removingPercentEncoding ?? $0 }
        guard path.count >= 2, path[0] == "v1", path[1] == "functions" else { return nil }
        do {
            return try answer(request.method, Array(path.dropFirst(2)), request.body)
        } catch {
            return .problem(error.description, code: error.code, status: error.status)
        }
    }

    /// Counters for one version of a function ("$LATEST", "3"), or for the invocations
    /// made through an alias (by its name), or for all of them when `version` is nil.
    /// nil for a function, version or alias that does not exist.
    func metric(function: String, version: String?) -> CumulativeMetric? {
        guard let stored = lock.withLock({ functions[function] }) else { return nil }
        guard let version else { return metrics.total(of: function) }
        if let metric = metrics.version(version, of: function) ?? metrics.alias(version, of: function) { return metric }
        let known = version == "$LATEST" || stored.versions.contains { String($0.number) == version } || stored.aliases[version] != nil
        return known ? CumulativeMetric() : nil
    }

    /// Kills the handlers still running (their invocations end with an error).
    func shutdown() {
        running.killAll()
    }

    // MARK: - Routes

    private func answer(_ method: HTTPMethod, _ rest: [String], _ body: Data) throws(FunctionProblem) -> ControlResponse {
        guard let target = rest.first else {
            switch method {
            case .GET:
                return .json(lock.withLock { functions.values.sorted { $0.name < $1.name } }.map(describe))
            case .POST:
                let (function, created) = try create(try decode(Control.CreateFunction.self, body))
                return .json(function, status: created ? .created : .ok)
            default:
                return noSuchEndpoint(method, ["v1", "functions"])
            }
        }
        // "NAME:QUALIFIER" (only invoke takes a qualifier).
        let parts = target.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let name = parts[0]
        let qualifier = parts.count == 2 ? parts[1] : nil
        let tail = Array(rest.dropFirst())
        if qualifier != nil && tail != ["invoke"] {
            throw .invalid("only invoke takes a qualifier (NAME:QUALIFIER); use /v1/functions/\(name)")
        }
        switch (method, tail.count, tail.first) {
        case (.GET, 0, _):
            return .json(describe(try function(name)))
        case (.GET, 1, "versions"):
            return .json(try function(name).versions.map(describe))
        case (.POST, 1, "versions"):
            let (version, created) = try publish(name)
            return .json(version, status: created ? .created : .ok)
        case (.GET, 1, "aliases"):
            return .json(try function(name).aliases.values.sorted { $0.name < $1.name })
        case (.GET, 2, "aliases"):
            guard let alias = try function(name).aliases[tail[1]] else { throw .qualifierNotFound(function: name, qualifier: tail[1]) }
            return .json(alias)
        case (.PUT, 2, "aliases"):
            return .json(try putAlias(tail[1], of: name, try decode(Control.PutFunctionAlias.self, body)))
        case (.DELETE, 2, "aliases"):
            return .json(try deleteAlias(tail[1], of: name))
        case (.POST, 1, "invoke"):
            return .json(try invoke(name, qualifier: qualifier, event: body))
        case (.GET, 1, "metrics"):
            return .json(try versionMetrics(name))
        default:
            return noSuchEndpoint(method, ["v1", "functions"] + rest)
        }
    }

    private func noSuchEndpoint(_ method: HTTPMethod, _ path: [String]) -> ControlResponse {
        .problem("no such endpoint: \(method) /\(path.joined(separator: "/"))", status: .notFound)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ body: Data) throws(FunctionProblem) -> T {
        do {
            return try JSONDecoder().decode(type, from: body)
        } catch {
            throw .invalid("the request body is not a valid \(T.self): \(error)")
        }
    }

    private func function(_ name: String) throws(FunctionProblem) -> FunctionStore.Function {
        guard let function = lock.withLock({ functions[name] }) else { throw .functionNotFound(name) }
        return function
    }

    /// Runs a change with the other changes held off.
    private func changing<T>(_ body: () throws(FunctionProblem) -> T) throws(FunctionProblem) -> T {
        changes.lock()
        defer { changes.unlock() }
        return try body()
    }

    // MARK: - Functions and versions

    private func create(_ request: Control.CreateFunction) throws(FunctionProblem) -> (Control.Function, created: Bool) {
        try Self.validateName(request.name, what: "function name", limit: 64)
        if let timeout = request.timeoutMilliseconds, !(1...Self.maximumTimeoutMilliseconds).contains(timeout) {
            throw .invalid("timeout_ms must be 1–\(Self.maximumTimeoutMilliseconds), got \(timeout)")
        }
        try Self.validate(environment: request.environment ?? [:])
        let tree = try CodeTree.resolve(handler: request.handler, code: request.code)
        return try changing { () throws(FunctionProblem) -> (Control.Function, created: Bool) in
            let existing = lock.withLock { functions[request.name] }
            let hash = try store.installLatest(of: request.name, code: tree)
            let configuration = FunctionStore.Configuration(
                handler: tree.handler, runtime: tree.runtime,
                timeoutMilliseconds: request.timeoutMilliseconds ?? existing?.configuration.timeoutMilliseconds ?? Self.defaultTimeoutMilliseconds,
                environment: request.environment ?? existing?.configuration.environment ?? [:],
                codeSha256: hash)
            var function = existing ?? FunctionStore.Function(name: request.name, configuration: configuration, lastModified: "")
            function.configuration = configuration
            function.lastModified = Self.now()
            try store.save(function)
            lock.withLock {
                functions[request.name] = function
                if routes[request.name] == nil { routes[request.name] = [:] }
            }
            return (describe(function), existing == nil)
        }
    }

    /// Publishes $LATEST as the next version, or answers the newest version when
    /// $LATEST has not changed since (code and configuration), as Lambda does.
    private func publish(_ name: String) throws(FunctionProblem) -> (Control.FunctionVersion, created: Bool) {
        try changing { () throws(FunctionProblem) -> (Control.FunctionVersion, created: Bool) in
            var function = try function(name)
            if let newest = function.versions.last, newest.configuration == function.configuration {
                return (describe(newest), false)
            }
            let version = try store.publish(function, as: (function.versions.last?.number ?? 0) + 1, createdAt: Self.now())
            function.versions.append(version)
            lock.withLock { functions[name] = function }
            return (describe(version), true)
        }
    }

    // MARK: - Aliases

    private func putAlias(_ aliasName: String, of name: String, _ request: Control.PutFunctionAlias) throws(FunctionProblem) -> Control.FunctionAlias {
        try Self.validateName(aliasName, what: "alias name", limit: 128)
        guard !Self.isVersionNumber(aliasName) else {
            throw .invalid("alias name \(aliasName) is a number, which would read as a version")
        }
        return try changing { () throws(FunctionProblem) -> Control.FunctionAlias in
            var function = try function(name)
            func published(_ version: String) -> Bool { function.versions.contains { String($0.number) == version } }
            guard request.version == "$LATEST" || published(request.version) else {
                throw .qualifierNotFound(function: name, qualifier: request.version)
            }
            switch (request.additionalVersion, request.additionalWeight) {
            case (nil, nil):
                break
            case (let other?, let weight?):
                guard request.version != "$LATEST" else {
                    throw .invalid("an alias that routes to two versions must point at a published version, not $LATEST")
                }
                guard published(other) else { throw .qualifierNotFound(function: name, qualifier: other) }
                guard other != request.version else {
                    throw .invalid("additional_version must differ from version (both are \(other))")
                }
                guard weight.isFinite, (0...100).contains(weight) else {
                    throw .invalid("additional_weight is a percentage, 0–100; got \(weight)")
                }
            case (nil, _?):
                throw .invalid("additional_weight needs an additional_version")
            case (_?, nil):
                throw .invalid("additional_version needs an additional_weight (percent, 0–100)")
            }
            let alias = Control.FunctionAlias(name: aliasName, version: request.version, additionalVersion: request.additionalVersion,
                                              additionalWeight: request.additionalWeight)
            function.aliases[aliasName] = alias
            try store.saveAliases(function)
            lock.withLock {
                functions[name] = function
                // Same weights: the sequence goes on; new weights: it starts afresh.
                if routes[name]?[aliasName]?.alias != alias { routes[name, default: [:]][aliasName] = AliasRoute(alias) }
            }
            return alias
        }
    }

    private func deleteAlias(_ aliasName: String, of name: String) throws(FunctionProblem) -> Control.FunctionAlias {
        try changing { () throws(FunctionProblem) -> Control.FunctionAlias in
            var function = try function(name)
            guard let alias = function.aliases.removeValue(forKey: aliasName) else {
                throw .qualifierNotFound(function: name, qualifier: aliasName)
            }
            try store.saveAliases(function)
            lock.withLock {
                functions[name] = function
                routes[name]?[aliasName] = nil
            }
            return alias
        }
    }

    // MARK: - Invocations

    /// What one invocation runs: the version, its configuration and its code.
    private struct Resolved {
        var version: String
        var alias: String?
        var configuration: FunctionStore.Configuration
        var directory: String
    }

    /// Picks the version a qualifier means (an alias picks by its weights).
    private func resolve(_ name: String, _ qualifier: String?) throws(FunctionProblem) -> Resolved {
        lock.lock()
        defer { lock.unlock() }
        guard let function = functions[name] else { throw .functionNotFound(name) }
        let qualifier = qualifier ?? "$LATEST"
        if qualifier == "$LATEST" {
            return Resolved(version: qualifier, configuration: function.configuration, directory: store.latestCode(of: name))
        }
        var alias: String?
        var version = qualifier
        if !Self.isVersionNumber(qualifier) {
            guard routes[name]?[qualifier] != nil else { throw .qualifierNotFound(function: name, qualifier: qualifier) }
            alias = qualifier
            version = routes[name]![qualifier]!.next()
            if version == "$LATEST" {
                return Resolved(version: version, alias: alias, configuration: function.configuration, directory: store.latestCode(of: name))
            }
        }
        guard let published = function.versions.first(where: { String($0.number) == version }) else {
            throw .qualifierNotFound(function: name, qualifier: qualifier)
        }
        return Resolved(version: version, alias: alias, configuration: published.configuration,
                        directory: store.code(of: name, version: published.number))
    }

    private func invoke(_ name: String, qualifier: String?, event body: Data) throws(FunctionProblem) -> Control.FunctionInvocation {
        let blank = body.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        let event = blank ? Data("{}".utf8) : body
        do {
            _ = try JSONDecoder().decode(Control.JSONValue.self, from: event)
        } catch {
            throw .invalidEvent("the event is not JSON: \(error)")
        }
        let resolved = try resolve(name, qualifier)
        let configuration = resolved.configuration
        let timeout = configuration.timeoutMilliseconds
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in configuration.environment { environment[key] = value }
        environment["CUTOVER_FUNCTION_NAME"] = name
        environment["CUTOVER_FUNCTION_VERSION"] = resolved.version
        environment["CUTOVER_FUNCTION_TIMEOUT_MS"] = String(timeout)
        environment["AWS_LAMBDA_FUNCTION_NAME"] = name
        environment["AWS_LAMBDA_FUNCTION_VERSION"] = resolved.version
        environment["AWS_LAMBDA_FUNCTION_TIMEOUT"] = String((timeout + 999) / 1000) // seconds, as Lambda gives it
        environment["LAMBDA_TASK_ROOT"] = resolved.directory
        let command = switch configuration.runtime {
        case .executable: [resolved.directory + "/" + configuration.handler]
        // Relative to the working directory, so Lua's messages say "handler.lua:3:".
        case .lua: [executable, "local", "handler", configuration.handler]
        }
        let process = HandlerProcess(command: command, environment: environment, directory: resolved.directory, event: event,
                                     timeout: .milliseconds(timeout), scratchDirectory: scratch)
        let outcome = process.run(registry: running)
        let (result, error) = Self.interpret(outcome, runtime: configuration.runtime, timeoutMilliseconds: timeout)
        metrics.record(function: name, version: resolved.version, alias: resolved.alias, duration: outcome.duration,
                       failed: error != nil)
        return Control.FunctionInvocation(version: resolved.version, result: result, error: error,
                                          durationMilliseconds: Self.milliseconds(outcome.duration), log: outcome.log)
    }

    /// The result, or how the invocation failed: a non-zero exit, stdout that is not
    /// JSON (empty stdout is a null result), too much output, the timeout.
    static func interpret(_ outcome: HandlerProcess.Outcome, runtime: CodeTree.Runtime,
                          timeoutMilliseconds: Int) -> (Control.JSONValue, Control.FunctionError?) {
        switch outcome.ending {
        case .failedToStart(let reason):
            return (.null, Control.FunctionError(type: "Runtime.StartError", message: reason))
        case .timedOut:
            let seconds = String(format: "%.2f", Double(timeoutMilliseconds) / 1000)
            return (.null, Control.FunctionError(type: "Sandbox.Timedout", message: "Task timed out after \(seconds) seconds"))
        case .exited(let code) where code != 0:
            if runtime == .lua && code == 1 {
                return (.null, Control.FunctionError(type: "Runtime.LuaError", message: luaMessage(in: outcome.log)))
            }
            let how = code > 128 ? "was killed by signal \(code - 128)" : "exited with status \(code)"
            return (.null, Control.FunctionError(type: "Runtime.ExitError", message: "the handler \(how)"))
        case .exited:
            if outcome.outputTooLarge {
                return (.null, Control.FunctionError(type: "Function.ResponseSizeTooLarge",
                                                     message: "the handler wrote more than 6 MB to stdout"))
            }
            if outcome.output.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return (.null, nil) }
            do {
                return (try JSONDecoder().decode(Control.JSONValue.self, from: Data(outcome.output)), nil)
            } catch {
                let start = String(decoding: outcome.output.prefix(200), as: UTF8.self)
                return (.null, Control.FunctionError(type: "Runtime.InvalidResponse",
                                                     message: "the handler's stdout is not JSON: \(start)"))
            }
        }
    }

    /// The error `cutover local handler` reported: its last "cutover: " line, up to the traceback.
    static func luaMessage(in log: String) -> String {
        let marker = "cutover: "
        guard let start = log.range(of: "\n" + marker, options: .backwards).map({ log.index(after: $0.lowerBound) })
                ?? (log.hasPrefix(marker) ? log.startIndex : nil) else {
            return "the Lua handler failed" + (log.isEmpty ? "" : ": " + log.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        var message = log[start...].dropFirst(marker.count)
        if let traceback = message.range(of: "\nstack traceback:") { message = message[..<traceback.lowerBound] }
        return message.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: - Metrics

    private func versionMetrics(_ name: String) throws(FunctionProblem) -> [Control.FunctionVersionMetrics] {
        let function = try function(name)
        return (["$LATEST"] + function.versions.map { String($0.number) }).map { version in
            let metric = metrics.version(version, of: name) ?? CumulativeMetric()
            func ms(_ fraction: Double) -> Double? { metric.latency.percentile(fraction).map(Self.milliseconds) }
            return Control.FunctionVersionMetrics(
                version: version, invocations: metric.count, errors: metric.errors,
                durationMilliseconds: Control.DurationPercentiles(
                    p50: ms(0.5), p90: ms(0.9), p99: ms(0.99),
                    max: metric.count == 0 ? nil : Double(metric.latency.maxMicroseconds) / 1000))
        }
    }

    // MARK: - Descriptions and checks

    private func describe(_ function: FunctionStore.Function) -> Control.Function {
        Control.Function(name: function.name, handler: function.configuration.handler,
                         runtime: function.configuration.runtime.rawValue, codeSha256: function.configuration.codeSha256,
                         timeoutMilliseconds: function.configuration.timeoutMilliseconds,
                         environmentKeys: function.configuration.environment.keys.sorted(), lastModified: function.lastModified,
                         versions: function.versions.map(describe), aliases: function.aliases.values.sorted { $0.name < $1.name })
    }

    private func describe(_ version: FunctionStore.Version) -> Control.FunctionVersion {
        Control.FunctionVersion(version: String(version.number), createdAt: version.createdAt,
                                codeSha256: version.configuration.codeSha256)
    }

    /// Variables the daemon sets for every invocation; a function cannot set them.
    static let reservedVariables: Set<String> = [
        "CUTOVER_FUNCTION_NAME", "CUTOVER_FUNCTION_VERSION", "CUTOVER_FUNCTION_TIMEOUT_MS", "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_TIMEOUT", "LAMBDA_TASK_ROOT",
    ]

    static func validate(environment: [String: String]) throws(FunctionProblem) {
        for key in environment.keys.sorted() {
            guard let first = key.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic),
                  key.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) || ("0"..."9").contains($0) })
            else { throw .invalid("environment variable name '\(key)' is not valid (letters, digits and _, not starting with a digit)") }
            guard !reservedVariables.contains(key) else { throw .invalid("environment variable \(key) is reserved: the daemon sets it") }
        }
    }

    /// "1", "42": a version, not an alias.
    static func isVersionNumber(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }

    /// Lambda's names: letters, digits, - and _.
    static func validateName(_ name: String, what: String, limit: Int) throws(FunctionProblem) {
        guard !name.isEmpty, name.count <= limit,
              name.unicodeScalars.allSatisfy({ $0 == "-" || $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) })
        else { throw .invalid("\(what) '\(name)' is not valid: 1–\(limit) letters, digits, - or _") }
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return (Double(seconds) * 1000 + Double(attoseconds / 1_000_000_000) / 1_000_000).rounded(toPlaces: 3)
    }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}

private extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (self * scale).rounded() / scale
    }
}
