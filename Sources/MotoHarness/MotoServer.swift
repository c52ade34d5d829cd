import CProcess
import CutoverAWS
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A moto server (PyPI `moto[server]`, the AWS emulator) on 127.0.0.1, for tests.
///
/// `start()` runs `python3 -m moto.server`'s main on a free port in a new process group,
/// waits (bounded) until it answers, and `stop()` kills the whole group. A watchdog
/// thread inside the server kills its group when the test process disappears without
/// stopping it (a crash, a kill), so no server outlives its tests.
public final class MotoServer: Sendable {
    public let port: Int
    public let pid: pid_t
    public let logPath: String
    private let transport = CurlTransport(connectTimeout: .seconds(2))
    private let stopped = Atomic<Bool>(false)

    /// The server of the running test suite (set by the suites' `.moto` trait).
    @TaskLocal public static var current: MotoServer?

    /// `http://127.0.0.1:PORT`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, pid: pid_t, logPath: String) {
        self.port = port
        self.pid = pid
        self.logPath = logPath
    }

    deinit { stop() }

    /// Starts a server and waits until it answers (within `timeout`; moto took 0.5–2.2 s here).
    public static func start(timeout: Duration = .seconds(30)) throws -> MotoServer {
        var lastError: Error?
        for _ in 0..<3 {  // another process may take the free port between probe and bind
            let port = try freePort()
            let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("moto-\(port)-\(getpid()).log").path
            let pid = try spawn(port: port, logPath: logPath)
            let server = MotoServer(port: port, pid: pid, logPath: logPath)
            do {
                try server.waitUntilReady(timeout: timeout)
                return server
            } catch {
                server.stop()
                lastError = error
            }
        }
        throw lastError!
    }

    /// Stops the server and its process group; safe to call more than once.
    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        // SIGKILL while the leader is unreaped: its group id cannot be reused meanwhile.
        _ = cutover_process_signal_group(pid, SIGKILL)
        var status: Int32 = 0
        let deadline = ContinuousClock.now + .seconds(10)
        while cutover_process_try_wait(pid, &status) == 0, ContinuousClock.now < deadline { usleep(10_000) }
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// Wipes every resource (`POST /moto-api/reset`, about 1 ms).
    public func reset() throws {
        _ = try call("POST", "/moto-api/reset")
    }

    /// A call to moto's own API (`/moto-api/…`), which is not signed.
    @discardableResult
    public func call(_ method: String, _ path: String, body: String = "", contentType: String = "text/plain") throws -> HTTPResponse {
        var request = HTTPRequest(method: method, scheme: "http", host: "127.0.0.1", port: port, path: path, body: Array(body.utf8))
        if !body.isEmpty || method == "POST" { request.headers.add("Content-Type", contentType) }
        switch transport.send(request, timeout: .seconds(30)) {
        case .success(let response) where response.isSuccess:
            return response
        case .success(let response):
            throw MotoHarnessError("moto \(method) \(path): HTTP \(response.status) \(response.text.prefix(300))")
        case .failure(let failure):
            throw MotoHarnessError("moto \(method) \(path): \(failure)\n\(logTail())")
        }
    }

    /// What a client or the `cutover` binary needs to talk to this server: the endpoint,
    /// a region and test credentials.
    public var environment: [String: String] {
        ["AWS_ENDPOINT_URL": endpoint, "AWS_REGION": "us-east-1",
         "AWS_ACCESS_KEY_ID": "AKIDMOTOTESTING", "AWS_SECRET_ACCESS_KEY": "moto-testing-secret"]
    }

    /// The end of the server's log, for failure messages.
    public func logTail(lines: Int = 30) -> String {
        guard let data = FileManager.default.contents(atPath: logPath) else { return "(no moto log at \(logPath))" }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    // MARK: - Starting

    /// The server program: moto's main, plus a thread that kills the process group when
    /// the parent (the test process) has gone.
    private static let program = """
        import os, sys, threading, time
        parent = os.getppid()
        def watch():
            while True:
                time.sleep(0.5)
                if os.getppid() != parent:
                    os.killpg(0, 9)
        threading.Thread(target=watch, daemon=True).start()
        from moto.server import main
        main(["-H", "127.0.0.1", "-p", sys.argv[1]])
        """

    private static func spawn(port: Int, logPath: String) throws -> pid_t {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        environment["PYTHONUNBUFFERED"] = "1"
        guard let python = executable("python3", path: environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin") else {
            throw MotoHarnessError("python3 is not on PATH: the AWS tests need it and moto[server] (run scripts/bootstrap)")
        }
        let arguments = [python, "-c", program, String(port)]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let pid = cutover_process_spawn_logged(python, argv, envp, nil, logPath)
        guard pid > 0 else { throw MotoHarnessError("could not start \(python): \(String(cString: strerror(-pid)))") }
        return pid
    }

    private func waitUntilReady(timeout: Duration) throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var status: Int32 = 0
            if cutover_process_try_wait(pid, &status) == 1 {
                let log = logTail()
                let hint = log.contains("No module named") ? "\nmoto is not installed for this python3: run scripts/bootstrap (pip install 'moto[server]')" : ""
                throw MotoHarnessError("moto server exited with status \(cutover_process_exit_code(status)) before answering:\n\(log)\(hint)")
            }
            let probe = HTTPRequest(method: "GET", scheme: "http", host: "127.0.0.1", port: port, path: "/moto-api/data.json")
            if case .success(let response) = transport.send(probe, timeout: .seconds(5)), response.status == 200 { return }
            usleep(100_000)
        }
        throw MotoHarnessError("moto server on port \(port) did not answer within \(timeout):\n\(logTail())")
    }

    /// A port nothing listens on now: bound to 127.0.0.1:0, read back, released.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw MotoHarnessError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw MotoHarnessError("bind 127.0.0.1:0: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func executable(_ name: String, path: String) -> String? {
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}

/// Why the moto server could not be started or used.
public struct MotoHarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
