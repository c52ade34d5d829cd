import Testing
@testable import LuaRuntime

private struct DeployFailed: Error, CustomStringConvertible {
    var description: String { "deployment d-1 failed" }
}

@Suite struct ErrorBoundaryTests {
    @Test func luaErrorBecomesSwiftErrorWithTraceback() throws {
        let vm = try LuaVM()
        do {
            try vm.run("local function inner() error('boom') end\ninner()", chunkName: "@deploy.lua")
            Issue.record("no error")
        } catch let error as LuaError {
            #expect(error.kind == .runtime)
            #expect(error.message == "deploy.lua:1: boom")
            #expect(error.traceback.hasPrefix("stack traceback:"))
            #expect(error.traceback.contains("deploy.lua:2"))
        }
    }

    @Test func syntaxErrorsAreSyntaxErrors() throws {
        let vm = try LuaVM()
        #expect { try vm.load("x = = 1", chunkName: "=input") } throws: { error in
            (error as? LuaError)?.kind == .syntax && (error as? LuaError)?.message.hasPrefix("input:1:") == true
        }
        #expect { try vm.load("function f()", chunkName: "=input") } throws: { error in
            (error as? LuaError)?.isIncompleteInput == true
        }
    }

    @Test func nonStringErrorObjectsAreDescribed() throws {
        let vm = try LuaVM()
        #expect { try vm.run("error({ code = 1 })") } throws: { error in
            (error as? LuaError)?.message == "(error object is a table value)"
        }
        #expect { try vm.run("error(setmetatable({}, { __tostring = function() return 'custom' end }))") } throws: { error in
            (error as? LuaError)?.message == "custom"
        }
    }

    @Test func swiftErrorIsCatchableByPcallWithItsMessage() throws {
        let vm = try LuaVM()
        vm.register("deploy") { _ in throw DeployFailed() }
        let results = try vm.run("local ok, err = pcall(deploy) return ok, err", chunkName: "=policy")
        #expect(results == [false, "deployment d-1 failed"])
        // Called from a Lua function, the message carries the caller's position.
        let located = try vm.run("local function go() deploy() end\nlocal ok, err = pcall(go) return err", chunkName: "@p.lua")
        #expect(located == ["p.lua:1: deployment d-1 failed"])
    }

    @Test func argumentErrorsReadLikeLauxlib() throws {
        let vm = try LuaVM()
        vm.register("deploy") { stack in
            _ = try stack.checkTable(2)
            return 0
        }
        let results = try vm.run("return select(2, pcall(deploy, 1, nil))")
        #expect(results == ["bad argument #2 to 'deploy' (table expected, got nil)"])
        let wrong = try vm.run("return select(2, pcall(deploy, 1, 'x'))")
        #expect(wrong == ["bad argument #2 to 'deploy' (table expected, got string)"])
    }

    @Test func raiseKeepsAnyErrorValue() throws {
        let vm = try LuaVM()
        vm.register("fail") { _ in throw LuaRaise(.table(["code": "HEALTH_CONSTRAINTS"])) }
        let results = try vm.run("local ok, e = pcall(fail) return type(e), e.code")
        #expect(results == ["table", "HEALTH_CONSTRAINTS"])
    }

    @Test func errorsPassThroughNestedCalls() throws {
        let vm = try LuaVM()
        // Lua → Swift → Lua → error: the inner Lua error comes back to Swift as a thrown
        // LuaError, and rethrown it reaches the outer Lua pcall with its message.
        vm.register("callback") { stack in
            stack.pushValue(at: 1)
            let results = try stack.call(argumentCount: 0)
            for result in results { stack.push(result) }
            return results.count
        }
        let results = try vm.run("return pcall(callback, function() error('inner', 0) end)")
        #expect(results == [false, "inner"])
        let ok = try vm.run("return callback(function() return 1, 2 end)")
        #expect(ok == [1, 2])
        #expect(try vm.run("return 'still usable'") == ["still usable"])
    }

    @Test func callbacksWorkInsideCoroutines() throws {
        let vm = try LuaVM()
        vm.register("twice") { stack in
            stack.push(Int(try stack.checkInteger(1) * 2))
            return 1
        }
        let results = try vm.run("""
            local co = coroutine.wrap(function(a) local b = coroutine.yield(twice(a)) return twice(b) end)
            return co(2), co(10), select(2, pcall(coroutine.wrap(function() twice('x') end)))
            """)
        #expect(results.prefix(2) == [4, 20])
        #expect(results.last?.stringValue?.contains("bad argument #1 to 'twice' (number expected, got string)") == true)
    }

    @Test func tostringUnderProtection() throws {
        let vm = try LuaVM()
        let results = try vm.run("return setmetatable({}, { __tostring = function() error('nope') end })")
        vm.stack.push(results[0])
        let status = cutoverToString(vm)
        #expect(status == false)
    }
}

private func cutoverToString(_ vm: LuaVM) -> Bool {
    defer { vm.stack.setTop(0) }
    return vm.stack.toDisplayString(at: -1) != nil
}
