/// Makes top-level `local` declarations of prompt input outlive the input.
///
/// Each prompt input is its own chunk, so a plain `local x = 1` would be gone on the
/// next line. The prompt runs inputs with `_ENV` set to a session table, and this
/// rewrite turns top-level declarations into assignments to that table:
///
///     local x, y = 1, 2      →  x, y = 1, 2        (declares x, y)
///     local n                →  n = nil            (declares n)
///     local function f() … →  function f() …     (declares f)
///     local k <const> = 3    →  k = 3              (declares k; const is not kept)
///
/// Declared names shadow globals of the same name for later inputs, as a local
/// would; assignments to undeclared names still go to `_G`. A `<close>` variable
/// cannot outlive its input: such a statement is left as it is, and the prompt says so.
/// Line structure is kept, so error positions still point at the user's lines.
struct TopLevelLocals {
    /// The rewritten source.
    let source: String
    /// Names declared by the input, in order.
    let declared: [String]
    /// Names left as true locals (declared `<close>`).
    let keptLocal: [String]

    init(rewriting input: String) {
        let tokens = LuaTokenizer.tokens(input)
        var edits: [(start: Int, end: Int, replacement: String)] = []
        var declared: [String] = []
        var keptLocal: [String] = []
        var depth = 0
        var i = 0
        while i < tokens.count {
            let token = tokens[i]
            if token.kind == .keyword {
                switch token.text {
                case "function", "do", "if", "repeat":
                    // `while`/`for` open their block with `do`; `function` bodies with `function`.
                    depth += 1
                case "end", "until":
                    depth = max(0, depth - 1)
                case "local" where depth == 0:
                    if let (edit, names, kept) = TopLevelLocals.rewriteDeclaration(tokens, at: i) {
                        edits.append(contentsOf: edit)
                        declared.append(contentsOf: names)
                        keptLocal.append(contentsOf: kept)
                    }
                default:
                    break
                }
            }
            i += 1
        }
        var bytes = Array(input.utf8)
        for edit in edits.sorted(by: { $0.start > $1.start }) {
            bytes.replaceSubrange(edit.start..<edit.end, with: Array(edit.replacement.utf8))
        }
        self.source = String(decoding: bytes, as: UTF8.self)
        self.declared = declared
        self.keptLocal = keptLocal
    }

    /// The edits for the declaration whose `local` is `tokens[at]`.
    private static func rewriteDeclaration(_ tokens: [LuaToken], at index: Int)
        -> ([(start: Int, end: Int, replacement: String)], [String], [String])?
    {
        let local = tokens[index]
        guard index + 1 < tokens.count else { return nil }
        let next = tokens[index + 1]
        if next.kind == .keyword && next.text == "function" {
            guard index + 2 < tokens.count, tokens[index + 2].kind == .name else { return nil }
            // Remove "local " (up to the start of "function").
            return ([(local.start, next.start, "")], [tokens[index + 2].text], [])
        }
        var names: [String] = []
        var edits: [(start: Int, end: Int, replacement: String)] = [(local.start, next.start, "")]
        var j = index + 1
        var lastEnd = local.end
        while j < tokens.count, tokens[j].kind == .name {
            names.append(tokens[j].text)
            lastEnd = tokens[j].end
            j += 1
            // An attribute: < name >
            if j + 2 < tokens.count, tokens[j].text == "<", tokens[j + 1].kind == .name, tokens[j + 2].text == ">" {
                if tokens[j + 1].text == "close" { return ([], [], names) }
                edits.append((tokens[j].start, tokens[j + 2].end, ""))
                lastEnd = tokens[j + 2].end
                j += 3
            }
            if j < tokens.count, tokens[j].text == "," { j += 1 } else { break }
        }
        guard !names.isEmpty else { return nil }
        if !(j < tokens.count && tokens[j].text == "=") {
            edits.append((lastEnd, lastEnd, " = nil"))
        }
        return (edits, names, [])
    }
}
