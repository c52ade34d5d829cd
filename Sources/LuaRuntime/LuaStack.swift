import CLua
import CShellSupport

/// A non-owning view of one thread's stack: what a Swift function called from Lua
/// receives (the running thread, possibly a coroutine). Only API functions that
/// cannot raise are used here.
nonisolated(unsafe) private let emptyCString: UnsafePointer<CChar> = {
    let p = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
    p.pointee = 0
    return UnsafePointer(p)
}()

public struct LuaStack {
    public let state: OpaquePointer

    public init(_ state: OpaquePointer) { self.state = state }

    var vm: cutover_vm { cutover_vm_of(state).pointee }

    /// The number of values on the stack (for a Swift function: its argument count).
    public var top: Int { Int(lua_gettop(state)) }

    public func pop(_ n: Int = 1) { lua_settop(state, Int32(-n - 1)) }
    public func setTop(_ n: Int) { lua_settop(state, Int32(n)) }

    /// Makes room for `n` more values; false if the stack cannot grow.
    @discardableResult
    public func reserve(_ n: Int) -> Bool { lua_checkstack(state, Int32(n)) != 0 }

    // MARK: - Types

    public func type(at index: Int) -> Int32 { lua_type(state, Int32(index)) }

    /// The type name as error messages give it: `__name` for userdata that has one.
    public func typeName(at index: Int) -> String {
        let t = lua_type(state, Int32(index))
        if t == LUA_TUSERDATA || t == LUA_TTABLE {
            let fieldType = luaL_getmetafield(state, Int32(index), "__name")
            if fieldType != LUA_TNIL {
                defer { pop() }
                if fieldType == LUA_TSTRING { return string(at: -1) ?? "userdata" }
            }
        }
        if t == LUA_TLIGHTUSERDATA { return "light userdata" }
        if t == LUA_TNONE { return "no value" }
        return String(cString: lua_typename(state, t))
    }

    // MARK: - Pushing

    public func push(_ value: LuaValue) {
        reserve(2)
        switch value {
        case .nil: lua_pushnil(state)
        case .boolean(let b): lua_pushboolean(state, b ? 1 : 0)
        case .integer(let i): lua_pushinteger(state, lua_Integer(i))
        case .number(let d): lua_pushnumber(state, d)
        case .string(let s): push(s)
        case .bytes(let b): push(bytes: b)
        case .table(let t): push(table: t)
        case .function(let f): push(function: f)
        case .reference(let r):
            if r.vm != nil { r.push(onto: state) } else { lua_pushnil(state) }
        case .pointer(let p): lua_pushlightuserdata(state, p)
        }
    }

