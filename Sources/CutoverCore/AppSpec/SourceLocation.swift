/// A place in a text file that a message can point to: `file:line:column`.
///
/// Shared by everything that reports on user-written text (appspec files, Lua chunks),
/// so that every such message reads the same way and editors can jump to it.
/// Lines and columns count from 1; columns count Unicode scalars, as libyaml does.
/// Either may be unknown (a file that cannot be read has neither; some Lua errors have
/// a line but no column).
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?

    public init(file: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, dropping the parts that are unknown.
    public var description: String {
        switch (line, column) {
        case let (line?, column?): "\(file):\(line):\(column)"
        case let (line?, nil): "\(file):\(line)"
        default: file
        }
    }

    /// Orders by file, then line, then column; an unknown part sorts first, so that
    /// whole-file messages come before the ones inside it.
    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line ?? 0, lhs.column ?? 0) < (rhs.file, rhs.line ?? 0, rhs.column ?? 0)
    }
}
