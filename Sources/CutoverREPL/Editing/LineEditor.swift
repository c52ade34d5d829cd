/// What reading one line gave.
public enum LineInput: Equatable {
    case line(String)
    /// Ctrl-C while typing: the line is discarded.
    case interrupted
    /// Ctrl-D on an empty line, or the end of input.
    case endOfInput
}

/// Reads prompt input a line at a time.
public protocol LineEditor: AnyObject {
    func readLine(prompt: String) -> LineInput
    /// Makes an entry available to recall (Up arrow) in this session.
    func remember(_ entry: String)
    /// What completes words, if this editor completes.
    var completer: Completer? { get set }
}
