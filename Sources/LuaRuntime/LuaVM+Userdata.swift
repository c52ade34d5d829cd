import CLua
import CShellSupport

/// Describes how a Swift class looks from Lua: its methods (looked up through
/// `__index`), its metamethods, and what to do when Lua collects a value.
public final class LuaTypeBuilder<Object: AnyObject> {
    public typealias Method = (Object, LuaStack) throws -> Int
    let name: String
    var methods: [(String, Method)] = []
    var metamethods: [(String, Method)] = []
    var collect: ((Object) -> Void)?
    var getter: ((Object, String, LuaStack) throws -> Int)?

    init(name: String) { self.name = name }

    /// Fields read as `value.name`: called for keys that are not methods; pushes the
    /// value and returns 1, or returns 0 for nil.
    public func properties(_ body: @escaping (Object, String, LuaStack) throws -> Int) { getter = body }

    /// A method called as `value:name(…)`; argument 1 of the stack is the value itself.
    public func method(_ name: String, _ body: @escaping Method) { methods.append((name, body)) }
    /// A metamethod such as `__tostring`, `__len`, `__eq`, `__call`.
    public func metamethod(_ name: String, _ body: @escaping Method) { metamethods.append((name, body)) }
    /// Runs after Lua has collected a value (its `__gc`). Must not use the Lua API.
    public func onCollect(_ body: @escaping (Object) -> Void) { collect = body }
}

extension LuaVM {
    /// Registers a Swift class under a type name (shown as `__name` in errors).
    public func registerType<Object: AnyObject>(_ type: Object.Type, name: String,
                                                _ build: (LuaTypeBuilder<Object>) -> Void) {
        let builder = LuaTypeBuilder<Object>(name: name)
        build(builder)
        let L = state
        cutover_new_boxed_metatable(L, name)
        let typeName = name
        func wrap(_ methodName: String, _ body: @escaping LuaTypeBuilder<Object>.Method) -> LuaFunction {
            LuaFunction { stack in
                guard let object = stack.object(at: 1, as: Object.self, typeName: typeName) else {
                    throw LuaArgumentError(1, "\(typeName) expected, got \(stack.typeName(at: 1))")
                }
                return try body(object, stack)
            }
        }
        if !builder.methods.isEmpty || builder.getter != nil {
            lua_createtable(L, 0, Int32(builder.methods.count))
            for (methodName, body) in builder.methods {
                stack.push(methodName)
                stack.push(function: wrap(methodName, body))
                lua_rawset(L, -3)
            }
            if let getter = builder.getter {
                // __index is a function: methods first, then the properties.
                let methods = stack.reference(at: -1)
                stack.pop()
                stack.push(function: LuaFunction { stack in
                    guard let object = stack.object(at: 1, as: Object.self, typeName: typeName) else { return 0 }
                    guard let key = stack.string(at: 2) else { return 0 }
                    let method = methods[.string(key)]
                    if !method.isNil {
                        stack.push(method)
                        return 1
                    }
                    return try getter(object, key, stack)
                })
            }
            stack.push("__index")
            lua_rotate(L, -2, 1)
            lua_rawset(L, -3)
        }
        for (metaName, body) in builder.metamethods where metaName != "__gc" {
            stack.push(metaName)
            stack.push(function: wrap(metaName, body))
            lua_rawset(L, -3)
        }
        stack.pop()
        if let collect = builder.collect {
            collectHooks[name] = { object in if let object = object as? Object { collect(object) } }
        } else {
            collectHooks[name] = nil
        }
    }
}

extension LuaStack {
    /// Pushes a Swift object as a full userdata of a type registered with
    /// `LuaVM.registerType`. Lua keeps the object alive until it collects the value.
    public func push(object: AnyObject, typeName: String) {
        let hook = LuaVM.owner(of: state)?.collectHooks[typeName]
        let box = LuaObjectBox(object, onCollect: hook)
        cutover_push_boxed(state, Unmanaged.passRetained(box).toOpaque(), typeName)
    }

    /// The Swift object inside a userdata of type `typeName` at `index`, or nil.
    public func object<Object: AnyObject>(at index: Int, as type: Object.Type, typeName: String) -> Object? {
        guard let raw = cutover_to_boxed(state, Int32(index), typeName) else { return nil }
        return Unmanaged<LuaObjectBox>.fromOpaque(raw).takeUnretainedValue().object as? Object
    }

    /// Like `object(at:as:typeName:)`, or a lauxlib-style argument error.
    public func checkObject<Object: AnyObject>(_ index: Int, as type: Object.Type, typeName: String) throws -> Object {
        guard let object = object(at: index, as: type, typeName: typeName) else {
            throw LuaArgumentError(index, "\(typeName) expected, got \(self.typeName(at: index))")
        }
        return object
    }
}
