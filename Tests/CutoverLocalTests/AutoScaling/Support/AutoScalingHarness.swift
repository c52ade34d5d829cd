import Foundation
@testable import CutoverLocal

/// A daemon in this process for the Auto Scaling tests, with helpers that make every
/// blocking call on a Dispatch thread (never on Swift's cooperative pool: on 2 cores a
/// blocked pool thread starves the daemon's own async work).
struct AutoScalingHarness: OffPoolControlAPI {
    static let examples = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // AutoScaling
        .deletingLastPathComponent()  // CutoverLocalTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()
        .appendingPathComponent("examples").path

    /// A server that answers every GET with 200 and its host's name. It unblocks every
    /// signal first: it inherits the mask of the Dispatch thread that started it, which
    /// blocks SIGTERM, and terminating a host would have to wait for SIGKILL.
    static let server = """
        import http.server, os, signal
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        NAME = os.environ.get("CUTOVER_HOST", "?")
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                body = (NAME + "\\n").encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, format, *args):
                pass
        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True
        Server(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
        """

    let base: String
    let paths: LocalPaths
    let running: LocalDaemon.Running
    let client: ControlClient

    private init(base: String) throws {
        self.base = base
        paths = LocalPaths(root: base + "/state")
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        try Self.server.write(toFile: base + "/server.py", atomically: true, encoding: .utf8)
        running = try LocalDaemon.start(paths: paths)
        client = ControlClient(port: running.port)
    }

    var autoScaling: LocalAutoScaling { running.daemon.autoScaling }

    /// Runs `body` with a fresh daemon; stops it (and so every host process) afterwards.
    static func with(_ body: (AutoScalingHarness) async throws -> Void) async throws {
        let base = NSTemporaryDirectory() + "cutover-asg-" + UUID().uuidString
        let h = try await offPool { try AutoScalingHarness(base: base) }
        do {
            try await body(h)
        } catch {
            await h.stop()
            try? FileManager.default.removeItem(atPath: base)
            throw error
        }
        await h.stop()
        try? FileManager.default.removeItem(atPath: base)
    }

    func stop() async {
        let running = self.running
        _ = try? await Self.offPool { running.stop() }
    }

    /// A second daemon on the same state directory (after `stop`).
    func restarted() async throws -> AutoScalingHarness {
        let base = self.base
        return try await Self.offPool { try AutoScalingHarness(base: base) }
    }

    @discardableResult
    func loadBalancer(_ name: String = "front") async throws -> Control.LoadBalancer {
        try await send("POST", "/v1/load-balancers",
                       Control.CreateLoadBalancer(name: name, port: 0, healthPath: "/health", healthIntervalMilliseconds: 100))
    }

    func loadBalancers() async throws -> [Control.LoadBalancer] { try await get("/v1/load-balancers") }

    @discardableResult
    func createGroup(_ name: String = "web", min: Int = 0, max: Int = 4, desired: Int, prefix: String? = nil,
                     tags: [String: String] = ["role": "web"], loadBalancers: [String]? = nil) async throws -> Control.AutoScalingGroup {
        try await send("POST", "/v1/auto-scaling-groups",
                       Control.CreateAutoScalingGroup(name: name, min: min, max: max, desired: desired,
                                                      launch: .init(prefix: prefix ?? name, tags: tags), loadBalancers: loadBalancers))
    }

    func group(_ name: String = "web") async throws -> Control.AutoScalingGroup {
        try await get("/v1/auto-scaling-groups/\(name)")
    }

    @discardableResult
    func scale(_ name: String = "web", to desired: Int) async throws -> Control.AutoScalingGroup {
        try await send("PUT", "/v1/auto-scaling-groups/\(name)/capacity", Control.SetCapacity(desired: desired))
    }

    @discardableResult
    func setLaunchHook(_ name: String = "web", revision: String, loadBalancer: String? = nil) async throws -> Control.AutoScalingGroup {
        try await send("PUT", "/v1/auto-scaling-groups/\(name)/launch-hook",
                       Control.LaunchHook(deploymentGroupID: "dg-shop-prod", revision: revision, application: "shop", group: "prod",
                                          loadBalancer: loadBalancer))
    }

    func hosts() async throws -> [Control.Host] { try await get("/v1/hosts") }

    /// The group once `check` holds for it, or nil after `seconds`.
    func group(_ name: String = "web", within seconds: Double = 20,
               until check: @escaping (Control.AutoScalingGroup) -> Bool) async -> Control.AutoScalingGroup? {
        await eventually(within: seconds) {
            let g = try await group(name)
            return check(g) ? g : nil
        }
    }

    // MARK: - Host processes and HTTP

    /// Starts the test server on a host's port, as the host's own process (it carries the
    /// host's root in CUTOVER_HOST_ROOT, so terminating the host stops it); returns its pid.
    func serve(_ host: Control.Host) async throws -> Int32 {
        let script = base + "/server.py"
        let pid = try await Self.offPool { () -> Int32 in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script]
            process.environment = ProcessInfo.processInfo.environment.merging(
                ["PORT": String(host.port), "CUTOVER_HOST": host.name, "CUTOVER_HOST_ROOT": host.directory + "/root"]) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process.processIdentifier
        }
        _ = await eventually(within: 10) { await self.answer(host.port) }
        return pid
    }

    /// GET / on a port: the body of a 200 answer, else nil.
    func answer(_ port: Int, _ path: String = "/") async -> String? {
        (try? await Self.offPool { () -> String? in
            guard let (status, body) = try? ControlClient(port: port).request("GET", path, body: nil), status == 200 else { return nil }
            return String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }) ?? nil
    }

    /// Whether a process exists and is not a zombie.
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    /// A copy of examples/shop/v1 with a ValidateService that fails.
    func brokenShop() throws -> String {
        let broken = base + "/shop-broken"
        try FileManager.default.copyItem(atPath: Self.examples + "/shop/v1", toPath: broken)
        try "#!/bin/sh\necho 'health check failed' >&2\nexit 1\n".write(toFile: broken + "/scripts/validate.sh", atomically: true, encoding: .utf8)
        return broken
    }

    /// A revision whose BeforeInstall takes `seconds`: its launches stay Pending that long.
    func slowRevision(seconds: Int) throws -> String {
        let slow = base + "/slow"
        try FileManager.default.createDirectory(atPath: slow + "/scripts", withIntermediateDirectories: true)
        try """
            version: 0.0
            os: linux
            hooks:
              BeforeInstall:
                - location: scripts/wait.sh
                  timeout: 60
            """.write(toFile: slow + "/appspec.yml", atomically: true, encoding: .utf8)
        try "#!/bin/sh\nsleep \(seconds)\n".write(toFile: slow + "/scripts/wait.sh", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: slow + "/scripts/wait.sh")
        return slow
    }
}
