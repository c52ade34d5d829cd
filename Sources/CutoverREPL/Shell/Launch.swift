import LuaRuntime
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// What the command line asked for, in lua.c's terms: modules to require (`-l`),
/// chunks to run (`-e`), a script with its arguments (or `-` for stdin), and whether
/// to enter the prompt afterwards (`-i`).
public struct Launch {
    public var requires: [String] = []
    public var chunks: [String] = []
    public var script: String?
    public var scriptArguments: [String] = []
    public var interactive = false
    /// Inputs to run at a prompt, as if typed (a recorded session replayed).
    public var promptInputs: [String]?
    /// The whole command line, for the `arg` table.
    public var argv: [String] = CommandLine.arguments
    /// Runs once the shell exists, before any code: where modules get installed.
    public var prepare: ((Shell) -> Void)?

    public init() {}

    /// Reads the plain lua-style command lines — `-e CODE`, `-l NAME`, `-i`, then an
    /// optional script (or `-`) and its arguments — without argument-parser, whose
    /// set-up is most of the startup time (scripts/bench). Returns nil for anything
    /// else (subcommands, `--help`, `--version`, unknown options, missing values):
    /// argument-parser handles those and says what is wrong.
    public init?(luaStyle arguments: [String], subcommands: Set<String>) {
        var i = 0
        while i < arguments.count {
            let word = arguments[i]
            switch word {
            case "-e", "-l":
                guard i + 1 < arguments.count else { return nil }
                if word == "-e" { chunks.append(arguments[i + 1]) } else { requires.append(arguments[i + 1]) }
                i += 2
            case "-i":
                interactive = true
                i += 1
            case "--":
                i += 1
                if i < arguments.count { script = arguments[i] }
                scriptArguments = Array(arguments.dropFirst(i + 1))
                return
            default:
                if word.hasPrefix("-") && word != "-" { return nil }
                // A first word that names a subcommand is that subcommand.
                if i == 0 && subcommands.contains(word) { return nil }
                script = word
                scriptArguments = Array(arguments.dropFirst(i + 1))
                return
            }
        }
    }

    /// Runs it all; returns the exit status (0, or 1 after an error).
    public func run() -> Int32 {
        let shell: Shell
        do {
            shell = try Shell()
        } catch {
            Console.writeError("cutover: \(Shell.describe(error))\n")
            return 1
        }
        prepare?(shell)
        let scriptIndex = script == nil ? 0 : max(0, argv.count - scriptArguments.count - 1)
        shell.setArguments(argv, scriptIndex: scriptIndex)
        do {
            for module in requires {
                // As lua.c: `-l name` is `name = require "name"`; `-l g=mod` names the global.
                let parts = module.split(separator: "=", maxSplits: 1).map(String.init)
                let (global, name) = parts.count == 2 ? (parts[0], parts[1]) : (module, module)
                let loaded = try shell.vm.call(shell.vm[global: "require"], arguments: [.string(name)])
                shell.vm[global: global] = loaded.first ?? .nil
            }
            for chunk in chunks { try shell.runString(chunk) }
            if let promptInputs {
                let prompt = try Prompt(shell: shell, editor: ScriptedLineReader(inputs: promptInputs), options: Prompt.Options())
                let status = prompt.run()
                Console.flush()
                return status
            }
            if let script {
                if script == "-" {
                    try shell.runStandardInput(arguments: scriptArguments)
                } else {
                    try shell.runFile(script, arguments: scriptArguments)
                }
            } else if !interactive && chunks.isEmpty {
                // `cutover` alone: the prompt on a terminal, stdin as a script otherwise.
                if isatty(0) == 0 {
                    try shell.runStandardInput()
                    Console.flush()
                    return 0
                }
                return Launch.prompt(shell)
            }
        } catch {
            Console.writeError("cutover: \(Shell.describe(error))\n")
            return 1
        }
        Console.flush()
        return interactive ? Launch.prompt(shell) : 0
    }

    /// Enters the prompt: libedit on a terminal, plain lines otherwise.
    static func prompt(_ shell: Shell) -> Int32 {
        let terminal = isatty(0) != 0
        let noColor = getenv("NO_COLOR").map { $0.pointee != 0 } ?? false
        let dumb = getenv("TERM").map { String(cString: $0) == "dumb" } ?? true
        let history = terminal ? HistoryStore(path: HistoryStore.defaultPath) : nil
        let editor: LineEditor = terminal
            ? EditlineEditor(history: history?.entries ?? [])
            : StreamLineReader(showPrompt: true)
        let options = Prompt.Options(
            color: terminal && isatty(1) != 0 && !noColor && !dumb,
            history: history,
            initFile: XDGPaths.configDirectory + "/init.lua",
            banner: terminal ? "Cutover \(Launch.version) (\(Launch.luaVersion)) — .help for help, Ctrl-D to leave" : nil
        )
        do {
            let prompt = try Prompt(shell: shell, editor: editor, options: options)
            let status = prompt.run()
            Console.flush()
            return status
        } catch {
            Console.writeError("cutover: \(Shell.describe(error))\n")
            return 1
        }
    }

    public static let version = "0.1.0"
    public static var luaVersion: String { LuaVM.release }
}
