import CTestPTY

#if canImport(Glibc)
import Glibc
#endif

/// Drives a program through a pseudo-terminal, expect-style: type something, then wait
/// for what should appear.
///
/// The program runs in its own session with the terminal as its controlling terminal,
/// so line editing, raw mode and Ctrl-C behave as they do for a person. Output is kept
/// exactly as written (`transcript`); matching works on `screenText`, which drops
/// escape sequences, bells and carriage returns, so tests do not depend on how the line
/// editor chooses to redraw. Each successful `expect` consumes the text up to the end
/// of its match: a later expectation cannot be met by earlier output.
///
/// Every wait is bounded by a generous deadline that only guards against hangs; none
/// sleeps. Dropping the terminal kills a program that is still running.
final class Terminal {
    /// The program's process id.
    let pid: pid_t
    private let master: Int32
    /// Held so the sandbox outlives the program.
    private let invocation: Invocation
    private var output: [UInt8] = []
    private var cachedScreenText: String?
    /// How much of `screenText` (in UTF-8 bytes) earlier expectations consumed.
    private var consumed = 0
    /// Whether every descriptor of the terminal's slave side is closed: the program and
    /// anything it started are gone, and no more output can come.
    private var sessionEnded = false
    private var exitStatus: Int32?

    /// Starts `invocation` on a new terminal of `rows` by `columns`.
    init(_ invocation: Invocation, rows: UInt16 = 24, columns: UInt16 = 100) throws {
        var slavePath = [CChar](repeating: 0, count: 256)
        let master = cutover_pty_open(rows, columns, &slavePath, slavePath.count)
        guard master >= 0 else { throw HarnessError.system(call: "posix_openpt", errno: errno) }
        // posix_spawn returns only after the child has run its file actions, so by then
        // the child holds the slave open and an end of file on the master can only
        // mean that the session is over.
        let pid = invocation.withCArrays { argv, envp in
            cutover_pty_spawn(slavePath, invocation.executable, invocation.directory, argv, envp)
        }
        guard pid > 0 else {
            let code = errno
            close(master)
            throw HarnessError.system(call: "posix_spawn \(invocation.executable)", errno: code)
        }
        self.master = master
        self.pid = pid
        self.invocation = invocation
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            _ = cutover_pty_wait(pid)
        }
        close(master)
    }

    // MARK: - Output

    /// Everything the program has written so far, exactly as written.
    var transcript: String { String(decoding: output, as: UTF8.self) }

    /// The transcript without terminal controls, as matching sees it.
    var screenText: String {
        if let cachedScreenText { return cachedScreenText }
        let text = transcript.removingTerminalControls
        cachedScreenText = text
        return text
    }

    // MARK: - Typing

    /// Types `text` as is (use `"\r"` for Enter, `"\t"` for Tab, `"\u{1B}[A"` for Up).
    func send(_ text: String) throws {
        try write(Array(text.utf8))
    }

    /// Types Ctrl and `key`: `sendControl("c")` sends the interrupt character.
    func sendControl(_ key: Character) throws {
        guard let code = key.asciiValue, (0x40...0x7F).contains(code | 0x20) else {
            preconditionFailure("no control character for \(key)")
        }
        try write([code & 0x1F])
    }

    private func write(_ bytes: [UInt8]) throws {
        let deadline = Deadline(after: Deadline.defaultTimeout)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
            if count > 0 {
                written += count
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                // The program is not reading: wait until the terminal takes input again.
                if deadline.hasPassed {
                    throw HarnessError.timedOut(waitingFor: "the program to read input", output: screenText)
                }
                var descriptor = pollfd(fd: master, events: Int16(POLLOUT), revents: 0)
                _ = poll(&descriptor, 1, deadline.pollTimeout())
            } else if errno != EINTR {
                throw HarnessError.system(call: "write to terminal", errno: errno)
            }
        }
    }

    // MARK: - Waiting

    /// Waits until `text` appears in the screen text after what earlier expectations
    /// consumed, and returns the consumed text up to the end of the match.
    @discardableResult
    func expect(_ text: String, timeout: Duration = Deadline.defaultTimeout) throws -> String {
        try expect("“\(text)”", timeout: timeout) { screen, start in
            screen[start...].firstRange(of: text)
        }
    }

    /// Waits until a whole line reads `line`, and returns the consumed text up to the
    /// end of that line. Unlike `expect`, `expectLine("2")` is not met by `12` or `2x`.
    @discardableResult
    func expectLine(_ line: String, timeout: Duration = Deadline.defaultTimeout) throws -> String {
        try expect("the line “\(line)”", timeout: timeout) { screen, start in
            screen.firstRange(of: line + "\n", from: start) { index in
                index == screen.startIndex || screen[screen.index(before: index)] == "\n"
            }
        }
    }

    /// Waits until `match` finds something in the screen text at or after `start`
    /// (the end of what earlier expectations consumed), consumes up to the end of the
    /// match and returns the consumed text. `description` names what is awaited in
    /// failure messages.
    @discardableResult
    func expect(
        _ description: String, timeout: Duration = Deadline.defaultTimeout,
        match: (_ screen: String, _ start: String.Index) -> Range<String.Index>?
    ) throws -> String {
        let deadline = Deadline(after: timeout)
        while true {
            let screen = screenText
            let start = screen.utf8.index(screen.startIndex, offsetBy: consumed)
            if let range = match(screen, start) {
                consumed = screen.utf8.distance(from: screen.startIndex, to: range.upperBound)
                return String(screen[start..<range.upperBound])
            }
            if sessionEnded {
                throw HarnessError.programEnded(waitingFor: description, output: screen)
            }
            if deadline.hasPassed {
                throw HarnessError.timedOut(waitingFor: description, output: screen)
            }
            try readOutput(waitingAtMost: deadline.pollTimeout())
        }
    }

    /// Waits until the program's line editor has put the terminal in raw mode (ICANON
    /// off), that is, until it reads keys one by one. Typing before that reaches the
    /// cooked terminal instead, which echoes and buffers on its own.
    func waitForRawMode(timeout: Duration = Deadline.defaultTimeout) throws {
        try waitForMode(canonical: false, description: "raw mode", timeout: timeout)
    }

    /// Waits until the terminal is back in canonical (cooked) mode: the line editor has
    /// handed over a line and the program is busy with it.
    func waitForCookedMode(timeout: Duration = Deadline.defaultTimeout) throws {
        try waitForMode(canonical: true, description: "cooked mode", timeout: timeout)
    }

    private func waitForMode(canonical: Bool, description: String, timeout: Duration) throws {
        let deadline = Deadline(after: timeout)
        while true {
            let mode = cutover_pty_is_canonical(master)
            if mode == (canonical ? 1 : 0) { return }
            if sessionEnded {
                throw HarnessError.programEnded(waitingFor: description, output: screenText)
            }
            if mode < 0 { throw HarnessError.system(call: "tcgetattr", errno: errno) }
            if deadline.hasPassed {
                throw HarnessError.timedOut(waitingFor: description, output: screenText)
            }
            // Nothing announces a change of terminal mode, so look again after a short
            // slice, collecting output meanwhile.
            try readOutput(waitingAtMost: deadline.pollTimeout(cappedAt: .milliseconds(5)))
        }
    }

    /// Waits for the program to end, collecting its remaining output, and returns its
    /// exit status (128 + the signal number if a signal killed it).
    @discardableResult
    func waitForExit(timeout: Duration = Deadline.defaultTimeout) throws -> Int32 {
        if let exitStatus { return exitStatus }
        let deadline = Deadline(after: timeout)
        while !sessionEnded {
            if deadline.hasPassed {
                throw HarnessError.timedOut(waitingFor: "the program to exit", output: screenText)
            }
            try readOutput(waitingAtMost: deadline.pollTimeout())
        }
        let status = cutover_pty_wait(pid)
        guard status >= 0 else { throw HarnessError.system(call: "waitpid", errno: errno) }
        exitStatus = status
        return status
    }

    /// Waits up to `milliseconds` for output, then reads all there is.
    private func readOutput(waitingAtMost milliseconds: Int32) throws {
        var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, milliseconds)
        if ready < 0 && errno != EINTR { throw HarnessError.system(call: "poll", errno: errno) }
        guard ready > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(master, &buffer, buffer.count)
            if count > 0 {
                output.append(contentsOf: buffer[..<count])
                cachedScreenText = nil
            } else if count < 0 && errno == EINTR {
                continue
            } else if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return
            } else {
                // End of file or EIO: Linux reports the last close of the slave this way.
                sessionEnded = true
                return
            }
        }
    }
}
