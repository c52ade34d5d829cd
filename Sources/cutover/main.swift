import ArgumentParser
import Foundation
import CutoverBindings
import CutoverREPL
#if canImport(Glibc)
import Glibc
#endif

/// `cutover`: with no subcommand, lua-style — the prompt, a script, `-e`, `-`.
struct Cutover: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cutover",
        abstract: "A scriptable deployment shell driven from Lua 5.4.",
        discussion: """
            With no arguments on a terminal, opens the prompt. `cutover FILE [ARGS...]` \
            runs a Lua file with `arg` and `...` set as lua does; `-e CODE` runs a \
            string; `-` (or piped standard input) runs standard input; `-i` enters the \
            prompt afterwards. Exit status: 0 success, 1 a Lua error, 2 bad usage.
            """,
        version: "cutover \(Launch.version) (\(Launch.luaVersion))",
        subcommands: [Lua.self, Run.self, Plan.self, AppSpecCommand.self, Local.self, History.self, Show.self, Replay.self, Resume.self, Report.self, Aws.self],
        defaultSubcommand: Lua.self
    )
}

/// The lua-style entry, also reachable as `cutover lua …`.
struct Lua: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lua",
        abstract: "Run Lua: the prompt, a script, -e CODE or standard input (the default)."
    )

    @Option(name: .customShort("e"), help: ArgumentHelp("Run CODE (may be repeated).", valueName: "code"))
    var execute: [String] = []

    @Option(name: .customShort("l"), help: ArgumentHelp("Require module NAME into the global NAME (or g=NAME).", valueName: "name"))
    var library: [String] = []

    @Flag(name: .customShort("i"), help: "Enter the prompt after running the script or -e code.")
    var interactive = false

    @Option(help: ArgumentHelp("The provider cutover.provider() returns: sim, local or aws.", valueName: "name"))
    var provider: String = "sim"

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("A Lua file (or - for standard input) and its arguments.", valueName: "script"))
    var script: [String] = []

    mutating func validate() throws {
        try checkProvider(provider)
        // lua.c's conventions: `--` ends the options; any other option-looking word
        // before the script is a usage error, not a file name.
        if script.first == "--" { script.removeFirst() }
        if let first = script.first, first == "-h" || first == "--help" { throw CleanExit.helpRequest(self) }
        if let first = script.first, first.hasPrefix("-"), first != "-" {
            throw ValidationError("unrecognized option '\(first)'")
        }
    }

    func run() throws {
        var launch = Launch()
        launch.requires = library
        launch.chunks = execute
        launch.interactive = interactive
        launch.script = script.first
        launch.scriptArguments = Array(script.dropFirst())
        launch.prepare = installModules(provider: provider, kind: launch.script == nil && launch.chunks.isEmpty ? "prompt" : "run")
        throw ExitCode(launch.run())
    }
}

/// `cutover run FILE [ARGS...]`.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a Lua file with arguments.")

    @Flag(name: .customShort("i"), help: "Enter the prompt after the script.")
    var interactive = false

    @Option(help: ArgumentHelp("The provider cutover.provider() returns: sim, local or aws.", valueName: "name"))
    var provider: String = "sim"

    @Argument(help: ArgumentHelp("The Lua file to run (- for standard input).", valueName: "file"))
    var file: String

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("Arguments for the script (its `arg` and `...`).", valueName: "args"))
    var arguments: [String] = []

    func validate() throws { try checkProvider(provider) }

    func run() throws {
        var launch = Launch()
        launch.script = file
        launch.scriptArguments = arguments
        launch.interactive = interactive
        launch.prepare = installModules(provider: provider)
        throw ExitCode(launch.run())
    }
}

func checkProvider(_ name: String) throws {
    guard ["sim", "local", "aws"].contains(name) else {
        throw ValidationError("--provider must be sim, local or aws, not '\(name)'")
    }
}

/// Makes `require "cutover"` work in a shell, with `provider` as the default provider.
func installModules(provider: String, kind: String = "run") -> (Shell) -> Void {
    { shell in
        let module = CutoverModule(defaultProvider: provider, localStateDirectory: XDGPaths.stateDirectory + "/local")
        module.executable = currentExecutable()
        // CUTOVER_HISTORY=off: deployments are not recorded.
        module.historyPath = ProcessInfo.processInfo.environment["CUTOVER_HISTORY"] == "off" ? nil : History.databasePath
        module.sessionKind = kind
        if kind == "prompt" || kind == "replay" {
            shell.inputRecorder = { text, ok, result in module.recordInput(text, ok: ok, result: result) }
            shell.sessions = RecordedSessions(module: module)
        }
        module.chunkTexts = { [unowned shell] name in (shell.chunkTexts[name] ?? []).reversed() }
        module.install(in: shell.vm)
    }
}

/// Exit statuses as lua.c and Cutover document them: help and version 0, a Lua
/// error 1, bad usage 2 (argument-parser's own default for usage would be 64).
func main() -> Never {
    let subcommands = Set(Cutover.configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"])
    let arguments = takeStateDirectory(Array(CommandLine.arguments.dropFirst()), subcommands: subcommands)
    if var launch = Launch(luaStyle: arguments, subcommands: subcommands) {
        launch.prepare = installModules(provider: "sim", kind: launch.script == nil && launch.chunks.isEmpty ? "prompt" : "run")
        exit(launch.run()) // not Cutover.exit: it formats messages first, a third of startup
    }
    do {
        var command = try Cutover.parseAsRoot(arguments)
        try command.run()
        Cutover.exit()
    } catch let code as ExitCode {
        Cutover.exit(withError: code)
    } catch {
        if Cutover.exitCode(for: error) == .success { Cutover.exit(withError: error) }
        let message = Cutover.fullMessage(for: error)
        Console.writeError("cutover: " + message + "\n")
        Cutover.exit(withError: ExitCode(2))
    }
}

/// `--state-dir DIR` before a script (or anywhere in a subcommand's arguments) moves the
/// whole state — history, the local cloud, the prompt's line history — as
/// `CUTOVER_STATE_DIR` does, for this process and the daemon it starts. `cutover local`
/// keeps its own `--state-dir` (the local cloud's directory alone); a script's
/// arguments are its own.
func takeStateDirectory(_ arguments: [String], subcommands: Set<String>) -> [String] {
    var out: [String] = []
    var i = 0
    var inSubcommand = false
    while i < arguments.count {
        let a = arguments[i]
        if a == "--" || (inSubcommand && out.first == "local") { out += arguments[i...]; break }
        if a == "--state-dir" || a.hasPrefix("--state-dir=") {
            let value = a == "--state-dir" ? (i + 1 < arguments.count ? arguments[i + 1] : "") : String(a.dropFirst("--state-dir=".count))
            i += a == "--state-dir" ? 2 : 1
            guard !value.isEmpty else {
                Console.writeError("cutover: --state-dir needs a directory\n")
                exit(2)
            }
            let absolute = value.hasPrefix("/") ? value : FileManager.default.currentDirectoryPath + "/" + value
            setenv("CUTOVER_STATE_DIR", absolute, 1)
            continue
        }
        out.append(a)
        i += 1
        if inSubcommand || a.hasPrefix("-") {
            // lua.c's options that take a value.
            if !inSubcommand, ["-e", "-l", "--provider"].contains(a), i < arguments.count { out.append(arguments[i]); i += 1 }
            continue
        }
        if subcommands.contains(a) { inSubcommand = true; continue }
        out += arguments[i...]   // a script: what follows is its own
        break
    }
    return out
}

main()
