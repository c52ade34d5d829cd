import LuaRuntime
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The interactive prompt: reads input (a line, or several until a chunk is
/// complete), runs it, prints results and errors, and survives every error.
public final class Prompt {
    public struct Options {
        /// ANSI colour in results and errors.
        public var color: Bool
        /// Where history persists; nil keeps it for this session only.
        public var history: HistoryStore?
        /// Run at start, in the session, when it exists.
        public var initFile: String?
        /// Printed once at start.
        public var banner: String?

        public init(color: Bool = false, history: HistoryStore? = nil, initFile: String? = nil, banner: String? = nil) {
            self.color = color
            self.history = history
            self.initFile = initFile
            self.banner = banner
        }
    }

    /// One successful input, for `.save`.
    enum Input {
        /// `call` when the expression is also a statement (a function call): saved as
        /// typed, so a script does not print what the call returns, twice.
        case expression(String, call: Bool)
        case statement(String)
        case load(String)
    }

    let shell: Shell
    let editor: LineEditor
    let options: Options
    let session: PromptSession
    let reader: ChunkReader
    private(set) var inputs: [Input] = []

    public init(shell: Shell, editor: LineEditor, options: Options) throws {
        self.shell = shell
        self.editor = editor
        self.options = options
        session = try PromptSession(vm: shell.vm, color: options.color)
        reader = ChunkReader(vm: shell.vm)
        editor.completer = Completer(vm: shell.vm, environment: session.environment, commands: PromptCommand.names)
    }

    /// Runs until `.exit` or the end of input; returns the exit status.
    public func run() -> Int32 {
        if let banner = options.banner { Console.write(banner + "\n") }
        if let initFile = options.initFile, fileExists(initFile) { load(initFile, record: false) }
        var pending: [String] = []
        while true {
            Console.flush()
            switch editor.readLine(prompt: pending.isEmpty ? "> " : ">> ") {
            case .endOfInput:
                if !pending.isEmpty { Console.write("\n") }
                return 0
            case .interrupted:
                pending.removeAll()
            case .line(let line):
                if pending.isEmpty {
                    do {
                        if let command = try PromptCommand.parse(line) {
                            remember(line)
                            if let status = perform(command) { return status }
                            continue
                        }
                    } catch {
                        reportError(String(describing: error))
                        continue
                    }
                } else if line.trimmingWhitespace == ".clear" {
                    pending.removeAll()
                    _ = perform(.clear)
                    continue
                }
                pending.append(line)
                if evaluate(pending.joined(separator: "\n")) { pending.removeAll() }
            }
        }
    }

    /// Compiles and runs an input; false when it needs more lines.
    func evaluate(_ source: String) -> Bool {
        switch reader.read(source) {
        case .incomplete:
            return false
        case .invalid(let error):
            remember(source)
            reportError(error.message)
            shell.inputRecorder?(source, false, error.message)
        case .expression(let function, let expression):
            remember(source)
            shell.keep(source, as: reader.chunkName)
            do {
                let results = try session.run(function)
                inputs.append(.expression(expression, call: reader.isStatement(expression)))
                if let first = results.first { session.setLastResult(first) }
                let rendered = results.isEmpty ? "" : session.render(results)
                if !results.isEmpty { Console.write(rendered + "\n") }
                shell.inputRecorder?(source, true, rendered)
            } catch {
                reportFailure(error)
                shell.inputRecorder?(source, false, Shell.describe(error))
            }
        case .statement(let function, let statement, let declared, let keptLocal):
            remember(source)
            shell.keep(source, as: reader.chunkName)
            do {
                try session.declare(declared)
                _ = try session.run(function)
                inputs.append(.statement(statement))
                if !keptLocal.isEmpty {
                    let names = keptLocal.joined(separator: ", ")
                    Console.writeError("note: \(names) declared <close> stays local to that input\n")
                }
                shell.inputRecorder?(source, true, "")
            } catch {
                reportFailure(error)
                shell.inputRecorder?(source, false, Shell.describe(error))
            }
        }
        return true
    }

    private func remember(_ entry: String) {
        editor.remember(entry)
        if let history = options.history, !history.add(entry) {
            Console.writeError("warning: cannot save history to \(history.path)\n")
        }
    }

    /// Performs a prompt command; returns an exit status when the prompt should end.
    func perform(_ command: PromptCommand) -> Int32? {
        switch command {
        case .help:
            Console.write(PromptCommand.helpText + "\n")
        case .exit(let status):
            return status
        case .load(let path):
            let ok = load(path, record: true)
            shell.inputRecorder?(".load " + path, ok, "")
        case .save(let path, nil):
            save(to: path)
        case .save(let path, let session?):
            save(session: session, to: path)
        case .sessionInputs(let session):
            guard let sessions = shell.sessions else { noHistory(); return nil }
            do {
                let inputs = try sessions.inputs(of: session)
                if inputs.isEmpty { Console.write("session #\(session) has no recorded inputs\n") }
                for (i, input) in inputs.enumerated() {
                    let lines = input.text.split(separator: "\n", omittingEmptySubsequences: false)
                    Console.write(pad(i + 1) + (input.ok ? " ✓ " : " ✗ ") + lines.joined(separator: "\n        ") + "\n")
                }
            } catch {
                reportError("\(error)")
            }
        case .history(let count):
            if count == nil, let sessions = shell.sessions {
                do {
                    let listed = try sessions.list(limit: 10)
                    if !listed.isEmpty { Console.write("recorded sessions (newest first; .history #N shows one):\n") }
                    for (id, line) in listed { Console.write((id == sessions.current ? "  * " : "    ") + line + "\n") }
                } catch {
                    reportError("\(error)")
                }
                Console.write("inputs:\n")
            }
            let entries = options.history?.entries ?? []
            let start = max(0, entries.count - (count ?? 20))
            for (offset, entry) in entries[start...].enumerated() {
                let lines = entry.split(separator: "\n", omittingEmptySubsequences: false)
                Console.write(pad(start + offset + 1) + "  " + lines.joined(separator: "\n       ") + "\n")
            }
        case .clear:
            if isatty(1) != 0 { Console.write("\u{1B}[H\u{1B}[2J") }
        }
        return nil
    }

    private func pad(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: " ", count: max(0, 5 - s.count)) + s
    }

    @discardableResult
    private func load(_ path: String, record: Bool) -> Bool {
        do {
            let chunk = try shell.vm.loadFile(path)
            _ = try session.run(chunk)
            if record { inputs.append(.load(path)) }
            return true
        } catch {
            reportError(Shell.describe(error))
            return false
        }
    }

    /// Writes the successful inputs as a script that does what the session did:
    /// statements as typed, expressions printed, `.load`s as `dofile`.
    func save(to path: String) {
        var script = "-- Saved from a cutover prompt session.\n"
        for input in inputs {
            switch input {
            case .statement(let source): script += source + "\n"
            case .expression(let source, call: true): script += source + "\n"
            case .expression(let source, call: false): script += "print(" + source + ")\n"
            case .load(let file): script += "dofile(\(luaQuoted(file)))\n"
            }
        }
        write(script, to: path, count: inputs.count)
    }

    private func write(_ script: String, to path: String, count: Int) {
        guard let file = fopen(path, "w") else {
            reportError("cannot write \(path): \(String(cString: strerror(errno)))")
            return
        }
        let ok = fputs(script, file) >= 0
        if fclose(file) != 0 || !ok {
            reportError("cannot write \(path): \(String(cString: strerror(errno)))")
            return
        }
        Console.write("saved \(count) input\(count == 1 ? "" : "s") to \(path)\n")
    }

    /// Writes a recorded session's successful inputs as a script (from the history):
    /// expressions printed, statements as typed, `.load`s as `dofile`.
    func save(session: Int64, to path: String) {
        guard let sessions = shell.sessions else { return noHistory() }
        let inputs: [(text: String, ok: Bool)]
        do { inputs = try sessions.inputs(of: session) } catch { return reportError("\(error)") }
        var script = "-- Saved from recorded cutover session #\(session).\n"
        var count = 0
        for input in inputs where input.ok {
            count += 1
            if input.text.hasPrefix(".load ") {
                script += "dofile(\(luaQuoted(String(input.text.dropFirst(6)).trimmingWhitespace)))\n"
                continue
            }
            if input.text.hasPrefix(".") { count -= 1; continue }
            switch reader.read(input.text) {
            case .expression(_, let expression) where !reader.isStatement(expression): script += "print(" + expression + ")\n"
            default: script += input.text + "\n"
            }
        }
        if inputs.contains(where: { $0.text.contains("[REDACTED]") }) {
            Console.writeError("note: some inputs were stored redacted; the script has [REDACTED] where they had secrets\n")
        }
        write(script, to: path, count: count)
    }

    private func noHistory() {
        reportError("there is no history of sessions (CUTOVER_HISTORY=off, or it cannot be opened)")
    }

    /// An error from running input. After Ctrl-C the terminal has echoed "^C":
    /// start on a fresh line.
    private func reportFailure(_ error: Error) {
        if let error = error as? LuaError, error.kind == .interrupted, isatty(1) != 0 { Console.write("\n") }
        reportError(Shell.describe(error))
    }

    private func reportError(_ text: String) {
        if options.color {
            Console.writeError("\u{1B}[31m" + text + "\u{1B}[0m\n")
        } else {
            Console.writeError(text + "\n")
        }
    }
}

/// A Lua string literal for any text.
func luaQuoted(_ s: String) -> String {
    var out: [UInt8] = [UInt8(ascii: "\"")]
    for byte in s.utf8 {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
        case UInt8(ascii: "\n"): out += Array("\\n".utf8)
        case 0..<32, 127:
            let digits = String(byte)
            out += Array(("\\" + String(repeating: "0", count: 3 - digits.count) + digits).utf8)
        default: out.append(byte)
        }
    }
    out.append(UInt8(ascii: "\""))
    return String(decoding: out, as: UTF8.self)
}
