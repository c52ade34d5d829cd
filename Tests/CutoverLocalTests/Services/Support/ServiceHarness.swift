import Foundation
@testable import CutoverLocal

/// A daemon in this process, a tiny python3 HTTP server as the task command (it answers
/// every path, /health included, with its APP_VERSION), and helpers for the services API.
///
/// Every call that waits on the daemon runs on a Dispatch thread (`offPool`): a test that
/// blocked a cooperative thread could starve the daemon's own async work (the pool has
/// one thread per core, and other suites run at the same time).
struct ServiceHarness: OffPoolControlAPI {
    static let server = """
        import http.server, os
        VERSION = os.environ.get("APP_VERSION", "unknown")
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True
            def do_GET(self):
                body = (VERSION + "\\n").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, format, *args):
                pass
        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
        print("serving", VERSION, "on", os.environ["PORT"], flush=True)
        Server(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
        """

    let paths: LocalPaths
    let daemon: LocalDaemon.Running
    let client: ControlClient
    /// The server script, in a temporary directory.
    let script: String

    private init() throws {
        let root = NSTemporaryDirectory() + "cutover-services-" + UUID().uuidString
        paths = LocalPaths(root: root + "/state")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        script = root + "/server.py"
        try Self.server.write(toFile: script, atomically: true, encoding: .utf8)
        daemon = try LocalDaemon.start(paths: paths)
        client = ControlClient(port: daemon.port)
    }

    /// Runs `body` with a fresh daemon, and stops the daemon (and so its tasks) afterwards.
    static func with(_ body: (ServiceHarness) async throws -> Void) async throws {
        let h = try await offPool { try ServiceHarness() }
        do {
            try await body(h)
        } catch {
            _ = await h.stop()
            h.removeFiles()
            throw error
        }
        _ = await h.stop()
        h.removeFiles()
    }

    /// The state directory and the script.
    private func removeFiles() {
        try? FileManager.default.removeItem(atPath: (script as NSString).deletingLastPathComponent)
    }

    /// Stops the daemon; returns how many processes it stopped.
    func stop() async -> Int {
        let daemon = self.daemon
        return (try? await Self.offPool { daemon.stop() }) ?? 0
    }

    @discardableResult
    func register(_ version: String, family: String = "web", command: [String]? = nil) async throws -> Control.TaskDefinition {
        try await send("POST", "/v1/task-definitions",
                       Control.RegisterTaskDefinition(family: family, command: command ?? ["python3", "-u", script],
                                                      environment: ["APP_VERSION": version]))
    }

    func createService(_ name: String = "web", definition: String, desired: Int = 2, testListener: Bool = true) async throws -> Control.Service {
        try await send("POST", "/v1/services",
                       Control.CreateService(name: name, taskDefinition: definition, desiredCount: desired, port: 0,
                                             testPort: testListener ? 0 : nil, healthIntervalMilliseconds: 100))
    }

    func service(_ name: String = "web") async throws -> Control.Service {
        try await get("/v1/services/\(name)")
    }

    func createTaskSet(_ name: String = "web", definition: String) async throws -> Control.TaskSet {
        try await send("POST", "/v1/services/\(name)/task-sets", Control.CreateTaskSet(taskDefinition: definition))
    }

    @discardableResult
    func waitStable(_ id: String, service name: String = "web", timeoutMilliseconds: Int = 20_000) async throws -> Control.Stability {
        try await send("POST", "/v1/services/\(name)/task-sets/\(id)/wait-stable", Control.WaitStable(timeoutMilliseconds: timeoutMilliseconds))
    }

    @discardableResult
    func shift(_ name: String = "web", to weight: Int) async throws -> Control.Service {
        try await send("PUT", "/v1/services/\(name)/traffic", Control.ShiftTraffic(replacementWeight: weight))
    }

    @discardableResult
    func routeTest(_ name: String = "web", to destination: Control.RouteTestTraffic.Destination) async throws -> Control.Service {
        try await send("PUT", "/v1/services/\(name)/test-traffic", Control.RouteTestTraffic(to: destination))
    }

    func promote(_ id: String, service name: String = "web") async throws -> Control.Service {
        try await send("POST", "/v1/services/\(name)/task-sets/\(id)/promote", [String: String]())
    }

    /// A primary running `version`, stable, with a test listener.
    func stableService(_ version: String = "v1", desired: Int = 2) async throws -> Control.Service {
        let definition = try await register(version)
        let service = try await createService(definition: definition.reference, desired: desired)
        try await waitStable(service.taskSets[0].id)
        return try await self.service()
    }

    // MARK: - HTTP and processes

    /// GET over a plain socket; the body of a 200 answer, else nil.
    static func get(_ port: Int, _ path: String = "/") -> String? {
        guard let (status, body) = try? ControlClient(port: port).request("GET", path, body: nil), status == 200 else { return nil }
        return String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func get(_ port: Int) async -> String? {
        (try? await Self.offPool { Self.get(port) }) ?? nil
    }

    /// How many of `count` requests each answer got ("nil" for failures).
    func answers(_ port: Int, count: Int) async -> [String: Int] {
        (try? await Self.offPool {
            var seen: [String: Int] = [:]
            for _ in 0..<count { seen[Self.get(port) ?? "nil", default: 0] += 1 }
            return seen
        }) ?? [:]
    }

    /// Whether a process exists (a zombie would: the daemon must reap its tasks).
    static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    /// A process's environment, from /proc.
    static func environment(of pid: Int32) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [:] }
        var result: [String: String] = [:]
        for entry in data.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { continue }
            result[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return result
    }
}
