import CTestPTY

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program with pipes on its standard streams, as a script or CI job would, and
/// collects what it writes.
enum Pipes {
    /// What a finished program left behind.
    struct Output: CustomStringConvertible {
        /// The exit status, or 128 + the signal number if a signal killed it.
        let status: Int32
        let stdout: String
        let stderr: String

        /// Everything, with invisible characters spelled out: a failed comparison of
        /// `"21\n"` with `"21\n\n"` is otherwise hard to read.
        var description: String {
            "status \(status), stdout \(stdout.debugDescription), stderr \(stderr.debugDescription)"
        }
    }

    /// Runs `invocation` with `stdin` as its whole standard input (a pipe that then
    /// ends), waits for it to finish and returns its output. The program never has a
    /// terminal. If it has not finished after `timeout`, it is killed and the run fails.
    static func run(
        _ invocation: Invocation, stdin: String = "", timeout: Duration = Deadline.defaultTimeout
    ) throws -> Output {
        var outputDescriptor: Int32 = -1
        var errorDescriptor: Int32 = -1
        let input = Array(stdin.utf8)
        var pid: pid_t = -1
        // A binary a test has just copied can be briefly "busy" (ETXTBSY): a process
        // spawned by a parallel test at that moment inherited the copy's write
        // descriptor until its own exec. That lasts microseconds; try again.
        for _ in 0..<100 {
            pid = invocation.withCArrays { argv, envp in
                input.withUnsafeBytes { bytes in
                    cutover_pty_spawn_piped(
                        invocation.executable, invocation.directory, argv, envp,
                        bytes.baseAddress, bytes.count, &outputDescriptor, &errorDescriptor)
                }
            }
            guard pid <= 0 && errno == ETXTBSY else { break }
            usleep(10_000)
        }
        guard pid > 0 else {
            throw HarnessError.system(call: "posix_spawn \(invocation.executable)", errno: errno)
        }

        // Read both pipes as data arrives: a program blocked on a full stderr pipe
        // would otherwise never finish writing stdout.
        var descriptors = [outputDescriptor, errorDescriptor].map {
            pollfd(fd: $0, events: Int16(POLLIN), revents: 0)
        }
        var collected: [[UInt8]] = [[], []]
        func text(_ index: Int) -> String { String(decoding: collected[index], as: UTF8.self) }
        func abandon() {
            kill(pid, SIGKILL)
            _ = cutover_pty_wait(pid)
            for descriptor in descriptors where descriptor.fd >= 0 { close(descriptor.fd) }
        }

        let deadline = Deadline(after: timeout)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while descriptors.contains(where: { $0.fd >= 0 }) {
            if deadline.hasPassed {
                abandon()
                throw HarnessError.timedOut(
                    waitingFor: "`\(invocation.commandLine)` to finish",
                    output: "stdout:\n\(text(0))\nstderr:\n\(text(1))")
            }
            let ready = poll(&descriptors, nfds_t(descriptors.count), deadline.pollTimeout())
            if ready < 0 && errno != EINTR {
                let code = errno
                abandon()
                throw HarnessError.system(call: "poll", errno: code)
            }
            for index in descriptors.indices where descriptors[index].fd >= 0 && descriptors[index].revents != 0 {
                let count = read(descriptors[index].fd, &buffer, buffer.count)
                if count > 0 {
                    collected[index].append(contentsOf: buffer[..<count])
                } else if count == 0 || errno != EINTR {
                    close(descriptors[index].fd)
                    descriptors[index].fd = -1  // poll skips negative descriptors
                }
            }
        }
        let status = cutover_pty_wait(pid)
        guard status >= 0 else { throw HarnessError.system(call: "waitpid", errno: errno) }
        return Output(status: status, stdout: text(0), stderr: text(1))
    }
}
