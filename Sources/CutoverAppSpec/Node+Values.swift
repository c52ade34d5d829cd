import Yams

/// Reading plain values out of composed YAML nodes without losing where they came from.
extension Node {
    /// The node's resolved tag (`Tag.name` is not public).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }

    /// A scalar that YAML reads as null: an empty value, `~` or `null`, unquoted.
    var isNull: Bool {
        guard case .scalar(let scalar) = self, scalar.style == .plain || scalar.style == .any else { return false }
        return tagName == .null
    }

    /// The text of a non-null scalar, exactly as written (after YAML unquoting).
    var text: String? {
        guard case .scalar(let scalar) = self, !isNull else { return nil }
        return scalar.string
    }

    /// Whether the scalar was written without quotes, so that YAML gives it a type
    /// (number, boolean, null) rather than leaving it a string.
    var isPlainScalar: Bool {
        guard case .scalar(let scalar) = self else { return false }
        return scalar.style == .plain || scalar.style == .any
    }

    /// What kind of value this is, for messages: "a list", "a mapping", "a string"…
    var kindDescription: String {
        switch self {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar:
            if isNull { return "empty" }
            switch tagName {
            case .int: return "a number"
            case .float: return "a number"
            case .bool: return "a boolean"
            default: return "a string"
            }
        }
    }
}
