import CProcess
import Foundation

/// One invocation of a handler as a process: the event on stdin, the result from
/// stdout, a tail of stderr for the log.
///
/// The process starts in its own session, so it leads a process group (CProcess). On
/// the timeout the whole group gets SIGKILL, as Lambda ends a timed-out invocation;
/// `run` returns once every member is gone. When the handler exits, whatever it left
/// running in its group is killed too: an invocation leaves no process behind.
///
/// CProcess gives children /dev/null as stdin, so the handler is started through
/// `/bin/sh -c 'exec "$@" < "$0"' EVENT_FILE COMMAND…`: the shell only redirects and
/// execs (same pid, same group), and the event is a file, so a handler that never
/// reads its stdin cannot block the daemon.
struct HandlerProcess {
    /// The program (an absolute path) and its arguments.
    var command: [String]
    var environment: [String: String]
    /// The working directory: the version's code.
    var directory: String
    var event: Data
    var timeout: Duration
    /// Where the event file lives during the run.
    var scratchDirectory: String
    /// Lambda's limit for a synchronous response.
    var outputLimit = 6 * 1024 * 1024
    /// How much of stderr comes back (Lambda's log tail is 4 KB).
    var tailBytes = 4096

    struct Outcome {
        enum Ending: Equatable {
            /// The exit status (128 + signal when killed by one).
            case exited(Int32)
            case timedOut
            case failedToStart(String)
        }

        var ending: Ending
        var output: [UInt8]
        var outputTooLarge: Bool
        var log: String
        var duration: Duration
    }

    func run(registry: RunningHandlers) -> Outcome {
        let clock = ContinuousClock()
        let eventFile = scratchDirectory + "/event-" + UUID().uuidString + ".json"
        func failed(_ reason: String) -> Outcome {
            Outcome(ending: .failedToStart(reason), output: [], outputTooLarge: false, log: "", duration: .zero)
        }
        guard FileManager.default.createFile(atPath: eventFile, contents: event, attributes: [.posixPermissions: 0o600]) else {
            return failed("cannot write the event to \(eventFile)")
        }
        defer { unlink(eventFile) }
        let arguments = ["/bin/sh", "-c", "exec \"$@\" < \"$0\"", eventFile] + command
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var process = cutover_process()
        let start = clock.now
        let spawned = cutover_process_spawn("/bin/sh", argv, envp, directory, uid_t.max, gid_t.max, nil, 0, &process)
        guard spawned == 0 else { return failed("cannot start \(command[0]): \(String(cString: strerror(spawned)))") }
        registry.insert(process.pid)
        return supervise(process, start: start, registry: registry)
    }

    /// Reads stdout and stderr until the handler has exited and both are closed, or
    /// the timeout.
    private func supervise(_ process: cutover_process, start: ContinuousClock.Instant, registry: RunningHandlers) -> Outcome {
        let clock = ContinuousClock()
        let deadline = start + timeout
        let group = process.pid
        var fds = [pollfd(fd: process.stdout_fd, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: process.stderr_fd, events: Int16(POLLIN), revents: 0)]
        defer { for item in fds where item.fd >= 0 { close(item.fd) } }
        var output: [UInt8] = []
        var outputTooLarge = false
        var tail = TailBuffer(limit: tailBytes)
        var status: Int32?
        var end = start
        var timedOut = false
        var nap: UInt32 = 50

        func drain(_ i: Int) {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(fds[i].fd, &buffer, buffer.count)
                if n > 0 {
                    if i == 1 {
                        tail.append(buffer[0..<n])
                    } else if output.count + n <= outputLimit {
                        output.append(contentsOf: buffer[0..<n])
                    } else {
                        outputTooLarge = true
                    }
                } else if n == 0 || errno != EINTR && errno != EAGAIN {
                    close(fds[i].fd)
                    fds[i].fd = -1
                    return
                } else if errno == EAGAIN {
                    return
                }
            }
        }

        while true {
            if status == nil, Self.hasExited(group) {
                end = clock.now
                // The leader is a zombie until reaped, so the group id cannot be reused yet.
                registry.remove(group) { _ = cutover_process_signal_group(group, SIGKILL) }
                var waitStatus: Int32 = 0
                _ = cutover_process_try_wait(group, &waitStatus)
                status = waitStatus
            }
            let pipesOpen = fds[0].fd >= 0 || fds[1].fd >= 0
            if status != nil && !pipesOpen { break }
            let now = clock.now
            if now >= deadline {
                // Past the deadline with the handler gone, only a process outside its group
                // can hold the pipes: stop reading them.
                if status == nil {
                    timedOut = true
                    end = now
                    registry.remove(group) { _ = cutover_process_signal_group(group, SIGKILL) }
                    Self.reap(group)
                }
                break
            }
            if !pipesOpen {
                // Both pipes closed a moment before the exit shows: wait briefly, and less
                // briefly each time.
                usleep(nap)
                nap = min(nap * 2, 5000)
                continue
            }
            let remaining = deadline - now
            let milliseconds = remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000
            _ = poll(&fds, 2, Int32(min(50, max(1, milliseconds))))
            for i in 0..<2 where fds[i].fd >= 0 && fds[i].revents != 0 { drain(i) }
        }
        let ending: Outcome.Ending = timedOut ? .timedOut : .exited(cutover_process_exit_code(status ?? 0))
        return Outcome(ending: ending, output: output, outputTooLarge: outputTooLarge, log: tail.text, duration: end - start)
    }

    /// Whether the process has ended, without reaping it (WNOWAIT). A child someone
    /// else reaped (ECHILD) has ended too.
    private static func hasExited(_ pid: Int32) -> Bool {
        var info = siginfo_t()
        let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        return result == 0 ? info.si_signo == SIGCHLD : errno == ECHILD
    }

    /// Reaps a killed leader, then waits (up to 2 s) until no member of its group lives.
    private static func reap(_ group: Int32) {
        var status: Int32 = 0
        while cutover_process_try_wait(group, &status) == 0 { usleep(1000) }
        let clock = ContinuousClock()
        let until = clock.now + .seconds(2)
        while !ProcessTable.members(ofGroup: group).isEmpty && clock.now < until { usleep(2000) }
    }
}

/// The process groups of handlers running now, so that a stopping daemon can kill them.
final class RunningHandlers: @unchecked Sendable {
    private let lock = NSLock()
    private var groups: Set<Int32> = []

    func insert(_ group: Int32) {
        lock.withLock { _ = groups.insert(group) }
    }

    /// Forgets a group, running `last` (a kill) under the lock, so `killAll` never
    /// signals a group whose leader was already reaped.
    func remove(_ group: Int32, last: () -> Void) {
        lock.withLock {
            groups.remove(group)
            last()
        }
    }

    func killAll() {
        lock.withLock {
            for group in groups { _ = cutover_process_signal_group(group, SIGKILL) }
        }
    }
}
