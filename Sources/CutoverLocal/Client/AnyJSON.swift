extension Control {
    /// Any JSON value, for answers read by key (task sets, invocation results) and
    /// passed on to Lua as they are.
    public enum AnyJSON: Codable, Sendable, Equatable {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
        case array([AnyJSON])
        case object([String: AnyJSON])

        public init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let n = try? c.decode(Double.self) { self = .number(n) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else if let a = try? c.decode([AnyJSON].self) { self = .array(a) }
            else { self = .object(try c.decode([String: AnyJSON].self)) }
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .null: try c.encodeNil()
            case .bool(let b): try c.encode(b)
            case .number(let n): try c.encode(n)
            case .string(let s): try c.encode(s)
            case .array(let a): try c.encode(a)
            case .object(let o): try c.encode(o)
            }
        }

        public subscript(key: String) -> AnyJSON? {
            if case .object(let o) = self { return o[key] }
            return nil
        }

        public var string: String? { if case .string(let s) = self { s } else { nil } }
        public var number: Double? { if case .number(let n) = self { n } else { nil } }
        public var array: [AnyJSON]? { if case .array(let a) = self { a } else { nil } }
        public var object: [String: AnyJSON]? { if case .object(let o) = self { o } else { nil } }
    }
}
