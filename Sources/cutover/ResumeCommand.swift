import ArgumentParser
import CutoverREPL

/// `cutover resume ID`: takes up a local-cloud deployment whose `cutover` process was
/// killed, from its recorded events, to its end (success, or failure and rollback).
struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a local-cloud deployment whose process died, from its recorded events.",
        discussion: """
            The deployment's group, its policy and its Lua hooks are made again from the \
            record; lifecycle events that were running are asked of the daemon again (it \
            runs each once per deployment and host, so one that finished answers with its \
            result); a policy is re-run against its recorded steps first and must give the \
            same ones. A deployment that ended with its rollback cut off resumes the \
            rollback. Exit status 0 when the deployment succeeds, 1 otherwise.
            """)

    @Argument(help: "The deployment: ID@SESSION as cutover history lists it, or an id.")
    var id: String

    @Option(help: ArgumentHelp("A Lua file run first: it may register the policy (cutover.policy) when its source was not recorded.",
                               valueName: "file"))
    var with: String?

    @Flag(help: "Print the events as JSON lines.")
    var json = false

    func run() throws {
        var launch = Launch()
        var code = "local cutover = require 'cutover'\n"
        if let with { code += "dofile(\(LuaLiteral.quote(with)))\n" }
        code += """
            local d = cutover.resume(\(LuaLiteral.quote(id)))
            io.write(d.id, ": resuming (", d.status, ")\\n")
            local status = d:watch{ json = \(json) }
            local rollback = d.rollback
            if rollback then io.write(d.id, ": ", status, "; rollback ", rollback.id, ": ", rollback.status, "\\n")
            else io.write(d.id, ": ", status, "\\n") end
            if status ~= "Succeeded" then os.exit(1, true) end
            """
        launch.chunks = [code]
        launch.prepare = installModules(provider: "local", kind: "resume")
        throw ExitCode(launch.run())
    }
}

enum LuaLiteral {
    /// A Lua string literal for any text.
    static func quote(_ text: String) -> String {
        var out = "\""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 32..<127: out += String(UnicodeScalar(byte))
            default: out += "\\" + String(byte)
            }
        }
        return out + "\""
    }
}
