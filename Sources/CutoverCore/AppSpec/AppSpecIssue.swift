/// One thing wrong with an appspec file: where, what, and what to do about it.
///
/// Its `description` is the only place the text users see is put together, in the
/// compiler-style form editors and CI logs recognise:
///
///     appspec.yml:7:9: error: file mapping has no destination
///       hint: add `destination:` with the absolute path to copy to
public struct AppSpecIssue: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    public var hint: String

    public init(location: SourceLocation, message: String, hint: String) {
        self.location = location
        self.message = message
        self.hint = hint
    }

    public var description: String {
        "\(location): error: \(message)\n  hint: \(hint)"
    }
}
