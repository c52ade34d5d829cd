/// Text made safe for HTML and for the XML of inline SVG: every recorded string (target
/// ids, alarm names, messages) comes from users.
enum MarkupText {
    /// Escapes `& < > " '` and replaces what XML 1.0 cannot hold at all (C0 controls
    /// other than tab, newline and carriage return, lone surrogates cannot occur in a
    /// Swift string, U+FFFE and U+FFFF) with U+FFFD, so the SVG always parses.
    ///
    ///     escape("a<b & \"c\"")  →  a&lt;b &amp; &quot;c&quot;
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case let c where c.value < 0x20 || c.value == 0x7F || c.value == 0xFFFE || c.value == 0xFFFF:
                out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// At most `limit` characters: longer text keeps its start and its end around an
    /// ellipsis (instance names differ at the end: `CodeDeploy_web_d-1-12`).
    ///
    ///     shorten("CodeDeploy_web-prod_d-000000002-1", to: 20)  →  "CodeDeplo…00000002-1"
    static func shorten(_ text: String, to limit: Int) -> String {
        guard text.count > limit, limit >= 3 else { return text }
        let head = (limit - 1) / 2
        let tail = limit - 1 - head
        return String(text.prefix(head)) + "…" + String(text.suffix(tail))
    }
}
