import CutoverCore
import Yams

extension YamlError {
    /// The syntax error as an appspec issue at the position libyaml reports.
    func issue(in file: String, text: String) -> AppSpecIssue {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch self {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let context = context.map { " (\($0.text))" } ?? ""
            return AppSpecIssue(
                location: at(mark), message: "invalid YAML: \(problem)\(context)",
                hint: Self.hint(for: problem, at: mark, in: text))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "`\($0)`" }.joined(separator: ", ")
            return AppSpecIssue(
                location: at(context.mark), message: "key \(keys) appears more than once in the same mapping",
                hint: "keep one of them: which one a YAML reader uses is not defined")
        case .reader(let problem, let offset, _, _):
            let (line, column) = Self.lineAndColumn(ofCharacter: offset ?? 0, in: text)
            return AppSpecIssue(
                location: SourceLocation(file: file, line: line, column: column),
                message: "the file cannot be read as text: \(problem)", hint: "save the file as UTF-8")
        default:
            return AppSpecIssue(
                location: SourceLocation(file: file), message: "invalid YAML: \(self)",
                hint: "check the file's syntax")
        }
    }

    private static func hint(for problem: String, at mark: Mark, in text: String) -> String {
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(mark.line - 1).first ?? ""
        let character = line.unicodeScalars.dropFirst(mark.column - 1).first
        if character == "\t" { return "YAML does not allow tabs for indentation: indent with spaces" }
        if problem.contains("mapping values are not allowed") {
            return "a value containing `: ` must be quoted, or a key is indented wrongly"
        }
        if problem.contains("could not find expected ':'") {
            return "each key needs a colon and a space after it (`key: value`)"
        }
        return "check the indentation (spaces only; items of a list under the same column) and the quoting near here"
    }

    /// 1-based line and column (in Unicode scalars, as libyaml counts) of a character offset.
    private static func lineAndColumn(ofCharacter offset: Int, in text: String) -> (Int, Int) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character.isNewline {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return (line, column)
    }
}
