import Foundation
import Testing
@testable import CutoverLocal

/// Functions on a real daemon in this process: real handler processes, real HTTP on
/// 127.0.0.1, state on disk.
@Suite(.serialized) struct LocalFunctionsTests {
    /// The `cutover` binary that runs Lua handlers: `CUTOVER_BIN` (scripts/test sets it),
    /// else the debug build of this checkout, as the end-to-end tests find it.
    static let cutoverBinary: String = {
        if let configured = ProcessInfo.processInfo.environment["CUTOVER_BIN"], !configured.isEmpty {
            return URL(fileURLWithPath: configured).standardizedFileURL.path
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Functions
            .deletingLastPathComponent()  // CutoverLocalTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()
            .appendingPathComponent(".build/debug/cutover").path
    }()

    let paths: LocalPaths
    let daemon: LocalDaemon.Running
    let client: ControlClient
    /// Handler sources live here, outside the state directory.
    let sources: String

    init() throws {
        let base = NSTemporaryDirectory() + "cutover-functions-" + UUID().uuidString
        paths = LocalPaths(root: base + "/state")
        sources = base + "/sources"
        try FileManager.default.createDirectory(atPath: sources, withIntermediateDirectories: true)
        daemon = try LocalDaemon.start(paths: paths, executable: Self.cutoverBinary)
        client = ControlClient(port: daemon.port)
    }

    // MARK: - Helpers

    /// Writes an executable handler (or any file) under `sources`; returns its path.
    @discardableResult
    private func write(_ relative: String, _ text: String, executable: Bool = true) throws -> String {
        let path = sources + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: path)
        return path
    }

    @discardableResult
    private func create(_ name: String, handler: String, code: String? = nil, timeout: Int? = nil,
                        environment: [String: String]? = nil) throws -> Control.Function {
        try client.send("POST", "/v1/functions", Control.CreateFunction(name: name, handler: handler, code: code,
                                                                         timeoutMilliseconds: timeout, environment: environment))
    }

    private func publish(_ name: String) throws -> Control.FunctionVersion {
        try client.send("POST", "/v1/functions/\(name)/versions", [String: String]())
    }

    private func invoke(_ target: String, _ event: Control.JSONValue = .object([:])) throws -> Control.FunctionInvocation {
        try client.send("POST", "/v1/functions/\(target)/invoke", event)
    }

    /// An answer the daemon refused: its status and problem.
    private func refusal(_ method: String, _ path: String, _ body: String? = nil) throws -> (status: Int, problem: Control.Problem) {
        let (status, data) = try client.request(method, path, body: body.map { Data($0.utf8) })
        return (status, try JSONDecoder().decode(Control.Problem.self, from: data))
    }

    private func metrics(_ name: String) throws -> [String: Control.FunctionVersionMetrics] {
        let list: [Control.FunctionVersionMetrics] = try client.get("/v1/functions/\(name)/metrics")
        return Dictionary(uniqueKeysWithValues: list.map { ($0.version, $0) })
    }

    /// A handler that answers `{"says": WORD}`.
    @discardableResult
    private func saying(_ word: String, file: String = "says.sh") throws -> String {
        try write(file, "#!/bin/sh\necho '{\"says\":\"\(word)\"}'\n")
    }

    // MARK: - Versions

