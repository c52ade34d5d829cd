import Testing
@testable import LuaRuntime

/// Interrupts and memory caps. Serialized: the SIGINT flag is process-wide.
@Suite(.serialized) struct LimitsTests {
    @Test func timeLimitStopsRunawayLoopAndVMStaysUsable() throws {
        let vm = try LuaVM()
        vm.timeLimit = .milliseconds(50)
        #expect { try vm.run("while true do end") } throws: { error in
            let e = error as? LuaError
            return e?.kind == .timeLimit && e?.message.contains("interrupted") == true
        }
        #expect(try vm.run("return 1 + 1") == [2])
    }

    @Test func interruptIsStickyThroughPcallLoops() throws {
        let vm = try LuaVM()
        vm.timeLimit = .milliseconds(50)
        // A script that swallows errors still stops.
        #expect { try vm.run("while true do pcall(function() while true do end end) end") } throws: { error in
            (error as? LuaError)?.kind == .timeLimit
        }
        #expect(try vm.run("return 'after'") == ["after"])
    }

    @Test func interruptReachesLoopsInsideCoroutines() throws {
        let vm = try LuaVM()
        vm.register("interruptNow") { _ in LuaVM.interrupt(); return 0 }
        // The interrupt arrives while the coroutine (created before it) runs.
        #expect { try vm.run("""
            local co = coroutine.create(function() interruptNow() while true do end end)
            assert(coroutine.resume(co))
            """) } throws: { error in
            let e = error as? LuaError
            return e?.kind == .interrupted
        }
        #expect { try vm.run("""
            local f = coroutine.wrap(function() interruptNow() while true do end end)
            f()
            """) } throws: { error in (error as? LuaError)?.kind == .interrupted }
        #expect(try vm.run("return coroutine.wrap(function() return 5 end)()") == [5])
        _ = LuaVM.takePendingInterrupt()
    }

    @Test func coroutineWrappersKeepLuaSemantics() throws {
        let vm = try LuaVM()
        let results = try vm.run("""
            local co = coroutine.create(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
            local r1 = { coroutine.resume(co, 1) }
            local r2 = { coroutine.resume(co, 5) }
            local r3 = { coroutine.resume(co) }
            local ok, err = pcall(coroutine.wrap(function() error('in wrap') end))
            return r1[1], r1[2], r2[1], r2[2], r3[1], r3[2], ok, err, coroutine.status(co)
            """, chunkName: "=t")
        #expect(results == [true, 2, true, 10, false, "cannot resume dead coroutine", false, "t:5: in wrap", "dead"])
    }

    @Test func memoryCapGivesNotEnoughMemory() throws {
        let vm = try LuaVM()
        vm.memoryLimit = vm.memoryInUse + 2 * 1024 * 1024
        let results = try vm.run("""
            local ok, err = pcall(function() local t = {} for i = 1, 1e8 do t[i] = i end end)
            return ok, err
            """)
        #expect(results == [false, "not enough memory"])
        // The VM survives and works again once the garbage is gone.
        vm.collectGarbage()
        #expect(try vm.run("return ('x'):rep(10)") == ["xxxxxxxxxx"])
        #expect { try vm.run("local s = ('x'):rep(64 * 1024 * 1024)") } throws: { error in
            (error as? LuaError)?.kind == .memory
        }
        #expect(try vm.run("return 3") == [3])
    }

    @Test func swiftCallbacksCanAllocatePastTheCap() throws {
        // The cap applies to Lua code only: a Swift callback's pushes never fail.
        let vm = try LuaVM()
        vm.memoryLimit = vm.memoryInUse + 256 * 1024
        vm.register("big") { stack in
            stack.push(String(repeating: "y", count: 1024 * 1024))
            return 1
        }
        #expect(try vm.run("return #big()") == [.integer(1024 * 1024)])
    }
}
