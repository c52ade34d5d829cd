import CProcess
import Foundation

/// Starting, finding and stopping the daemon of a state directory.
public enum LocalCloud {
    /// The running daemon of `paths`, if one answers.
    public static func running(_ paths: LocalPaths) -> Control.DaemonInfo? {
        guard let data = FileManager.default.contents(atPath: paths.daemonFile),
              let info = try? JSONDecoder().decode(Control.DaemonInfo.self, from: data),
              kill(info.pid, 0) == 0 || errno == EPERM else { return nil }
        guard var status = try? ControlClient(port: info.port).get("/v1/status", as: Control.DaemonInfo.self) else { return nil }
        status.port = info.port
        return status
    }

    /// Starts the daemon (`executable local serve --state-dir …`) unless one runs;
    /// returns it and whether this call started it.
    public static func up(_ paths: LocalPaths, executable: String) throws -> (Control.DaemonInfo, started: Bool) {
        if let info = running(paths) { return (info, false) }
        try paths.create()
        try? FileManager.default.removeItem(atPath: paths.daemonFile)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(executable), strdup("local"), strdup("serve"),
                                                     strdup("--state-dir"), strdup(paths.root), nil]
        let environment = ProcessInfo.processInfo.environment
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let pid = cutover_process_spawn_detached(executable, argv, envp, paths.logFile)
        guard pid > 0 else {
            throw Control.Problem("cannot start the daemon \(executable): \(String(cString: strerror(-pid)))")
        }
        // Wait until it answers (it writes daemon.json once it listens).
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let info = running(paths) { return (info, true) }
            var status: Int32 = 0
            if cutover_process_try_wait(pid, &status) == 1 {
                let log = (try? String(contentsOfFile: paths.logFile, encoding: .utf8))?.split(separator: "\n").suffix(5).joined(separator: "\n") ?? ""
                throw Control.Problem("the daemon exited at start (status \(cutover_process_exit_code(status))); \(paths.logFile) says:\n\(log)")
            }
            usleep(20_000)
        }
        throw Control.Problem("the daemon did not answer within 15 s; see \(paths.logFile)")
    }

    /// Stops the daemon and everything it started; false when none was running.
    @discardableResult
    public static func down(_ paths: LocalPaths) throws -> Bool {
        guard let info = running(paths) else {
            try? FileManager.default.removeItem(atPath: paths.daemonFile)
            return false
        }
        _ = try? ControlClient(port: info.port).send("POST", "/v1/shutdown", [String: String](), as: [String: Bool].self)
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if kill(info.pid, 0) != 0 && errno == ESRCH { return true }
            var status: Int32 = 0
            if cutover_process_try_wait(info.pid, &status) == 1 { return true }
            usleep(20_000)
        }
        kill(info.pid, SIGKILL)
        return true
    }

    /// A client of the running daemon, starting it first when `start` is set.
    public static func client(_ paths: LocalPaths, start: Bool, executable: String) throws -> ControlClient {
        if let info = running(paths) { return ControlClient(port: info.port) }
        guard start else { throw Control.Problem("the local cloud is not running (cutover local up)") }
        return ControlClient(port: try up(paths, executable: executable).0.port)
    }
}