    @Test func publishingCopiesTheCodeSoChangingLatestLeavesTheVersionAlone() throws {
        defer { daemon.stop() }
        let handler = try saying("one")
        let created = try create("greeter", handler: handler)
        #expect(created.handler == "says.sh")
        #expect(created.runtime == "executable")
        #expect(created.timeoutMilliseconds == 3000)
        let first = try publish("greeter")
        #expect(first.version == "1")
        #expect(first.codeSha256 == created.codeSha256)
        // Nothing changed: publishing again answers version 1, as Lambda does.
        #expect(try publish("greeter").version == "1")

        try saying("two")
        let updated = try create("greeter", handler: handler)
        #expect(updated.codeSha256 != first.codeSha256)
        #expect(try invoke("greeter").result == .object(["says": .string("two")]))
        #expect(try invoke("greeter:$LATEST").result == .object(["says": .string("two")]))
        let one = try invoke("greeter:1")
        #expect(one.version == "1")
        #expect(one.result == .object(["says": .string("one")]))
        // The copy on disk is untouched.
        let copy = try String(contentsOfFile: paths.root + "/functions/greeter/versions/1/says.sh", encoding: .utf8)
        #expect(copy.contains("one"))

        let second = try publish("greeter")
        #expect(second.version == "2")
        #expect(second.codeSha256 == updated.codeSha256)
        let described: Control.Function = try client.get("/v1/functions/greeter")
        #expect(described.versions.map(\.version) == ["1", "2"])
        #expect(try invoke("greeter:2").result == .object(["says": .string("two")]))
        #expect(try invoke("greeter:1").result == .object(["says": .string("one")]))
    }

    @Test func aHandlerGetsTheEventItsEnvironmentAndItsCodeDirectory() throws {
        defer { daemon.stop() }
        // A directory of code: the handler is inside it and reads a file next to it.
        try write("app/data/greeting.txt", "hello", executable: false)
        try write("app/bin/handler.sh", """
            #!/bin/sh
            event=$(cat)
            printf 'to the log\\n' >&2
            printf '{"event":%s,"greeting":"%s","name":"%s","version":"%s","lambda":"%s/%s","timeout":"%s","cwd":"%s","team":"%s"}\\n' \
              "$event" "$(cat data/greeting.txt)" "$CUTOVER_FUNCTION_NAME" "$CUTOVER_FUNCTION_VERSION" \
              "$AWS_LAMBDA_FUNCTION_NAME" "$AWS_LAMBDA_FUNCTION_VERSION" "$AWS_LAMBDA_FUNCTION_TIMEOUT" "$(pwd)" "$TEAM"
            """)
        let created = try create("env", handler: "bin/handler.sh", code: sources + "/app", timeout: 2500, environment: ["TEAM": "payments"])
        #expect(created.handler == "bin/handler.sh")
        #expect(created.environmentKeys == ["TEAM"])
        _ = try publish("env")
        let answer = try invoke("env:1", .object(["order": .integer(42), "items": .array([.string("a"), .null])]))
        #expect(answer.error == nil)
        #expect(answer.log == "to the log\n")
        #expect(answer.result["event"] == .object(["order": .integer(42), "items": .array([.string("a"), .null])]))
        #expect(answer.result["greeting"] == .string("hello"))
        #expect(answer.result["name"] == .string("env"))
        #expect(answer.result["version"] == .string("1"))
        #expect(answer.result["lambda"] == .string("env/1"))
        #expect(answer.result["timeout"] == .string("3"))
        #expect(answer.result["cwd"] == .string(paths.root + "/functions/env/versions/1"))
        #expect(answer.result["team"] == .string("payments"))
        // An empty body is the event {}.
        let (status, data) = try client.request("POST", "/v1/functions/env/invoke", body: nil)
        #expect(status == 200)
        let empty = try JSONDecoder().decode(Control.FunctionInvocation.self, from: data)
        #expect(empty.result["event"] == .object([:]))
        #expect(empty.version == "$LATEST")
    }

    // MARK: - Aliases

