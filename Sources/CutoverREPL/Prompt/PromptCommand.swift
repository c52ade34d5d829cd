/// The prompt's own commands: a line starting with `.` at the start of an input.
enum PromptCommand: Equatable {
    case help
    case exit(Int32)
    case load(String)
    case save(String, session: Int64?)
    /// The last N inputs of the line history; with no count, also the recorded sessions.
    case history(Int?)
    /// A recorded session's inputs.
    case sessionInputs(Int64)
    case clear

    static let names = [".help", ".exit", ".load", ".save", ".history", ".clear"]

    static let helpText = """
        Type Lua: an expression prints its value (`1+1`, `=x`), a statement runs
        (`x = 2`); unfinished input continues on a `>>` line. Top-level `local`s stay
        visible to later lines. `_` is the last result. Tab completes names, fields
        after `.` and methods after `:`. Up and Down recall earlier inputs.

          .help           this text
          .exit [STATUS]  leave (Ctrl-D on an empty line does too)
          .load FILE      run a Lua file in this session
          .save FILE      write this session's successful inputs as a Lua script
          .save FILE #S   the same for recorded session S (from the history)
          .history        recorded sessions, then the last 20 inputs
          .history N      the last N inputs
          .history #S     recorded session S's inputs (✓ succeeded, ✗ failed)
          .clear          clear the screen and any unfinished input

        Ctrl-C clears the line, or stops running code.
        """

    /// Parses a command line; nil when it is not a command (so it is Lua), or throws
    /// a usage message for a command used wrongly.
    static func parse(_ line: String) throws -> PromptCommand? {
        let trimmed = line.trimmingWhitespace
        guard trimmed.hasPrefix(".") else { return nil }
        let words = trimmed.split(separator: " ", maxSplits: 1).map(String.init)
        let argument = words.count > 1 ? words[1].trimmingWhitespace : ""
        switch words[0] {
        case ".help": return .help
        case ".exit":
            if argument.isEmpty { return .exit(0) }
            guard let status = Int32(argument) else { throw PromptCommandError(".exit takes a number: .exit [STATUS]") }
            return .exit(status)
        case ".load":
            guard !argument.isEmpty else { throw PromptCommandError("usage: .load FILE") }
            return .load(argument)
        case ".save":
            guard !argument.isEmpty else { throw PromptCommandError("usage: .save FILE [#SESSION]") }
            let parts = argument.split(separator: " ").map(String.init)
            if parts.count == 2, parts[1].hasPrefix("#") {
                guard let session = Int64(parts[1].dropFirst()), session > 0 else {
                    throw PromptCommandError("usage: .save FILE [#SESSION] (a session number, as .history lists them)")
                }
                return .save(parts[0], session: session)
            }
            return .save(argument, session: nil)
        case ".history":
            if argument.isEmpty { return .history(nil) }
            if argument.hasPrefix("#") {
                guard let session = Int64(argument.dropFirst()), session > 0 else { throw PromptCommandError("usage: .history [N | #SESSION]") }
                return .sessionInputs(session)
            }
            guard let n = Int(argument), n > 0 else { throw PromptCommandError("usage: .history [N | #SESSION]") }
            return .history(n)
        case ".clear": return .clear
        default:
            // `.5` is a number, not a command.
            if let second = trimmed.dropFirst().first, second.isNumber { return nil }
            throw PromptCommandError("unknown command \(words[0]) (try .help)")
        }
    }
}

struct PromptCommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
