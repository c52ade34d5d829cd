import CutoverLocal
import LuaRuntime

/// JSON values to and from Lua (invocation events and results, daemon answers).
enum JSONBridge {
    static func lua(_ json: Control.JSONValue) -> LuaValue {
        switch json {
        case .null: return .nil
        case .bool(let b): return .boolean(b)
        case .integer(let i): return .integer(i)
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? .integer(Int64(n)) : .number(n)
        case .string(let s): return .string(s)
        case .array(let a): return .table(LuaTable(array: a.map(lua)))
        case .object(let o): return .table(LuaTable(fields: o.sorted { $0.key < $1.key }.map { (.string($0.key), lua($0.value)) }))
        }
    }

    /// A Lua value as JSON: a table with only the keys 1…n is an array, any other table
    /// an object (keys as strings); functions and userdata are refused.
    static func json(_ value: LuaValue, path: String = "value") throws -> Control.JSONValue {
        switch value {
        case .nil: return .null
        case .boolean(let b): return .bool(b)
        case .integer(let i): return .integer(i)
        case .number(let n): return .number(n)
        case .string(let s): return .string(s)
        case .bytes(let b): return .string(String(decoding: b, as: UTF8.self))
        case .table(let t): return try json(t, path: path)
        case .reference(let r) where r.typeName == "table": return try json(r.snapshot(), path: path)
        default: throw BindingError("\(path): a \(value.typeName) cannot be sent as JSON")
        }
    }

    static func json(_ t: LuaTable, path: String) throws -> Control.JSONValue {
        if t.fields.isEmpty && !t.array.isEmpty {
            return .array(try t.array.enumerated().map { try json($1, path: "\(path)[\($0 + 1)]") })
        }
        var object: [String: Control.JSONValue] = [:]
        for (i, v) in t.array.enumerated() { object[String(i + 1)] = try json(v, path: "\(path)[\(i + 1)]") }
        for (k, v) in t.fields {
            let key = k.stringValue ?? k.intValue.map(String.init) ?? k.description
            object[key] = try json(v, path: "\(path).\(key)")
        }
        return .object(object)
    }
}
