/// One INI file of AWS's shared configuration (`~/.aws/config` or `~/.aws/credentials`).
///
/// The rules botocore's reader follows: `[section]` headers; `key = value` (or
/// `key: value`) with keys lowercased and values trimmed; whole-line comments starting
/// with `#` or `;` (no inline comments: a `#` inside a value is part of it); an indented
/// line continues the setting above it, and a setting with an empty value followed by
/// indented `key = value` lines is a nested group (`s3 =` / `  addressing_style = path`,
/// the form `[services …]` sections use).
public struct ConfigFile: Sendable, Equatable {
    public struct Section: Sendable, Equatable {
        public var settings: [String: String] = [:]
        /// Nested groups: `s3 =` followed by indented settings.
        public var groups: [String: [String: String]] = [:]
        /// The line of the section header, for messages.
        public var line: Int = 0
    }

    public let path: String
    /// By header text as written inside the brackets, trimmed: `default`, `profile dev`,
    /// `services local`, `dev` (credentials file).
    public var sections: [String: Section]

    public init(path: String, sections: [String: Section] = [:]) {
        self.path = path
        self.sections = sections
    }

    public static func parse(_ text: String, path: String) throws(AWSConfigurationError) -> ConfigFile {
        var file = ConfigFile(path: path)
        var current: String?
        var lastKey: String?
        // "\r\n" is one Character in Swift: split on each line ending, whichever it is.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        for (offset, line) in lines.enumerated() {
            let number = offset + 1
            let content = line.drop { $0 == " " || $0 == "\t" }
            if content.isEmpty || content.hasPrefix("#") || content.hasPrefix(";") { continue }
            let indented = content.startIndex != line.startIndex

            if indented, let section = current, let key = lastKey {
                // A continuation of `key`: a nested setting when key's value is empty.
                if file.sections[section]!.settings[key, default: ""].isEmpty || file.sections[section]!.groups[key] != nil {
                    guard let (subkey, value) = split(content) else {
                        throw .malformedFile(path: path, line: number, message: "expected `name = value` inside '\(key)'")
                    }
                    file.sections[section]!.groups[key, default: [:]][subkey] = value
                    file.sections[section]!.settings[key] = ""
                } else {
                    file.sections[section]!.settings[key]! += "\n" + trim(content)
                }
                continue
            }
            if content.hasPrefix("[") {
                guard let close = content.lastIndex(of: "]") else {
                    throw .malformedFile(path: path, line: number, message: "section header without ']'")
                }
                let name = trim(content[content.index(after: content.startIndex)..<close])
                guard !name.isEmpty else { throw .malformedFile(path: path, line: number, message: "empty section name") }
                current = name
                lastKey = nil
                if file.sections[name] == nil { file.sections[name] = Section(line: number) }
                continue
            }
            guard let section = current else {
                throw .malformedFile(path: path, line: number, message: "setting before any [section] header")
            }
            guard let (key, value) = split(content) else {
                throw .malformedFile(path: path, line: number, message: "expected `name = value` or a [section] header")
            }
            file.sections[section]!.settings[key] = value
            file.sections[section]!.groups[key] = nil
            lastKey = key
        }
        return file
    }

    /// `key = value` at the first `=` or `:`; nil without either or with an empty key.
    private static func split(_ line: Substring) -> (String, String)? {
        guard let at = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { return nil }
        let key = trim(line[..<at]).lowercased()
        guard !key.isEmpty else { return nil }
        return (key, trim(line[line.index(after: at)...]))
    }

    private static func trim(_ s: Substring) -> String {
        var t = s.drop { $0 == " " || $0 == "\t" }
        while let last = t.last, last == " " || last == "\t" { t = t.dropLast() }
        return String(t)
    }
}
