/// A Lua table as a Swift value: the array part (keys 1…n) and the other fields.
///
/// Built in Swift to push a new table, or copied out of the VM with
/// `LuaReference.snapshot()`.
public struct LuaTable: Equatable {
    public var array: [LuaValue]
    public var fields: [(key: LuaValue, value: LuaValue)]

    public init(array: [LuaValue] = [], fields: [(key: LuaValue, value: LuaValue)] = []) {
        self.array = array
        self.fields = fields
    }

    /// The value under a key, looking in the array part for integer keys.
    public subscript(key: LuaValue) -> LuaValue {
        get {
            if let i = key.intValue, i >= 1, i <= array.count { return array[Int(i) - 1] }
            return fields.first(where: { $0.key == key })?.value ?? .nil
        }
        set {
            if let i = key.intValue, i >= 1, i <= array.count {
                array[Int(i) - 1] = newValue
                return
            }
            if let index = fields.firstIndex(where: { $0.key == key }) {
                fields[index].value = newValue
            } else {
                fields.append((key, newValue))
            }
        }
    }

    public subscript(key: String) -> LuaValue {
        get { self[.string(key)] }
        set { self[.string(key)] = newValue }
    }

    public var count: Int { array.count + fields.count }

    public static func == (lhs: LuaTable, rhs: LuaTable) -> Bool {
        guard lhs.array == rhs.array, lhs.fields.count == rhs.fields.count else { return false }
        return lhs.fields.allSatisfy { field in rhs[field.key] == field.value }
    }
}

extension LuaTable: ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(arrayLiteral elements: LuaValue...) { self.init(array: elements) }
    public init(dictionaryLiteral elements: (String, LuaValue)...) {
        self.init(fields: elements.map { (LuaValue.string($0.0), $0.1) })
    }
}

extension LuaTable: CustomStringConvertible {
    public var description: String {
        let items = array.map(\.description) + fields.map { "\($0.key)=\($0.value)" }
        return "{" + items.joined(separator: ", ") + "}"
    }
}