    @Test func anAliasSplitsExactlyByItsWeight() throws {
        defer { daemon.stop() }
        let handler = try saying("blue")
        try create("shop", handler: handler)
        #expect(try publish("shop").version == "1")
        try saying("green")
        try create("shop", handler: handler)
        #expect(try publish("shop").version == "2")
        let alias: Control.FunctionAlias = try client.send("PUT", "/v1/functions/shop/aliases/live",
                                                           Control.PutFunctionAlias(version: "1", additionalVersion: "2", additionalWeight: 10))
        #expect(alias == Control.FunctionAlias(name: "live", version: "1", additionalVersion: "2", additionalWeight: 10))

        // 2,000 invocations, 8 at a time (threads of their own: the daemon in this
        // process answers on Dispatch's, which blocked clients must not hold).
        let tally = Tally()
        let done = DispatchGroup()
        for _ in 0..<8 {
            done.enter()
            Thread.detachNewThread {
                defer { done.leave() }
                for _ in 0..<250 {
                    do {
                        let answer = try invoke("shop:live")
                        let expected: Control.JSONValue = .object(["says": .string(answer.version == "2" ? "green" : "blue")])
                        tally.count(answer.version, matching: answer.result == expected)
                    } catch {
                        tally.fail("\(error)")
                    }
                }
            }
        }
        done.wait()
        let (ran, mismatches, failures) = tally.totals
        #expect(failures.isEmpty, "\(failures.prefix(3))")
        #expect(mismatches == 0)
        #expect(ran["1", default: 0] + ran["2", default: 0] == 2000)
        #expect(abs(ran["2", default: 0] - 200) <= 1, "version 2 ran \(ran["2", default: 0]) times of 2000")

        // The metrics agree, per version and for the alias.
        let counted = try metrics("shop")
        #expect(counted["2"]?.invocations == UInt64(ran["2", default: 0]))
        #expect(counted["1"]?.invocations == UInt64(ran["1", default: 0]))
        #expect(counted["1"]?.errors == 0)
        #expect(counted["1"]?.durationMilliseconds.p99 != nil)
        #expect(daemon.daemon.functions.metric(function: "shop", version: "live")?.count == 2000)
        #expect(daemon.daemon.functions.metric(function: "shop", version: nil)?.count == 2000)

        // New weights start a new sequence: 50 % alternates from the first invocation.
        let _: Control.FunctionAlias = try client.send("PUT", "/v1/functions/shop/aliases/live",
                                                       Control.PutFunctionAlias(version: "1", additionalVersion: "2", additionalWeight: 50))
        let versions = try (0..<10).map { _ in try invoke("shop:live").version }
        #expect(versions.filter { $0 == "2" }.count == 5)
        // Without an additional version, every invocation runs the alias's version.
        let _: Control.FunctionAlias = try client.send("PUT", "/v1/functions/shop/aliases/live", Control.PutFunctionAlias(version: "2"))
        #expect(try (0..<5).map { _ in try invoke("shop:live").version } == Array(repeating: "2", count: 5))
        let deleted: Control.FunctionAlias = try client.delete("/v1/functions/shop/aliases/live")
        #expect(deleted.version == "2")
        #expect(try refusal("GET", "/v1/functions/shop/aliases/live").status == 404)
    }

    @Test func aliasesAndVersionsSurviveARestart() throws {
        defer { daemon.stop() }
        let handler = try saying("blue")
        try create("shop", handler: handler, timeout: 1200)
        _ = try publish("shop")
        try saying("green")
        try create("shop", handler: handler)
        _ = try publish("shop")
        let _: Control.FunctionAlias = try client.send("PUT", "/v1/functions/shop/aliases/live",
                                                       Control.PutFunctionAlias(version: "1", additionalVersion: "2", additionalWeight: 12.5))
        let before: Control.Function = try client.get("/v1/functions/shop")
        daemon.stop()

        let again = try LocalDaemon.start(paths: paths, executable: Self.cutoverBinary)
        defer { again.stop() }
        let client = ControlClient(port: again.port)
        let after: Control.Function = try client.get("/v1/functions/shop")
        #expect(after == before)
        #expect(after.timeoutMilliseconds == 1200)
        #expect(after.aliases == [Control.FunctionAlias(name: "live", version: "1", additionalVersion: "2", additionalWeight: 12.5)])
        let answers = try (0..<8).map { _ -> Control.FunctionInvocation in try client.send("POST", "/v1/functions/shop:live/invoke", Control.JSONValue.object([:])) }
        #expect(answers.filter { $0.version == "2" }.count == 1) // 12.5 % of 8
        #expect(answers.allSatisfy { $0.result == .object(["says": .string($0.version == "2" ? "green" : "blue")]) })
    }