    public func push(_ string: String) {
        var s = string
        s.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                _ = lua_pushlstring(state, chars.baseAddress ?? emptyCString, chars.count)
            }
        }
    }

    public func push(bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                _ = lua_pushlstring(state, chars.baseAddress ?? emptyCString, chars.count)
            }
        }
    }

    public func push(_ b: Bool) { lua_pushboolean(state, b ? 1 : 0) }
    public func push(_ i: Int) { lua_pushinteger(state, lua_Integer(i)) }
    public func push(_ d: Double) { lua_pushnumber(state, d) }
    public func pushNil() { lua_pushnil(state) }

    public func push(table: LuaTable) {
        reserve(3)
        lua_createtable(state, Int32(table.array.count), Int32(table.fields.count))
        for (i, v) in table.array.enumerated() {
            push(v)
            lua_rawseti(state, -2, lua_Integer(i + 1))
        }
        for (k, v) in table.fields where !k.isNil {
            push(k)
            push(v)
            lua_rawset(state, -3)
        }
    }

    public func push(function: LuaFunction) {
        cutover_push_swift_function(state, Unmanaged.passRetained(function).toOpaque())
    }

    public func push(_ body: @escaping LuaFunctionBody) {
        push(function: LuaFunction(body))
    }

    public func pushValue(at index: Int) { lua_pushvalue(state, Int32(index)) }

    // MARK: - Reading

    /// The value at `index`; tables, functions, userdata and threads as references.
    public func value(at index: Int) -> LuaValue {
        let i = Int32(index)
        switch lua_type(state, i) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(state, i) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(state, i) != 0 { return .integer(Int64(lua_tointegerx(state, i, nil))) }
            return .number(lua_tonumberx(state, i, nil))
        case LUA_TSTRING:
            let bytes = stringBytes(at: index) ?? []
            if let s = String(validating: bytes, as: UTF8.self) { return .string(s) }
            return .bytes(bytes)
        case LUA_TLIGHTUSERDATA: return .pointer(lua_touserdata(state, i))
        default: return .reference(reference(at: index))
        }
    }

    /// The bytes of a string (not a number converted to one) at `index`.
    public func stringBytes(at index: Int) -> [UInt8]? {
        guard lua_type(state, Int32(index)) == LUA_TSTRING else { return nil }
        var length = 0
        guard let p = lua_tolstring(state, Int32(index), &length) else { return nil }
        return p.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    /// The string at `index` (a Lua string only; numbers are not converted).
    public func string(at index: Int) -> String? {
        stringBytes(at: index).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A registry reference to the value at `index`.
    public func reference(at index: Int) -> LuaReference {
        let t = lua_type(state, Int32(index))
        let identity = lua_topointer(state, Int32(index))
        lua_pushvalue(state, Int32(index))
        let ref = luaL_ref(state, cutover_LUA_REGISTRYINDEX)
        let vm = LuaVM.owner(of: state)!
        return LuaReference(vm: vm, ref: ref, typeName: String(cString: lua_typename(state, t)), identity: identity)
    }

    /// Copies the table at `index` into Swift, raw (no metamethods).
    func snapshotTable(at index: Int, visiting: inout Set<UnsafeRawPointer>) throws -> LuaTable {
        let absolute = lua_absindex(state, Int32(index))
        guard let identity = lua_topointer(state, absolute) else { return LuaTable(array: []) }
        guard visiting.insert(identity).inserted else {
            throw LuaError(kind: .runtime, message: "cannot copy a table that contains itself")
        }
        defer { visiting.remove(identity) }
        var table = LuaTable(array: [])
        let length = lua_rawlen(state, absolute)
        reserve(4)
        for i in 0..<Int(length) {
            lua_rawgeti(state, absolute, lua_Integer(i + 1))
            defer { pop() }
            if lua_type(state, -1) == LUA_TNIL { break }
            table.array.append(try snapshotValue(at: -1, visiting: &visiting))
        }
        // lua_next cannot raise here: the key always comes from the previous step and
        // the table is not modified during the traversal (no Lua code runs).
        lua_pushnil(state)
        while lua_next(state, absolute) != 0 {
            defer { pop() }
            if let k = lua_isinteger(state, -2) != 0 ? Int(lua_tointegerx(state, -2, nil)) : nil,
               k >= 1, k <= table.array.count { continue }
            let key = try snapshotValue(at: -2, visiting: &visiting)
            table.fields.append((key, try snapshotValue(at: -1, visiting: &visiting)))
        }
        return table
    }

    private func snapshotValue(at index: Int, visiting: inout Set<UnsafeRawPointer>) throws -> LuaValue {
        if lua_type(state, Int32(index)) == LUA_TTABLE {
            return .table(try snapshotTable(at: index, visiting: &visiting))
        }
        return value(at: index)
    }

    // MARK: - Arguments, as lauxlib checks them

    private func expected(_ index: Int, _ what: String) -> LuaArgumentError {
        LuaArgumentError(index, "\(what) expected, got \(typeName(at: index))")
    }

    public func checkString(_ index: Int) throws -> String {
        let t = lua_type(state, Int32(index))
        if t == LUA_TSTRING { return string(at: index)! }
        if t == LUA_TNUMBER { return value(at: index).description }
        throw expected(index, "string")
    }

    public func optString(_ index: Int) throws -> String? {
        lua_type(state, Int32(index)) <= LUA_TNIL ? nil : try checkString(index)
    }

    public func checkInteger(_ index: Int) throws -> Int64 {
        var isnum: Int32 = 0
        let i = lua_tointegerx(state, Int32(index), &isnum)
        if isnum != 0 { return Int64(i) }
        if lua_type(state, Int32(index)) == LUA_TNUMBER {
            throw LuaArgumentError(index, "number has no integer representation")
        }
        throw expected(index, "number")
    }

    public func checkNumber(_ index: Int) throws -> Double {
        var isnum: Int32 = 0
        let d = lua_tonumberx(state, Int32(index), &isnum)
        if isnum != 0 { return d }
        throw expected(index, "number")
    }

    public func checkTable(_ index: Int) throws -> LuaReference {
        guard lua_type(state, Int32(index)) == LUA_TTABLE else { throw expected(index, "table") }
        return reference(at: index)
    }

    /// Fails unless there is an argument at `index` (nil counts).
    public func checkAny(_ index: Int) throws {
        if lua_type(state, Int32(index)) == LUA_TNONE { throw LuaArgumentError(index, "value expected") }
    }

    /// `tostring(value)` as Lua computes it (`__tostring`, `__name`), run under
    /// protection; nil when a `__tostring` fails or returns a non-string.
    public func toDisplayString(at index: Int) -> String? {
        let status = cutover_tolstring(state, Int32(index))
        defer { pop() }
        return status == LUA_OK ? string(at: -1) : nil
    }

    // MARK: - Calling back into Lua

    /// Calls the function below `argumentCount` arguments on the top of the stack,
    /// protected; returns its results (popped).
    public func call(argumentCount: Int) throws -> [LuaValue] {
        let base = top - argumentCount - 1
        let status = cutover_pcall(state, Int32(argumentCount), cutover_LUA_MULTRET)
        if status != LUA_OK {
            let text = string(at: -1) ?? "(error object is not a string)"
            pop()
            throw LuaError(kind: LuaStack.kind(status: status, vm: cutover_vm_of(state).pointee), handled: text)
        }
        var results: [LuaValue] = []
        results.reserveCapacity(top - base)
        for i in stride(from: base + 1, through: top, by: 1) { results.append(value(at: i)) }
        setTop(base)
        return results
    }

    static func kind(status: Int32, vm: cutover_vm) -> LuaError.Kind {
        // Nested calls see the interrupt still pending; the outermost one, what it was.
        let interrupt = Int(vm.depth > 0 ? vm.interrupt : vm.last_interrupt)
        if interrupt == Int(CUTOVER_INTERRUPT_SIGNAL) { return .interrupted }
        if interrupt == Int(CUTOVER_INTERRUPT_DEADLINE) { return .timeLimit }
        switch status {
        case LUA_ERRSYNTAX: return .syntax
        case LUA_ERRMEM: return .memory
        case LUA_ERRERR: return .errorHandler
        default: return .runtime
        }
    }
}
