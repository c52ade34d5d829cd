/// A small Lua 5.4 tokenizer: enough to find top-level statements and declarations
/// in prompt input (names, keywords, strings, comments, numbers, symbols). It never
/// fails: unterminated strings or comments simply end at the end of input.
struct LuaToken: Equatable {
    enum Kind: Equatable { case name, keyword, string, number, symbol }
    let kind: Kind
    let text: String
    /// Byte offsets into the source's UTF-8.
    let start: Int
    let end: Int
}

enum LuaTokenizer {
    static let keywords: Set<String> = [
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
        "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    ]

    static func tokens(_ source: String) -> [LuaToken] {
        let bytes = Array(source.utf8)
        var tokens: [LuaToken] = []
        var i = 0
        func peek(_ k: Int) -> UInt8 { i + k < bytes.count ? bytes[i + k] : 0 }
        func text(_ a: Int, _ b: Int) -> String { String(decoding: bytes[a..<b], as: UTF8.self) }
        /// The level of a long bracket `[==[` starting at `i`, or nil.
        func longBracketLevel(at p: Int) -> Int? {
            guard p < bytes.count, bytes[p] == UInt8(ascii: "[") else { return nil }
            var q = p + 1
            while q < bytes.count, bytes[q] == UInt8(ascii: "=") { q += 1 }
            return q < bytes.count && bytes[q] == UInt8(ascii: "[") ? q - p - 1 : nil
        }
        func skipLongBracket(level: Int) {
            // i points at the opening "["; find "]" + level "=" + "]".
            i += level + 2
            while i < bytes.count {
                if bytes[i] == UInt8(ascii: "]") {
                    var q = i + 1
                    while q < bytes.count, bytes[q] == UInt8(ascii: "=") { q += 1 }
                    if q - i - 1 == level, q < bytes.count, bytes[q] == UInt8(ascii: "]") {
                        i = q + 1
                        return
                    }
                }
                i += 1
            }
        }
        while i < bytes.count {
            let c = bytes[i]
            let start = i
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") {
                i += 1
            } else if c == UInt8(ascii: "-") && peek(1) == UInt8(ascii: "-") {
                i += 2
                if let level = longBracketLevel(at: i) {
                    skipLongBracket(level: level)
                } else {
                    while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
                }
            } else if isNameStart(c) {
                while i < bytes.count, isNameStart(bytes[i]) || isDigit(bytes[i]) { i += 1 }
                let word = text(start, i)
                tokens.append(LuaToken(kind: keywords.contains(word) ? .keyword : .name, text: word, start: start, end: i))
            } else if isDigit(c) || (c == UInt8(ascii: ".") && isDigit(peek(1))) {
                while i < bytes.count {
                    let d = bytes[i]
                    if (d == UInt8(ascii: "+") || d == UInt8(ascii: "-")),
                       [UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "p"), UInt8(ascii: "P")].contains(bytes[i - 1]) {
                        i += 1
                    } else if isNameStart(d) || isDigit(d) || d == UInt8(ascii: ".") {
                        i += 1
                    } else {
                        break
                    }
                }
                tokens.append(LuaToken(kind: .number, text: text(start, i), start: start, end: i))
            } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                i += 1
                while i < bytes.count, bytes[i] != c, bytes[i] != UInt8(ascii: "\n") {
                    if bytes[i] == UInt8(ascii: "\\") { i += 1 }
                    i += 1
                }
                i = min(i + 1, bytes.count)
                tokens.append(LuaToken(kind: .string, text: text(start, i), start: start, end: i))
            } else if let level = longBracketLevel(at: i) {
                skipLongBracket(level: level)
                tokens.append(LuaToken(kind: .string, text: text(start, i), start: start, end: i))
            } else {
                // Longest symbols first: ... .. :: // == ~= <= >= << >>
                let two = i + 1 < bytes.count ? text(i, i + 2) : ""
                let three = i + 2 < bytes.count ? text(i, i + 3) : ""
                let length = three == "..." ? 3 : ["..", "::", "//", "==", "~=", "<=", ">=", "<<", ">>"].contains(two) ? 2 : 1
                i += length
                tokens.append(LuaToken(kind: .symbol, text: text(start, i), start: start, end: i))
            }
        }
        return tokens
    }

    static func isNameStart(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || c == UInt8(ascii: "_")
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
}
