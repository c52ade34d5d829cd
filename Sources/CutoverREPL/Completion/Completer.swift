import LuaRuntime

/// One completion: the whole word to put in place of what was typed.
public struct Completion: Equatable, Sendable {
    public enum Kind: Equatable, Sendable { case keyword, table, function, value, command }
    public let text: String
    public let kind: Kind

    /// What to type after the word when it is the only match: `.` after a table,
    /// `(` after a function, a space after a keyword or command.
    public var suffix: String {
        switch kind {
        case .table: "."
        case .function: "("
        case .keyword, .command: " "
        case .value: ""
        }
    }
}

/// Completes Lua names at the prompt without ever running user code: tables are
/// read raw, metatables are followed only through `__index` *tables* (so methods of
/// userdata and strings complete after `:`), and no function is called.
public struct Completer {
    let vm: LuaVM
    /// The session environment (top-level locals), looked at before `_G`.
    let environment: LuaReference?
    let commands: [String]

    public init(vm: LuaVM, environment: LuaReference?, commands: [String]) {
        self.vm = vm
        self.environment = environment
        self.commands = commands
    }

    /// Candidates for `word`, the text just before the cursor back to the last
    /// word break; `lineBefore` is everything before the word.
    public func complete(_ word: String, lineBefore: String = "") -> [Completion] {
        if lineBefore.allSatisfy(\.isWhitespace) && word.hasPrefix(".") {
            return commands.filter { $0.hasPrefix(word) }.sorted().map { Completion(text: $0, kind: .command) }
        }
        guard let separator = word.lastIndex(where: { $0 == "." || $0 == ":" }) else {
            return completeName(word)
        }
        let base = String(word[..<separator])
        let isMethod = word[separator] == ":"
        let partial = String(word[word.index(after: separator)...])
        guard let value = resolve(base) else { return [] }
        var seen = Set<String>()
        var results: [Completion] = []
        for (key, field) in fields(of: value) where key.hasPrefix(partial) && !seen.contains(key) {
            let kind = Completer.kind(of: field)
            if isMethod && kind != .function { continue }
            seen.insert(key)
            results.append(Completion(text: base + String(word[separator]) + key, kind: kind))
        }
        return results.sorted { $0.text < $1.text }
    }

    private func completeName(_ partial: String) -> [Completion] {
        var seen = Set<String>()
        var results: [Completion] = []
        for keyword in LuaTokenizer.keywords.sorted() where keyword.hasPrefix(partial) {
            seen.insert(keyword)
            results.append(Completion(text: keyword, kind: .keyword))
        }
        for scope in [environment, vm.globals].compactMap({ $0 }) {
            for key in scope.rawKeys() {
                guard let name = key.stringValue, Completer.isIdentifier(name), name.hasPrefix(partial),
                      !seen.contains(name) else { continue }
                seen.insert(name)
                results.append(Completion(text: name, kind: Completer.kind(of: scope[key])))
            }
        }
        return results.sorted { ($0.kind == .keyword ? 1 : 0, $0.text) < ($1.kind == .keyword ? 1 : 0, $1.text) }
    }

    /// Follows `a.b.c` (names only) from the session environment and `_G`.
    private func resolve(_ path: String) -> LuaValue? {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, Completer.isIdentifier(first) else { return nil }
        var value: LuaValue = .nil
        if let environment, !environment[first].isNil {
            value = environment[first]
        } else {
            value = vm.globals[first]
        }
        for part in parts.dropFirst() {
            guard Completer.isIdentifier(part) else { return nil }
            value = lookup(value, part)
            if value.isNil { return nil }
        }
        return value.isNil ? nil : value
    }

    /// A raw field, then through `__index` tables (never functions).
    private func lookup(_ value: LuaValue, _ key: String) -> LuaValue {
        var current = value
        for _ in 0..<16 {
            if case .reference(let ref) = current, ref.typeName == "table" {
                let field = ref[key]
                if !field.isNil { return field }
            }
            guard let mt = vm.metatable(of: current), case .reference(let index) = mt["__index"],
                  index.typeName == "table" else { return .nil }
            current = .reference(index)
        }
        return .nil
    }

    /// Identifier-named fields of a value: its own (if a table), then its `__index`
    /// tables', nearest first.
    private func fields(of value: LuaValue) -> [(String, LuaValue)] {
        var result: [(String, LuaValue)] = []
        var current = value
        var visited = Set<UnsafeRawPointer>()
        for _ in 0..<16 {
            if case .reference(let ref) = current, ref.typeName == "table" {
                if let id = ref.identity, !visited.insert(id).inserted { break }
                for key in ref.rawKeys() {
                    if let name = key.stringValue, Completer.isIdentifier(name) { result.append((name, ref[key])) }
                }
            }
            guard let mt = vm.metatable(of: current), case .reference(let index) = mt["__index"],
                  index.typeName == "table" else { break }
            current = .reference(index)
        }
        return result
    }

    static func kind(of value: LuaValue) -> Completion.Kind {
        switch value {
        case .function: return .function
        case .reference(let ref):
            switch ref.typeName {
            case "function": return .function
            case "table": return .table
            default: return .value
            }
        default: return .value
        }
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.utf8.first, LuaTokenizer.isNameStart(first) else { return false }
        return s.utf8.allSatisfy { LuaTokenizer.isNameStart($0) || LuaTokenizer.isDigit($0) }
            && !LuaTokenizer.keywords.contains(s)
    }
}
