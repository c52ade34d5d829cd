import LuaRuntime
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A Lua VM set up as Cutover runs it: standard libraries, the stdlib on
/// `package.path` (in front of `LUA_PATH`'s entries), Ctrl-C handling, and the ways
/// of running code that the command line offers.
public final class Shell {
    public let vm: LuaVM
    /// Where `require "cutover.…"` finds the Lua side, if anywhere.
    public let stdlibDirectory: String?
    /// Told about every input the prompt ran: its text, whether it succeeded, and a
    /// short result (the history records prompt sessions through it).
    public var inputRecorder: ((_ text: String, _ ok: Bool, _ result: String) -> Void)?
    /// The texts run so far under each chunk name ("=stdin": the prompt's inputs,
    /// "=(command line)": -e code), oldest first.
    public private(set) var chunkTexts: [String: [String]] = [:]

    /// Keeps a text about to run under `chunkName` (see `chunkTexts`).
    public func keep(_ text: String, as chunkName: String) {
        chunkTexts[chunkName, default: []].append(text)
    }

    /// The recorded sessions, for `.history` and `.save FILE #S` (set by the executable).
    public var sessions: PromptSessions?

    public init(memoryLimit: Int? = nil) throws {
        vm = try LuaVM(memoryLimit: memoryLimit)
        stdlibDirectory = StdlibLocator.locate()
        if let stdlibDirectory { vm.prependToPackagePath(stdlibDirectory) }
        LuaVM.installInterruptHandler()
    }

    /// Sets the global `arg` as lua.c does: `arg[0]` is the script, positive indices
    /// its arguments, negative ones the interpreter and the options before the script.
    public func setArguments(_ argv: [String], scriptIndex: Int) {
        var table = LuaTable(array: [])
        for (i, value) in argv.enumerated() {
            table[.integer(Int64(i - scriptIndex))] = .string(value)
        }
        vm[global: "arg"] = .table(table)
    }

    /// Runs a file with `...` set to its arguments.
    public func runFile(_ path: String, arguments: [String] = []) throws {
        let chunk = try vm.loadFile(path)
        try vm.call(.reference(chunk), arguments: arguments.map { .string($0) })
    }

    /// Runs a string given on the command line.
    public func runString(_ code: String, chunkName: String = "=(command line)") throws {
        keep(code, as: chunkName)
        try vm.run(code, chunkName: chunkName)
    }

    /// Runs all of standard input as one chunk (a first `#` line is skipped).
    public func runStandardInput(arguments: [String] = []) throws {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(0, &buffer, buffer.count)
            if n > 0 { bytes.append(contentsOf: buffer[0..<n]) } else if n == 0 || errno != EINTR { break }
        }
        if bytes.first == UInt8(ascii: "#") {
            // Keep the newline so line numbers stay right.
            bytes = Array(bytes.drop(while: { $0 != UInt8(ascii: "\n") }))
        }
        let code = String(decoding: bytes, as: UTF8.self)
        try vm.run(code, chunkName: "=stdin", arguments: arguments.map { .string($0) })
    }

    /// How an error is shown on stderr: the message, then the traceback.
    public static func describe(_ error: Error) -> String {
        if let error = error as? LuaError {
            return error.traceback.isEmpty ? error.message : error.message + "\n" + error.traceback
        }
        return String(describing: error)
    }
}

/// What the prompt reads of the history's sessions.
public protocol PromptSessions: AnyObject {
    /// The session this prompt is recorded in, once it has one.
    var current: Int64? { get }
    /// Recorded sessions, newest first, as one line each (`#N  time  kind  …`).
    func list(limit: Int) throws -> [(id: Int64, line: String)]
    /// A recorded session's inputs, as stored (redacted), and whether each succeeded.
    func inputs(of session: Int64) throws -> [(text: String, ok: Bool)]
}
