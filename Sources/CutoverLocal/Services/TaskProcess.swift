import CProcess
import Foundation

/// A task's process: started in its own session (so it leads its own process group,
/// which is what gets killed), stdin from /dev/null, stdout and stderr appended to the
/// task's log file.
struct TaskProcess: Sendable, Equatable {
    let pid: Int32
    let port: Int

    /// Why a task could not start, worded for the task set's `failure`.
    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    enum Status: Equatable {
        case running
        /// The exit code, or 128 + the signal that killed it.
        case exited(Int32)
    }

    /// Starts `command` (its first element looked up in PATH unless it holds a "/").
    /// An exec failure (no such program, not executable) is reported here, at once.
    static func start(_ command: [String], port: Int, environment: [String: String], directory: String,
                      logPath: String, definition: String) -> Result<TaskProcess, StartError> {
        guard let program = command.first else { return .failure(StartError(description: "task definition \(definition): empty command")) }
        func failure(_ code: Int32) -> Result<TaskProcess, StartError> {
            .failure(StartError(description: "task definition \(definition): command '\(program)' cannot start: \(String(cString: strerror(code)))"))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .failure(StartError(description: "task definition \(definition): working directory \(directory) does not exist"))
        }
        let searchPath = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        guard let path = resolve(program, in: searchPath) else { return failure(ENOENT) }
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let pid = cutover_process_spawn_logged(path, argv, envp, directory, logPath)
        guard pid > 0 else { return failure(-pid) }
        return .success(TaskProcess(pid: pid, port: port))
    }

    /// The program as exec will find it: a path as given (relative to the working
    /// directory), a bare name through `searchPath`; nil when PATH has no executable of that name.
    static func resolve(_ program: String, in searchPath: String) -> String? {
        if program.contains("/") { return program }
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + program
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
               access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// Reaps the process if it has exited (never blocks).
    func poll() -> Status {
        var status: Int32 = 0
        switch cutover_process_try_wait(pid, &status) {
        case 0: return .running
        case 1: return .exited(cutover_process_exit_code(status))
        default: return .exited(-1) // not our child any more (reaped elsewhere)
        }
    }

    /// SIGTERM to each task's process group, SIGKILL to whatever is left after `grace`;
    /// reaps the leaders. Returns how many tasks were stopped.
    static func stop(_ tasks: [TaskProcess], grace: Duration = .seconds(2)) -> Int {
        guard !tasks.isEmpty else { return 0 }
        for task in tasks { _ = cutover_process_signal_group(task.pid, SIGTERM) }
        let clock = ContinuousClock()
        var remaining = tasks
        // Done with a task once its leader is reaped (not a zombie: kill(pid, 0) must fail)
        // and nothing is left in its group.
        var reaped: Set<Int32> = []
        func settle() {
            remaining.removeAll { task in
                if !reaped.contains(task.pid), task.poll() != .running { reaped.insert(task.pid) }
                return reaped.contains(task.pid) && ProcessTable.members(ofGroup: task.pid).isEmpty
            }
        }
        let until = clock.now + grace
        settle()
        while !remaining.isEmpty && clock.now < until {
            usleep(20_000)
            settle()
        }
        for task in remaining { _ = cutover_process_signal_group(task.pid, SIGKILL) }
        let killed = clock.now + .seconds(2)
        while !remaining.isEmpty && clock.now < killed {
            usleep(5_000)
            settle()
        }
        return tasks.count
    }

    /// Processes outside any task we know of that carry the marker (left by a daemon that
    /// died, or started by a task and moved to another session): SIGTERM, then SIGKILL.
    static func stopMarked(_ key: String, _ value: String) -> Int {
        let victims = Set(ProcessTable.processes(withEnvironment: key, value: value))
        guard !victims.isEmpty else { return 0 }
        for pid in victims { kill(pid, SIGTERM) }
        let deadline = ContinuousClock.now + .seconds(2)
        while ContinuousClock.now < deadline {
            if !ProcessTable.entries().contains(where: { victims.contains($0.pid) && $0.state != "Z" }) { break }
            usleep(20_000)
        }
        for entry in ProcessTable.entries() where victims.contains(entry.pid) && entry.state != "Z" {
            kill(entry.pid, SIGKILL)
        }
        return victims.count
    }

    /// The last lines of a task's log, for failure messages.
    static func tail(of logPath: String, bytes: Int = 600) -> String {
        guard let handle = FileHandle(forReadingAtPath: logPath) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > UInt64(bytes) ? size - UInt64(bytes) : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        var text = String(decoding: data, as: UTF8.self)
        if size > UInt64(bytes), let newline = text.firstIndex(of: "\n") { text = String(text[text.index(after: newline)...]) }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
