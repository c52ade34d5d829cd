@preconcurrency import CEditline
import CShellSupport
import LuaRuntime
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Line editing through libedit: history recall, completion, Ctrl-C that clears the
/// line. libedit's state is process-wide, so there is at most one of these at a time.
public final class EditlineEditor: LineEditor {
    public var completer: Completer? {
        get { EditlineEditor.activeCompleter }
        set { EditlineEditor.activeCompleter = newValue }
    }

    /// Read by libedit's C callbacks, which cannot capture context.
    nonisolated(unsafe) static var activeCompleter: Completer?
    nonisolated(unsafe) static var pendingMatches: [String] = []

    public init(history: [String]) {
        setlocale(LC_ALL, "")
        rl_readline_name = UnsafePointer(strdup("cutover"))
        // Our reader returns -1 as soon as SIGINT arrives (see editline_getc.c).
        rl_getc_function = cutover_editline_getc
        rl_attempted_completion_function = editlineComplete
        // `.` and `:` are not word breaks, so "string.fo" arrives whole.
        rl_completer_word_break_characters = strdup(" \t\n\"'`@$><=;|&{(,+-*/%^#~[]")
        using_history()
        for entry in history { add_history(entry) }
    }

    public func readLine(prompt: String) -> LineInput {
        _ = LuaVM.takePendingInterrupt()
        guard let raw = readline(prompt) else {
            if LuaVM.takePendingInterrupt() {
                // libedit leaves the cursor on the abandoned line.
                Console.write("\n")
                Console.flush()
                return .interrupted
            }
            return .endOfInput
        }
        defer { free(raw) }
        return .line(String(cString: raw))
    }

    public func remember(_ entry: String) {
        // No duplicates in the session either: drop an older copy first.
        var index = history_length - 1
        while index >= 0 {
            if let item = history_get(history_base + index), let line = item.pointee.line,
               String(cString: line) == entry {
                _ = remove_history(index)
            }
            index -= 1
        }
        add_history(entry)
    }
}

/// libedit's completion callback: returns the matches for the word at [start, end).
private func editlineComplete(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32)
    -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
{
    rl_attempted_completion_over = 1 // never fall back to file names
    guard let text, let completer = EditlineEditor.activeCompleter else { return nil }
    let word = String(cString: text)
    let line = rl_line_buffer.map { String(cString: $0) } ?? ""
    let before = String(line.utf8.prefix(Int(start))) ?? ""
    let matches = completer.complete(word, lineBefore: before)
    guard !matches.isEmpty else { return nil }
    if matches.count == 1, let suffix = matches[0].suffix.utf8.first {
        rl_completion_append_character = Int32(suffix)
    } else {
        rl_completion_append_character = matches.count == 1 ? 0 : Int32(UInt8(ascii: " "))
    }
    EditlineEditor.pendingMatches = matches.map(\.text)
    return rl_completion_matches(text, editlineNextMatch)
}

/// Hands libedit the matches one at a time (state 0 starts over); it frees them.
private func editlineNextMatch(_ text: UnsafePointer<CChar>?, _ state: Int32) -> UnsafeMutablePointer<CChar>? {
    guard !EditlineEditor.pendingMatches.isEmpty else { return nil }
    return strdup(EditlineEditor.pendingMatches.removeFirst())
}
