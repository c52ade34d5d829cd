import CLua
import CShellSupport

/// A Swift function callable from Lua. It reads its arguments from the stack view
/// (1…`stack.top`), pushes its results, and returns how many it pushed. Throwing
/// raises a Lua error once the Swift frame has returned (see `LuaArgumentError`,
/// `LuaRaise`).
public typealias LuaFunctionBody = (LuaStack) throws -> Int

/// A Swift function as a value that can be pushed into Lua.
public final class LuaFunction {
    let body: LuaFunctionBody
    public init(_ body: @escaping LuaFunctionBody) { self.body = body }
}

/// What a boxed Swift object carries into Lua: the object, and what to do when
/// Lua collects its userdata.
final class LuaObjectBox {
    let object: AnyObject
    let onCollect: ((AnyObject) -> Void)?
    init(_ object: AnyObject, onCollect: ((AnyObject) -> Void)?) {
        self.object = object
        self.onCollect = onCollect
    }
    deinit { onCollect?(object) }
}

// MARK: - The two functions C calls

/// Called by the C trampoline with the running thread's state. Never raises: errors
/// are pushed and reported with a CUTOVER_RAISE* code.
func cutoverDispatch(_ L: OpaquePointer?, _ box: UnsafeMutableRawPointer?) -> Int32 {
    guard let L, let box else { return 0 }
    let function = Unmanaged<LuaFunction>.fromOpaque(box).takeUnretainedValue()
    let stack = LuaStack(L)
    do {
        return Int32(try function.body(stack))
    } catch let error as LuaArgumentError {
        stack.push(error.message)
        cutover_vm_of(L).pointee.argerror_index = Int32(error.index)
        return Int32(CUTOVER_ARGERROR)
    } catch let error as LuaRaise {
        stack.push(error.value)
        return Int32(CUTOVER_RAISE)
    } catch let error as LuaError {
        // A Lua error passing back through Swift keeps its message (and position).
        stack.push(error.message)
        return Int32(CUTOVER_RAISE)
    } catch {
        stack.push(String(describing: error))
        return Int32(CUTOVER_RAISE_WHERE)
    }
}

/// Called from `__gc` (and `lua_close`): drops the retain the box held. Must not
/// touch the Lua API.
func cutoverRelease(_ box: UnsafeMutableRawPointer?) {
    guard let box else { return }
    Unmanaged<AnyObject>.fromOpaque(box).release()
}
