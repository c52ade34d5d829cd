import Testing
@testable import LuaRuntime

private final class Host {
    let name: String
    var deployed = 0
    init(name: String) { self.name = name }
}

private final class Counter: @unchecked Sendable {
    var value = 0
}

@Suite struct UserdataTests {
    private func register(_ vm: LuaVM, collected: Counter) {
        vm.registerType(Host.self, name: "cutover.Host") { t in
            t.method("deploy") { host, stack in
                host.deployed += Int(try stack.checkInteger(2))
                stack.push(host.deployed)
                return 1
            }
            t.method("name") { host, stack in stack.push(host.name); return 1 }
            t.metamethod("__tostring") { host, stack in stack.push("host<\(host.name)>"); return 1 }
            t.onCollect { _ in collected.value += 1 }
        }
        vm.register("host") { stack in
            stack.push(object: Host(name: try stack.checkString(1)), typeName: "cutover.Host")
            return 1
        }
    }

    @Test func methodsMetamethodsAndName() throws {
        let vm = try LuaVM()
        let collected = Counter()
        register(vm, collected: collected)
        let results = try vm.run("""
            local h = host('web-1')
            h:deploy(2)
            return h:deploy(3), h:name(), tostring(h), select(2, pcall(function() return h.deploy('x', 1) end))
            """)
        #expect(results == [5, "web-1", "host<web-1>",
                            "(load):3: bad argument #1 to 'deploy' (cutover.Host expected, got string)"])
    }

    @Test func objectsAreReleasedWhenLuaCollectsThem() throws {
        let collected = Counter()
        weak var escaped: Host?
        do {
            let vm = try LuaVM()
            register(vm, collected: collected)
            let results = try vm.run("local h = host('a') h = nil collectgarbage() collectgarbage() return host('b')")
            guard case .reference(let ref) = results.first else { Issue.record("no userdata"); return }
            #expect(collected.value == 1)
            vm.stack.push(.reference(ref))
            escaped = vm.stack.object(at: -1, as: Host.self, typeName: "cutover.Host")
            vm.stack.pop()
            #expect(escaped?.name == "b")
        }
        // Closing the VM collects the rest.
        #expect(collected.value == 2)
        #expect(escaped == nil)
    }

    @Test func hundredThousandCallsNeitherCrashNorGrow() throws {
        let vm = try LuaVM()
        let collected = Counter()
        register(vm, collected: collected)
        var calls = 0
        vm.register("tick") { stack in
            calls += 1
            stack.push(Int(try stack.checkInteger(1)) + 1)
            return 1
        }
        let loop = "local n = 0 for i = 1, 100000 do n = tick(n) local h = host('t') h:deploy(1) end collectgarbage() return n"
        #expect(try vm.run(loop) == [100000])
        let after = vm.memoryInUse
        #expect(try vm.run(loop) == [100000])
        vm.collectGarbage()
        #expect(calls == 200_000)
        #expect(collected.value >= 199_000)
        // A second identical round leaves memory where the first did (within 64 KiB).
        #expect(vm.memoryInUse < after + 64 * 1024)
    }

    @Test func swiftFunctionsAreReleasedWithTheirClosures() throws {
        final class Token {}
        weak var token: Token?
        do {
            let vm = try LuaVM()
            func registerWithToken() {
                let t = Token()
                token = t
                vm.register("f") { _ in _ = t; return 0 }
            }
            registerWithToken()
            #expect(token != nil)
            try vm.run("f = nil collectgarbage() collectgarbage()")
            #expect(token == nil)
        }
    }
}
