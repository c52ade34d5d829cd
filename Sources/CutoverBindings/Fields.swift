import LuaRuntime

/// Reads the fields of an options table passed as argument `index`, with errors that
/// read like lauxlib's: `bad argument #1 to 'group' (field 'name': string expected, got nil)`.
struct Fields {
    let table: LuaReference
    let index: Int
    /// A prefix for nested tables ("targets.").
    var path = ""

    init(_ stack: LuaStack, _ index: Int) throws {
        self.table = try stack.checkTable(index)
        self.index = index
    }

    init(table: LuaReference, index: Int, path: String) {
        self.table = table
        self.index = index
        self.path = path
    }

    func error(_ key: String, _ message: String) -> LuaArgumentError {
        LuaArgumentError(index, "field '\(path)\(key)': \(message)")
    }

    private func expected(_ key: String, _ what: String, _ value: LuaValue) -> LuaArgumentError {
        error(key, "\(what) expected, got \(value.typeName)")
    }

    func value(_ key: String) -> LuaValue { table[key] }

    func string(_ key: String) throws -> String? {
        let v = table[key]
        if v.isNil { return nil }
        if let s = v.stringValue { return s }
        throw expected(key, "string", v)
    }

    func requiredString(_ key: String) throws -> String {
        guard let s = try string(key) else { throw expected(key, "string", .nil) }
        return s
    }

    func int(_ key: String) throws -> Int? {
        let v = table[key]
        if v.isNil { return nil }
        if let i = v.intValue { return Int(i) }
        if v.doubleValue != nil { throw error(key, "number has no integer representation") }
        throw expected(key, "integer", v)
    }

    func number(_ key: String) throws -> Double? {
        let v = table[key]
        if v.isNil { return nil }
        if let d = v.doubleValue { return d }
        throw expected(key, "number", v)
    }

    func bool(_ key: String) throws -> Bool? {
        let v = table[key]
        if v.isNil { return nil }
        if let b = v.boolValue { return b }
        throw expected(key, "boolean", v)
    }

    func table(_ key: String) throws -> Fields? {
        let v = table[key]
        if v.isNil { return nil }
        guard case .reference(let ref) = v, ref.typeName == "table" else { throw expected(key, "table", v) }
        return Fields(table: ref, index: index, path: path + key + ".")
    }

    /// The array part as strings (a single string counts as a list of one).
    func strings(_ key: String) throws -> [String]? {
        let v = table[key]
        if v.isNil { return nil }
        if let s = v.stringValue { return [s] }
        guard case .reference(let ref) = v, ref.typeName == "table" else { throw expected(key, "list of strings", v) }
        var result: [String] = []
        var i: Int64 = 1
        while true {
            let item = ref[.integer(i)]
            if item.isNil { break }
            guard let s = item.stringValue else { throw error("\(key)[\(i)]", "string expected, got \(item.typeName)") }
            result.append(s)
            i += 1
        }
        return result
    }

    /// String keys and string values of a table (tags).
    func stringMap(_ key: String) throws -> [String: String]? {
        guard let sub = try table(key) else { return nil }
        var result: [String: String] = [:]
        for k in sub.table.rawKeys() {
            guard let name = k.stringValue else { throw error(key, "keys must be strings") }
            let v = sub.table[k]
            guard let s = v.stringValue ?? (v.intValue.map { String($0) }) else {
                throw error("\(key).\(name)", "string expected, got \(v.typeName)")
            }
            result[name] = s
        }
        return result
    }

    /// The field names present, for "unknown field" checks.
    func keys() -> [String] { table.rawKeys().compactMap(\.stringValue) }

    /// Rejects fields not in `known`, with a suggestion for a near miss.
    func rejectUnknown(_ known: [String], function: String) throws {
        for key in keys() where !known.contains(key) {
            let near = known.min { editDistance($0, key) < editDistance($1, key) }
            let hint = near.flatMap { editDistance($0, key) <= 2 ? " (did you mean '\(path)\($0)'?)" : nil } ?? ""
            throw LuaArgumentError(index, "unknown field '\(path)\(key)' for \(function)\(hint)")
        }
    }
}

/// Levenshtein distance, for "did you mean" hints.
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

/// "5m", "30s", "1h30m", "90" or a number: seconds.
func parseDuration(_ value: LuaValue) -> Int? {
    if let i = value.intValue { return Int(i) }
    if let d = value.doubleValue { return Int(d.rounded()) }
    guard let s = value.stringValue?.lowercased(), !s.isEmpty else { return nil }
    if let n = Int(s) { return n }
    var total = 0
    var digits = ""
    for c in s {
        if c.isNumber { digits.append(c); continue }
        guard let n = Int(digits) else { return nil }
        switch c {
        case "s": total += n
        case "m": total += n * 60
        case "h": total += n * 3600
        case "d": total += n * 86400
        default: return nil
        }
        digits = ""
    }
    return digits.isEmpty ? total : nil
}