    // MARK: - Errors

    @Test func functionErrorsAreAnswersAndCountAsErrors() throws {
        defer { daemon.stop() }
        try create("fails", handler: try write("fails.sh", "#!/bin/sh\necho 'something broke' >&2\nexit 3\n"))
        try create("babbles", handler: try write("babbles.sh", "#!/bin/sh\necho 'this is not json'\n"))
        try create("works", handler: try saying("fine"))

        let failed = try invoke("fails")
        #expect(failed.error == Control.FunctionError(type: "Runtime.ExitError", message: "the handler exited with status 3"))
        #expect(failed.result == .null)
        #expect(failed.log == "something broke\n")
        let babbled = try invoke("babbles")
        #expect(babbled.error?.type == "Runtime.InvalidResponse")
        #expect(babbled.error?.message.contains("this is not json") == true)
        #expect(try invoke("works").error == nil)
        _ = try invoke("fails")

        #expect(try metrics("fails")["$LATEST"].map { [$0.invocations, $0.errors] } == [2, 2])
        #expect(try metrics("babbles")["$LATEST"].map { [$0.invocations, $0.errors] } == [1, 1])
        #expect(try metrics("works")["$LATEST"].map { [$0.invocations, $0.errors] } == [1, 0])
        let metric = daemon.daemon.functions.metric(function: "fails", version: nil)
        #expect(metric?.count == 2)
        #expect(metric?.errors == 2)
        #expect(daemon.daemon.functions.metric(function: "fails", version: "$LATEST")?.errors == 2)
        #expect(daemon.daemon.functions.metric(function: "fails", version: "9") == nil)
        #expect(daemon.daemon.functions.metric(function: "nope", version: nil) == nil)
    }

    @Test func aTimeoutKillsTheWholeProcessGroup() throws {
        defer { daemon.stop() }
        let pidFile = sources + "/grandchild.pid"
        // The handler starts a grandchild, then hangs; both must go at the timeout.
        let handler = try write("hangs.sh", """
            #!/bin/sh
            sleep 300 &
            echo $! > "$PID_FILE"
            sleep 300
            """)
        try create("hangs", handler: handler, timeout: 400, environment: ["PID_FILE": pidFile])
        let answer = try invoke("hangs")
        #expect(answer.error == Control.FunctionError(type: "Sandbox.Timedout", message: "Task timed out after 0.40 seconds"))
        #expect(answer.durationMilliseconds >= 400)
        #expect(answer.durationMilliseconds < 3000)
        let grandchild = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(grandchild > 1)
        let alive = ProcessTable.entries().contains { $0.pid == grandchild && $0.state != "Z" }
        #expect(!alive, "the handler's background sleep (pid \(grandchild)) outlived the timeout")
        #expect(daemon.daemon.functions.metric(function: "hangs", version: "$LATEST")?.errors == 1)
    }

