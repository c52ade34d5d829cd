/// HTML or SVG being written: elements, attributes and text, all escaped.
struct MarkupWriter {
    /// One digit after the point at most, none when whole: coordinates stay short.
    static func number(_ x: Double) -> String {
        let r = (x * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    private(set) var text = ""

    mutating func open(_ name: String, _ attributes: [String: String]) {
        text += "<" + name + Self.attributes(attributes) + ">"
    }

    mutating func close(_ name: String) { text += "</\(name)>" }

    mutating func element(_ name: String, _ attributes: [String: String] = [:], text content: String? = nil) {
        if let content {
            text += "<" + name + Self.attributes(attributes) + ">" + MarkupText.escape(content) + "</\(name)>"
        } else {
            text += "<" + name + Self.attributes(attributes) + "/>"
        }
    }

    mutating func text(_ content: String) { text += MarkupText.escape(content) }

    mutating func raw(_ markup: String) { text += markup }

    mutating func rect(x: Double, y: Double, w: Double, h: Double, cls: String?, rx: Double = 0) {
        text += "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(w))\" height=\"\(Self.number(h))\""
        if rx > 0 { text += " rx=\"\(Self.number(rx))\"" }
        if let cls { text += " class=\"\(cls)\"" }
        text += "/>"
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, cls: String? = nil) {
        text += "<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" y2=\"\(Self.number(y2))\""
        if let cls { text += " class=\"\(cls)\"" }
        text += "/>"
    }

    /// Attributes in a fixed (sorted) order: the same deployment gives the same bytes.
    private static func attributes(_ attributes: [String: String]) -> String {
        attributes.sorted { $0.key < $1.key }.map { " \($0.key)=\"\(MarkupText.escape($0.value))\"" }.joined()
    }
}
