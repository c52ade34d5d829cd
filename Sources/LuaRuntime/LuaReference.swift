import CLua

/// A strong reference from Swift to a value living in the VM (kept in the registry).
///
/// It holds the VM weakly: a reference never keeps a VM alive, and using one after
/// its VM is gone throws. Dropping the last Swift reference releases the registry slot.
public final class LuaReference {
    weak var vm: LuaVM?
    let ref: Int32
    /// The Lua type name at the time the reference was taken.
    public let typeName: String
    /// The address Lua gives the object (`lua_topointer`), for identity comparisons.
    public let identity: UnsafeRawPointer?

    init(vm: LuaVM, ref: Int32, typeName: String, identity: UnsafeRawPointer?) {
        self.vm = vm
        self.ref = ref
        self.typeName = typeName
        self.identity = identity
    }

    deinit {
        if let vm, !vm.isClosing { luaL_unref(vm.state, cutover_LUA_REGISTRYINDEX, ref) }
    }

    /// Pushes the referenced value onto `L` (any thread of the same VM).
    func push(onto L: OpaquePointer) {
        lua_rawgeti(L, cutover_LUA_REGISTRYINDEX, lua_Integer(ref))
    }

    /// Calls the value (a function, or anything with `__call`) under protection.
    @discardableResult
    public func call(_ arguments: LuaValue...) throws -> [LuaValue] {
        try call(arguments: arguments)
    }

    @discardableResult
    public func call(arguments: [LuaValue]) throws -> [LuaValue] {
        guard let vm else { throw LuaError(kind: .runtime, message: "the Lua VM is closed") }
        return try vm.call(.reference(self), arguments: arguments)
    }

    /// A raw read (no metamethods) of a field of the referenced table.
    public subscript(key: LuaValue) -> LuaValue {
        guard let vm, typeName == "table" else { return .nil }
        let stack = vm.stack
        push(onto: vm.state)
        stack.push(key)
        lua_rawget(vm.state, -2)
        defer { stack.pop(2) }
        return stack.value(at: -1)
    }

    public subscript(key: String) -> LuaValue { self[.string(key)] }

    /// Copies the referenced table into a Swift value, following nested tables.
    /// Throws on a cycle (a table that contains itself cannot be a Swift value).
    public func snapshot() throws -> LuaTable {
        guard let vm else { throw LuaError(kind: .runtime, message: "the Lua VM is closed") }
        guard typeName == "table" else { throw LuaError(kind: .runtime, message: "\(typeName) is not a table") }
        push(onto: vm.state)
        defer { vm.stack.pop(1) }
        var visiting = Set<UnsafeRawPointer>()
        return try vm.stack.snapshotTable(at: -1, visiting: &visiting)
    }
}
