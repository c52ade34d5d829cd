/// Lines given in advance, shown after the prompt as if typed (replaying a session).
public final class ScriptedLineReader: LineEditor {
    private var lines: [String]
    public var completer: Completer?

    public init(inputs: [String]) {
        lines = inputs.flatMap { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    }

    public func readLine(prompt: String) -> LineInput {
        guard !lines.isEmpty else { return .endOfInput }
        let line = lines.removeFirst()
        Console.write(prompt + line + "\n")
        return .line(line)
    }

    public func remember(_ entry: String) {}
}
