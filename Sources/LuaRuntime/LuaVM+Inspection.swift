import CLua

/// Raw looks into values that never run Lua code: for completion and other tools
/// that must not call user functions (no metamethods, no `__index` functions).
extension LuaVM {
    /// The metatable of any value (strings share one), read raw.
    public func metatable(of value: LuaValue) -> LuaReference? {
        stack.push(value)
        defer { stack.pop() }
        guard lua_getmetatable(state, -1) != 0 else { return nil }
        defer { stack.pop() }
        return stack.reference(at: -1)
    }

    /// The globals table.
    public var globals: LuaReference {
        lua_rawgeti(state, cutover_LUA_REGISTRYINDEX, lua_Integer(cutover_LUA_RIDX_GLOBALS))
        defer { stack.pop() }
        return stack.reference(at: -1)
    }
}

extension LuaReference {
    /// The keys of the referenced table (raw traversal); empty for other values.
    public func rawKeys() -> [LuaValue] {
        guard let vm, typeName == "table" else { return [] }
        let L = vm.state
        push(onto: L)
        defer { vm.stack.pop() }
        var keys: [LuaValue] = []
        lua_pushnil(L)
        // Cannot raise: every key comes from the previous step, and nothing modifies
        // the table while we walk it.
        while lua_next(L, -2) != 0 {
            keys.append(vm.stack.value(at: -2))
            vm.stack.pop()
        }
        return keys
    }

    /// Sets upvalue `n` of the referenced function (for a main chunk, upvalue 1 is
    /// `_ENV`). Returns the upvalue's name, or nil when there is no such upvalue.
    @discardableResult
    public func setUpvalue(_ n: Int, to value: LuaValue) -> String? {
        guard let vm, typeName == "function" else { return nil }
        push(onto: vm.state)
        vm.stack.push(value)
        let name = lua_setupvalue(vm.state, -2, Int32(n))
        if name == nil { vm.stack.pop() }
        vm.stack.pop()
        return name.map { String(cString: $0) }
    }

    /// Sets a field of the referenced table, raw.
    public func rawSet(_ key: LuaValue, _ value: LuaValue) {
        guard let vm, typeName == "table", !key.isNil else { return }
        push(onto: vm.state)
        vm.stack.push(key)
        vm.stack.push(value)
        lua_rawset(vm.state, -3)
        vm.stack.pop()
    }
}
