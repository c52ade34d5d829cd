import CLua
import CShellSupport

/// Owns one Lua 5.4 state: creates it with a counting, cappable allocator, opens the
/// standard libraries, and runs code only under protection.
///
/// Not thread-safe: use a VM from one thread at a time. Nothing that refers to the
/// state outlives it: `LuaReference` holds the VM weakly, and closures registered in
/// the VM must not capture the VM strongly (VM → state → registry → closure → VM would
/// be a cycle ARC cannot see) — use the `LuaStack` they are given.
public final class LuaVM {
    public let state: OpaquePointer
    let context: UnsafeMutablePointer<cutover_vm>
    var isClosing = false
    /// What to do when Lua collects a boxed object, per registered type name.
    var collectHooks: [String: (AnyObject) -> Void] = [:]

    /// Creates a VM with the standard libraries open (unless `libraries` is false).
    public init(memoryLimit: Int? = nil, libraries: Bool = true) throws {
        cutover_set_dispatch(cutoverDispatch, cutoverRelease)
        let context = UnsafeMutablePointer<cutover_vm>.allocate(capacity: 1)
        guard let L = cutover_newstate(context) else {
            context.deallocate()
            throw LuaError(kind: .memory, message: "cannot create a Lua state: not enough memory")
        }
        self.state = L
        self.context = context
        context.pointee.owner = Unmanaged.passUnretained(self).toOpaque()
        if libraries {
            // Cannot raise: the allocator never refuses while Swift code runs.
            luaL_openlibs(L)
            cutover_install_coroutine_tracking(L)
        }
        self.memoryLimit = memoryLimit
    }

    deinit {
        isClosing = true
        lua_close(state)
        context.deallocate()
    }

    /// The VM that owns a state (or one of its threads).
    public static func owner(of L: OpaquePointer) -> LuaVM? {
        guard let owner = cutover_vm_of(L).pointee.owner else { return nil }
        return Unmanaged<LuaVM>.fromOpaque(owner).takeUnretainedValue()
    }

    /// "Lua 5.4.4": the release of the linked library.
    public static var release: String { String(cString: cutover_LUA_RELEASE) }

    /// The main thread's stack.
    public var stack: LuaStack { LuaStack(state) }

    // MARK: - Limits

    /// The most bytes Lua may hold while its code runs; past it an allocation fails
    /// with Lua's "not enough memory" error (catchable by `pcall`). nil: no cap.
    public var memoryLimit: Int? {
        get { context.pointee.cap == 0 ? nil : Int(context.pointee.cap) }
        set { context.pointee.cap = newValue.map { max(1, $0) } ?? 0 }
    }

    /// Bytes Lua holds now.
    public var memoryInUse: Int { Int(context.pointee.used) }

    /// How long one top-level protected call may run before it is stopped with an
    /// "interrupted" error. nil: no limit. Checked every 1000 VM instructions.
    public var timeLimit: Duration? {
        get {
            let ns = context.pointee.time_limit_ns
            return ns == 0 ? nil : .nanoseconds(ns)
        }
        set {
            guard let newValue else { context.pointee.time_limit_ns = 0; return }
            let (seconds, attoseconds) = newValue.components
            context.pointee.time_limit_ns = max(1, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        }
    }

    /// Installs the process's SIGINT handler: Ctrl-C stops running Lua code with an
    /// "interrupted" error instead of killing the process.
    public static func installInterruptHandler() { cutover_install_sigint() }
    public static func removeInterruptHandler() { cutover_restore_sigint() }

    /// Stops the running Lua code as Ctrl-C would (safe from a signal handler's point
    /// of view; callable from another thread).
    public static func interrupt() { cutover_interrupt() }

    /// Whether Ctrl-C arrived while no Lua code ran; clears it.
    public static func takePendingInterrupt() -> Bool { cutover_take_sigint() != 0 }

    /// Runs a full garbage collection.
    public func collectGarbage() { _ = cutover_lua_gc(state, LUA_GCCOLLECT) }

    // MARK: - Globals

    /// A global, read and written raw (a strict `_G` cannot make this raise).
    public subscript(global name: String) -> LuaValue {
        get {
            lua_rawgeti(state, cutover_LUA_REGISTRYINDEX, lua_Integer(cutover_LUA_RIDX_GLOBALS))
            stack.push(name)
            lua_rawget(state, -2)
            defer { stack.pop(2) }
            return stack.value(at: -1)
        }
        set {
            lua_rawgeti(state, cutover_LUA_REGISTRYINDEX, lua_Integer(cutover_LUA_RIDX_GLOBALS))
            stack.push(name)
            stack.push(newValue)
            lua_rawset(state, -3)
            stack.pop()
        }
    }

    /// Makes a Swift function a global Lua function.
    public func register(_ name: String, _ body: @escaping LuaFunctionBody) {
        self[global: name] = .function(LuaFunction(body))
    }

    // MARK: - Loading and running

    /// Compiles a chunk without running it. `chunkName` follows Lua's convention:
    /// "=name" is shown as is, "@file" as a file name.
    public func load(_ code: String, chunkName: String, mode: String = "t") throws -> LuaReference {
        var code = code
        let status = code.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                cutover_load(state, $0.baseAddress, $0.count, chunkName, mode)
            }
        }
        guard status == LUA_OK else {
            let message = stack.string(at: -1) ?? "cannot load chunk"
            stack.pop()
            throw LuaError(kind: status == LUA_ERRMEM ? .memory : .syntax, message: message)
        }
        defer { stack.pop() }
        return stack.reference(at: -1)
    }

    /// Compiles a file ("-" would be stdin in lua.c; here it must be a path). A `#` first
    /// line is skipped, as lua.c does.
    public func loadFile(_ path: String) throws -> LuaReference {
        let status = luaL_loadfilex(state, path, "t")
        guard status == LUA_OK else {
            let message = stack.string(at: -1) ?? "cannot load \(path)"
            stack.pop()
            let kind: LuaError.Kind = status == LUA_ERRMEM ? .memory : .syntax
            throw LuaError(kind: kind, message: message)
        }
        defer { stack.pop() }
        return stack.reference(at: -1)
    }

    /// Compiles and runs a chunk; returns its results.
    @discardableResult
    public func run(_ code: String, chunkName: String = "=(load)", arguments: [LuaValue] = []) throws -> [LuaValue] {
        try call(.reference(load(code, chunkName: chunkName)), arguments: arguments)
    }

    /// Calls a value under protection with a traceback handler; returns its results.
    @discardableResult
    public func call(_ function: LuaValue, arguments: [LuaValue] = []) throws -> [LuaValue] {
        stack.reserve(arguments.count + 2)
        stack.push(function)
        for argument in arguments { stack.push(argument) }
        return try stack.call(argumentCount: arguments.count)
    }

    // MARK: - Search path

    /// Puts `directory/?.lua` and `directory/?/init.lua` in front of `package.path`.
    public func prependToPackagePath(_ directory: String) {
        let package = self[global: "package"]
        guard case .reference(let table) = package, table.typeName == "table" else { return }
        let current = table["path"].stringValue ?? ""
        let prefix = "\(directory)/?.lua;\(directory)/?/init.lua"
        table.push(onto: state)
        stack.push("path")
        stack.push(current.isEmpty ? prefix : "\(prefix);\(current)")
        lua_rawset(state, -3)
        stack.pop()
    }
}
