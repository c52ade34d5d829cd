import Foundation

/// Replaces what looks like a credential with `[REDACTED]` before anything is stored:
/// AWS access key ids and secret keys, `password=…`/`secret=…`/`token=…` assignments,
/// bearer tokens. More patterns can be added (`CUTOVER_REDACT`, one regular expression
/// per line, each whole match redacted).
public struct Redactor: Sendable {
    public let patterns: [String]
    private let expressions: [NSRegularExpression]

    public static let builtIn: [String] = [
        #"\b(AKIA|ASIA)[A-Z0-9]{16}\b"#,
        #"(?i)(aws_secret_access_key|secret_?key)(\s*[=:]\s*|\s+)["']?[A-Za-z0-9/+=]{40}["']?"#,
        #"(?i)\b(password|passwd|pwd|secret|token|api_?key)\s*[=:]\s*("[^"]*"|'[^']*'|\S+)"#,
        #"(?i)\bbearer\s+[A-Za-z0-9\-._~+/]+=*"#,
    ]

    public init(patterns: [String] = Redactor.builtIn) {
        self.patterns = patterns
        expressions = patterns.compactMap { try? NSRegularExpression(pattern: $0) }
    }

    /// The built-in patterns plus those of `CUTOVER_REDACT`.
    public static var standard: Redactor {
        let extra = (ProcessInfo.processInfo.environment["CUTOVER_REDACT"] ?? "")
            .split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        return Redactor(patterns: builtIn + extra)
    }

    public func redact(_ text: String) -> String {
        var out = text
        for e in expressions {
            out = e.stringByReplacingMatches(in: out, range: NSRange(out.startIndex..., in: out), withTemplate: "[REDACTED]")
        }
        return out
    }
}