    @Test func unknownFunctionsVersionsAndAliasesAreResourceNotFound() throws {
        defer { daemon.stop() }
        for (method, path) in [("GET", "/v1/functions/nope"), ("POST", "/v1/functions/nope/invoke"),
                               ("POST", "/v1/functions/nope/versions"), ("GET", "/v1/functions/nope/metrics")] {
            let (status, problem) = try refusal(method, path, method == "POST" ? "{}" : nil)
            #expect(status == 404, "\(method) \(path)")
            #expect(problem.code == "ResourceNotFoundException", "\(method) \(path)")
        }
        try create("known", handler: try saying("hi"))
        _ = try publish("known")
        for (method, path, body) in [
            ("POST", "/v1/functions/known:7/invoke", "{}"),
            ("POST", "/v1/functions/known:missing/invoke", "{}"),
            ("GET", "/v1/functions/known/aliases/missing", nil),
            ("DELETE", "/v1/functions/known/aliases/missing", nil),
            ("PUT", "/v1/functions/known/aliases/live", #"{"version":"9"}"#),
            ("PUT", "/v1/functions/known/aliases/live", #"{"version":"1","additional_version":"9","additional_weight":10}"#),
        ] as [(String, String, String?)] {
            let (status, problem) = try refusal(method, path, body)
            #expect(status == 404, "\(method) \(path)")
            #expect(problem.code == "ResourceNotFoundException", "\(method) \(path) \(body ?? "")")
        }
        // Bad parameters are 400s that say what is wrong.
        try create("known", handler: try saying("hello"))
        #expect(try publish("known").version == "2")
        for body in [#"{"version":"1","additional_version":"1","additional_weight":10}"#,
                     #"{"version":"1","additional_version":"2","additional_weight":150}"#,
                     #"{"version":"1","additional_weight":10}"#] {
            let (status, problem) = try refusal("PUT", "/v1/functions/known/aliases/live", body)
            #expect(status == 400, "\(body)")
            #expect(problem.code == "InvalidParameterValueException", "\(body)")
        }
        let (status, problem) = try refusal("POST", "/v1/functions/known/invoke", "{not json")
        #expect(status == 400)
        #expect(problem.code == "InvalidRequestContentException")
        let missing = try refusal("POST", "/v1/functions", #"{"name":"ghost","handler":"/no/such/handler.sh"}"#)
        #expect(missing.status == 400)
        #expect(missing.problem.error.contains("/no/such/handler.sh"))
    }

    // MARK: - Lua

    @Test func aLuaHandlerRoundTripsJSON() throws {
        defer { daemon.stop() }
        try #require(FileManager.default.isExecutableFile(atPath: Self.cutoverBinary),
                     "no cutover binary at \(Self.cutoverBinary): build it (swift build) or set CUTOVER_BIN")
        try write("lua/handler.lua", """
            return function(event, context)
              print("seen " .. #event.items .. " items")
              local total = 0
              for _, n in ipairs(event.items) do total = total + n end
              return {
                total = total, doubled = { event.items[1] * 2, event.items[2] * 2 }, half = total / 2,
                name = context.function_name, version = context.function_version,
                missing = event.nothing, flag = not event.flag, empty = {},
              }
            end
            """, executable: false)
        let created = try create("sum", handler: sources + "/lua/handler.lua")
        #expect(created.runtime == "lua")
        let answer = try invoke("sum", .object(["items": .array([.integer(1), .integer(2), .integer(4)]), "flag": .bool(false),
                                                "nothing": .null]))
        #expect(answer.error == nil, "\(answer.log)")
        #expect(answer.result == .object([
            "total": .integer(7), "doubled": .array([.integer(2), .integer(4)]), "half": .number(3.5),
            "name": .string("sum"), "version": .string("$LATEST"), "flag": .bool(true), "empty": .object([:]),
        ]))
        #expect(answer.log.contains("seen 3 items"))

        // A global `handler` that raises: a function error naming the file and line.
        try write("lua/handler.lua", """
            function handler(event)
              error("no order in the event")
            end
            """, executable: false)
        try create("sum", handler: sources + "/lua/handler.lua")
        let failed = try invoke("sum")
        #expect(failed.error?.type == "Runtime.LuaError")
        #expect(failed.error?.message == "handler.lua:2: no order in the event")
        #expect(failed.result == .null)
        #expect(daemon.daemon.functions.metric(function: "sum", version: nil)?.errors == 1)
    }
}

/// Counts concurrent invocations' outcomes.
private final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var ran: [String: Int] = [:]
    private var mismatches = 0
    private var failures: [String] = []

    func count(_ version: String, matching: Bool) {
        lock.withLock {
            ran[version, default: 0] += 1
            if !matching { mismatches += 1 }
        }
    }

    func fail(_ message: String) {
        lock.withLock { failures.append(message) }
    }

    var totals: (ran: [String: Int], mismatches: Int, failures: [String]) {
        lock.withLock { (ran, mismatches, failures) }
    }
}
