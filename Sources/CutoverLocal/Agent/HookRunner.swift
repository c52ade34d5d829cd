import CProcess
import CutoverCore
import Foundation

/// One lifecycle event's hooks to run on a host.
public struct HookInvocation: Sendable {
    public var event: LifecycleEvent
    public var scripts: [HookScript]
    /// The deployment archive the scripts' locations are relative to.
    public var archive: String
    /// The agent's variables (LIFECYCLE_EVENT, DEPLOYMENT_ID, …) and the host's.
    public var environment: [String: String]
    /// Where scripts start (a host's root directory plays "/").
    public var workingDirectory: String
    /// `logs/scripts.log` of the deployment.
    public var logPath: String

    public init(event: LifecycleEvent, scripts: [HookScript], archive: String, environment: [String: String],
                workingDirectory: String, logPath: String) {
        self.event = event
        self.scripts = scripts
        self.archive = archive
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.logPath = logPath
    }
}

/// How a lifecycle event's hooks went, as the agent reports it (reference §8.2).
public struct HookOutcome: Sendable, Equatable {
    public var status: LifecycleEventStatus
    public var error: LifecycleErrorCode
    public var message: String
    /// The script that failed, if one did.
    public var scriptName: String?
    /// The last few KB of the scripts' output.
    public var logTail: String
    /// Process groups that still have members after their script returned: background
    /// processes (an application started by ApplicationStart), to be stopped with the host.
    public var backgroundGroups: [Int32]
}

/// Runs hook scripts as the CodeDeploy agent does (reference §2.6, §15.3): one after
/// another, each in its own session and process group, with the agent's environment;
/// exit status 0 is success; past its timeout the whole group gets SIGTERM (then
/// SIGKILL); output goes to scripts.log with [stdout]/[stderr] prefixes.
public struct HookRunner: Sendable {
    /// How much output comes back with a failure (the API allows 4 KB).
    public var tailBytes = 4096
    /// How long to wait, after a script exited, for its output pipes to close before
    /// failing with OutputsLeftOpen (a background process that kept them open).
    public var outputGrace: Duration = .seconds(2)
    /// Between SIGTERM and SIGKILL on a timeout.
    public var killGrace: Duration = .seconds(2)

    public init() {}

    public func run(_ invocation: HookInvocation) -> HookOutcome {
        let log = ScriptLog(path: invocation.logPath)
        var tail = TailBuffer(limit: tailBytes)
        var background: [Int32] = []
        if !invocation.scripts.isEmpty {
            log.line("LifecycleEvent - \(invocation.event.rawValue)")
        }
        for script in invocation.scripts {
            log.line("Script - \(script.location)")
            let result = runScript(script, invocation, log, &tail)
            if let group = result.background { background.append(group) }
            if result.error != .success {
                return HookOutcome(status: .failed, error: result.error, message: result.message,
                                   scriptName: script.location, logTail: tail.text, backgroundGroups: background)
            }
        }
        return HookOutcome(status: .succeeded, error: .success, message: "", scriptName: nil, logTail: tail.text,
                           backgroundGroups: background)
    }

    private struct ScriptResult {
        var error: LifecycleErrorCode
        var message: String
        var background: Int32?
    }

