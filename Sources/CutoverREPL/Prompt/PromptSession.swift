import LuaRuntime

/// The Lua side of a prompt session: the environment inputs run in (so top-level
/// locals outlive their line) and the printer.
///
/// The environment is a table whose misses fall through to `_G`; assignments to
/// names that were never declared go to `_G`, as a global assignment would.
final class PromptSession {
    let vm: LuaVM
    /// The `_ENV` of every input.
    let environment: LuaReference
    private let declare: LuaReference
    private let inspectAll: LuaReference?
    let color: Bool

    init(vm: LuaVM, color: Bool) throws {
        self.vm = vm
        self.color = color
        let made = try vm.run("""
            local G, declared = _G, {}
            local env = setmetatable({}, {
              __index = function(_, k) if declared[k] then return nil end return G[k] end,
              __newindex = function(t, k, v) if declared[k] then rawset(t, k, v) else G[k] = v end end,
              __name = "prompt environment",
            })
            local function declare(name) declared[name] = true end
            local ok, inspect = pcall(require, "cutover.inspect")
            return env, declare, ok and inspect.inspect_all or nil
            """, chunkName: "=(prompt)")
        guard case .reference(let environment) = made[0], case .reference(let declare) = made[1] else {
            throw LuaError(kind: .runtime, message: "cannot set up the prompt environment")
        }
        self.environment = environment
        self.declare = declare
        if case .reference(let inspectAll) = made[2] { self.inspectAll = inspectAll } else { self.inspectAll = nil }
    }

    func declare(_ names: [String]) throws {
        for name in names { try declare.call(.string(name)) }
    }

    /// Runs a compiled input in the session environment.
    func run(_ function: LuaReference) throws -> [LuaValue] {
        function.setUpvalue(1, to: .reference(environment))
        return try function.call(arguments: [])
    }

    /// Remembers the first result as `_`.
    func setLastResult(_ value: LuaValue) {
        environment.rawSet("_", value)
    }

    /// Renders results as the prompt shows them; never raises.
    func render(_ results: [LuaValue]) -> String {
        if let inspectAll {
            let options: LuaTable = ["color": .boolean(color)]
            if let rendered = try? inspectAll.call(arguments: [.table(options)] + results),
               let text = rendered.first?.stringValue {
                return text
            }
        }
        // Without the stdlib: Lua's own tostring, under protection.
        return results.map { value in
            vm.stack.push(value)
            defer { vm.stack.pop() }
            return vm.stack.toDisplayString(at: -1) ?? value.description
        }.joined(separator: "\t")
    }
}
