extension Control.JSONValue {
    public var string: String? { if case .string(let s) = self { s } else { nil } }
    /// A number, integer or not.
    public var number: Double? {
        switch self {
        case .number(let n): n
        case .integer(let i): Double(i)
        default: nil
        }
    }
    public var array: [Control.JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var object: [String: Control.JSONValue]? { if case .object(let o) = self { o } else { nil } }
}