    private func runScript(_ script: HookScript, _ invocation: HookInvocation, _ log: ScriptLog,
                           _ tail: inout TailBuffer) -> ScriptResult {
        let relative = script.location.drop { $0 == "/" }
        let path = (invocation.archive as NSString).appendingPathComponent(String(relative))
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return ScriptResult(error: .scriptMissing, message: "script at \(script.location) does not exist in the bundle (\(path))")
        }
        if !fm.isExecutableFile(atPath: path) {
            // The agent makes it executable if it can.
            let mode = ((try? fm.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? 0o644
            do {
                try fm.setAttributes([.posixPermissions: mode | 0o111], ofItemAtPath: path)
            } catch {
                return ScriptResult(error: .scriptNotExecutable, message: "script at \(script.location) is not executable and cannot be made so: \(error.localizedDescription)")
            }
        }
        var user: (uid: uid_t, gid: gid_t, groups: [gid_t])?
        if let runas = script.runas {
            if getuid() == 0 {
                guard let identity = Self.identity(of: runas) else {
                    return ScriptResult(error: .scriptFailed, message: "runas: no user named \(runas)")
                }
                user = identity
            } else {
                log.line("[stderr]runas \(runas) ignored: the agent does not run as root")
            }
        }
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in invocation.environment { environment[key] = value }
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var process = cutover_process()
        let groups = user?.groups ?? []
        let spawned = groups.withUnsafeBufferPointer { g in
            cutover_process_spawn(path, argv, envp, invocation.workingDirectory, user?.uid ?? uid_t.max, user?.gid ?? gid_t.max,
                                  g.baseAddress, Int32(g.count), &process)
        }
        guard spawned == 0 else {
            let reason = String(cString: strerror(spawned))
            let code: LifecycleErrorCode = spawned == ENOEXEC || spawned == EACCES ? .scriptNotExecutable : .scriptFailed
            return ScriptResult(error: code, message: "cannot run \(script.location): \(reason)"
                                + (spawned == ENOEXEC ? " (does it start with a #! line?)" : ""))
        }
        return supervise(process, script, log, &tail)
    }

    /// Reads output until the script exits (and its pipes close), or the timeout.
    private func supervise(_ process: cutover_process, _ script: HookScript, _ log: ScriptLog,
                           _ tail: inout TailBuffer) -> ScriptResult {
        let clock = ContinuousClock()
        let deadline = clock.now + script.timeout
        var fds = [pollfd(fd: process.stdout_fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: process.stderr_fd, events: Int16(POLLIN), revents: 0)]
        var open = [true, true]
        var partial: [[UInt8]] = [[], []]
        var exitStatus: Int32?
        var exitedAt: ContinuousClock.Instant?
        defer {
            if open[0] { close(process.stdout_fd) }
            if open[1] { close(process.stderr_fd) }
        }
        func drain(_ i: Int) {
            var buffer = [UInt8](repeating: 0, count: 8192)
            while true {
                let n = read(fds[i].fd, &buffer, buffer.count)
                if n > 0 {
                    tail.append(buffer[0..<n])
                    partial[i].append(contentsOf: buffer[0..<n])
                    while let newline = partial[i].firstIndex(of: 10) {
                        log.line((i == 0 ? "[stdout]" : "[stderr]") + String(decoding: partial[i][..<newline], as: UTF8.self))
                        partial[i].removeSubrange(...newline)
                    }
                } else if n == 0 {
                    if !partial[i].isEmpty {
                        log.line((i == 0 ? "[stdout]" : "[stderr]") + String(decoding: partial[i], as: UTF8.self))
                        partial[i] = []
                    }
                    close(fds[i].fd)
                    open[i] = false
                    fds[i].fd = -1
                    return
                } else {
                    return // EAGAIN: nothing more now
                }
            }
        }
        while true {
            if exitStatus == nil {
                var status: Int32 = 0
                if cutover_process_try_wait(process.pid, &status) == 1 {
                    exitStatus = status
                    exitedAt = clock.now
                }
            }
            if exitStatus != nil && !open[0] && !open[1] { break }
            let now = clock.now
            if now >= deadline {
                return timedOut(process, script, log)
            }
            if let exitedAt, now - exitedAt >= outputGrace {
                let group = process.pid
                log.line("[stderr]the script exited but its output is still open (a background process kept it)")
                return ScriptResult(error: .outputsLeftOpen,
                                    message: "\(script.location) exited but left stdout/stderr open: redirect the output of processes it starts in the background (command > file 2>&1 &)",
                                    background: ProcessTable.members(ofGroup: group).isEmpty ? nil : group)
            }
            // Wake at least every 50 ms to notice the exit; never past the deadline.
            let remaining = deadline - now
            let wait = min(50, max(1, Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)))
            _ = poll(&fds, 2, wait)
            for i in 0..<2 where open[i] && fds[i].revents != 0 { drain(i) }
        }
        let code = cutover_process_exit_code(exitStatus ?? 0)
        let group = process.pid
        let background = ProcessTable.members(ofGroup: group).isEmpty ? nil : group
        if code == 0 { return ScriptResult(error: .success, message: "", background: background) }
        return ScriptResult(error: .scriptFailed,
                            message: "Script at specified location: \(script.location) failed with exit code \(code)",
                            background: background)
    }

    /// The whole process group gets SIGTERM, then SIGKILL, as the agent does on a timeout.
    private func timedOut(_ process: cutover_process, _ script: HookScript, _ log: ScriptLog) -> ScriptResult {
        let group = process.pid
        _ = cutover_process_signal_group(group, SIGTERM)
        let clock = ContinuousClock()
        let until = clock.now + killGrace
        var status: Int32 = 0
        while clock.now < until {
            _ = cutover_process_try_wait(process.pid, &status)
            if ProcessTable.members(ofGroup: group).isEmpty { break }
            usleep(20_000)
        }
        if !ProcessTable.members(ofGroup: group).isEmpty { _ = cutover_process_signal_group(group, SIGKILL) }
        while cutover_process_try_wait(process.pid, &status) == 0 { usleep(5_000) }
        let seconds = script.timeout.components.seconds
        log.line("[stderr]Script at specified location: \(script.location) timed out after \(seconds) seconds; its process group was killed")
        return ScriptResult(error: .scriptTimedOut,
                            message: "Script at specified location: \(script.location) failed to complete in \(seconds) seconds")
    }

    /// uid, gid and supplementary groups of a user name.
    static func identity(of user: String) -> (uid: uid_t, gid: gid_t, groups: [gid_t])? {
        guard let pw = getpwnam(user) else { return nil }
        let uid = pw.pointee.pw_uid, gid = pw.pointee.pw_gid
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(user, gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(user, gid, &groups, &count)
        }
        return (uid, gid, Array(groups.prefix(Int(max(0, count)))))
    }
}

/// The last `limit` bytes of output.
struct TailBuffer {
    let limit: Int
    private var bytes: [UInt8] = []
    init(limit: Int) { self.limit = limit }
    mutating func append(_ chunk: ArraySlice<UInt8>) {
        bytes.append(contentsOf: chunk)
        if bytes.count > limit { bytes.removeFirst(bytes.count - limit) }
    }
    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// `logs/scripts.log`: each line stamped, as the agent writes it.
final class ScriptLog: @unchecked Sendable {
    let path: String
    init(path: String) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
    }

    func line(_ text: String) {
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data("[\(ScriptLog.timestamp())]\(text)\n".utf8))
    }

    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var tm = tm()
        var seconds = ts.tv_sec
        gmtime_r(&seconds, &tm)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let ms = Int(ts.tv_nsec / 1_000_000)
        let msText = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        return "\(tm.tm_year + 1900)-\(two(tm.tm_mon + 1))-\(two(tm.tm_mday)) \(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec)).\(msText)"
    }
}
