/// A Lua value as Swift sees it.
///
/// Scalars are copied. Tables built in Swift (`.table`) become fresh Lua tables when
/// pushed; Lua tables, functions, userdata and threads read from the VM come back as
/// `.reference`, which keeps identity (and cycles) intact. `LuaReference.snapshot()`
/// copies a Lua table into a `LuaTable` when a value copy is wanted.
public enum LuaValue {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    /// A Lua string that is valid UTF-8 (embedded zeros included).
    case string(String)
    /// A Lua string that is not valid UTF-8, byte for byte.
    case bytes([UInt8])
    /// A table built in Swift; pushed as a new Lua table.
    case table(LuaTable)
    /// A Swift function; pushed as a Lua function.
    case function(LuaFunction)
    /// Any value living in the VM (table, function, userdata, thread).
    case reference(LuaReference)
    /// A light userdata.
    case pointer(UnsafeMutableRawPointer?)

    /// The Lua type name ("nil", "number", "table", …).
    public var typeName: String {
        switch self {
        case .nil: "nil"
        case .boolean: "boolean"
        case .integer, .number: "number"
        case .string, .bytes: "string"
        case .table: "table"
        case .function: "function"
        case .reference(let ref): ref.typeName
        case .pointer: "userdata"
        }
    }

    public var isNil: Bool { if case .nil = self { true } else { false } }

    /// The value as a Swift string when it is a Lua string (lossy for non-UTF-8 bytes).
    public var stringValue: String? {
        switch self {
        case .string(let s): s
        case .bytes(let b): String(decoding: b, as: UTF8.self)
        default: nil
        }
    }

    public var intValue: Int64? {
        switch self {
        case .integer(let i): i
        case .number(let d): Int64(exactly: d)
        default: nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .number(let d): d
        default: nil
        }
    }

    public var boolValue: Bool? { if case .boolean(let b) = self { b } else { nil } }

    /// Lua truthiness: everything but nil and false.
    public var isTruthy: Bool {
        switch self {
        case .nil: false
        case .boolean(let b): b
        default: true
        }
    }
}

extension LuaValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral
{
    public init(nilLiteral: ()) { self = .nil }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
}

extension LuaValue: Equatable {
    /// Raw equality, as `rawequal` sees it: scalars by value, references by identity of
    /// the Lua object, Swift tables by contents, Swift functions never equal.
    public static func == (lhs: LuaValue, rhs: LuaValue) -> Bool {
        switch (lhs, rhs) {
        case (.nil, .nil): true
        case (.boolean(let a), .boolean(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.integer(let a), .number(let b)), (.number(let b), .integer(let a)): Double(a) == b && Int64(exactly: b) == a
        case (.string(let a), .string(let b)): a == b
        case (.bytes(let a), .bytes(let b)): a == b
        case (.string(let a), .bytes(let b)), (.bytes(let b), .string(let a)): Array(a.utf8) == b
        case (.table(let a), .table(let b)): a == b
        case (.reference(let a), .reference(let b)): a.identity == b.identity && a.identity != nil
        case (.pointer(let a), .pointer(let b)): a == b
        default: false
        }
    }
}

extension LuaValue: CustomStringConvertible {
    public var description: String {
        switch self {
        case .nil: "nil"
        case .boolean(let b): String(b)
        case .integer(let i): String(i)
        case .number(let d): LuaValue.format(d)
        case .string(let s): s
        case .bytes(let b): String(decoding: b, as: UTF8.self)
        case .table(let t): t.description
        case .function: "function: swift"
        case .reference(let r): r.typeName
        case .pointer(let p): "userdata: \(String(describing: p))"
        }
    }

    /// Formats a float as Lua's "%.14g" does, keeping a ".0" on integral values.
    public static func format(_ d: Double) -> String {
        if d.isNaN { return d.sign == .minus ? "-nan" : "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        var s = String(cString: cFormat14g(d))
        if !s.contains(where: { $0 == "." || $0 == "e" || $0 == "n" || $0 == "i" }) { s += ".0" }
        return s
    }
}

private func cFormat14g(_ d: Double) -> [CChar] {
    var buffer = [CChar](repeating: 0, count: 64)
    _ = withVaList([d]) { vsnprintf(&buffer, 64, "%.14g", $0) }
    return buffer
}

#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Musl)
import Musl
#endif
