import Testing
@testable import LuaRuntime

@Suite struct ValueBridgeTests {
    @Test func scalarsRoundTrip() throws {
        let vm = try LuaVM()
        let identity = try vm.load("return ...", chunkName: "=id")
        let values: [LuaValue] = [.nil, true, false, 0, -7, .integer(Int64.max), .integer(Int64.min),
                                  1.5, -0.25, "", "héllo", .string("a\0b\0"), .bytes([0xff, 0x00, 0xfe])]
        let back = try identity.call(arguments: values)
        #expect(back == values)
        #expect(back.count == values.count)
    }

    @Test func embeddedZerosKeepTheirLength() throws {
        let vm = try LuaVM()
        let results = try vm.run("local s = ... return #s, s:byte(2)", arguments: [.string("a\0b")])
        #expect(results == [3, 0])
    }

    @Test func integersAndFloatsStayApart() throws {
        let vm = try LuaVM()
        let results = try vm.run("return 3, 3.0, 2^53, 7 // 2, 7 / 2")
        guard case .integer(3) = results[0], case .number(3.0) = results[1],
              case .number = results[2], case .integer(3) = results[3], case .number(3.5) = results[4] else {
            Issue.record("unexpected \(results)")
            return
        }
    }

    @Test func swiftTablesBecomeLuaTables() throws {
        let vm = try LuaVM()
        var table: LuaTable = ["name": "web", "hosts": 4]
        table.array = ["a", "b", "c"]
        table["nested"] = .table(["x": 1.5])
        let results = try vm.run("""
            local t = ...
            return #t, t[2], t.name, t.hosts, t.nested.x, math.type(t.hosts)
            """, arguments: [.table(table)])
        #expect(results == [3, "b", "web", 4, 1.5, "integer"])
    }

    @Test func luaTablesComeBackAsReferencesAndSnapshots() throws {
        let vm = try LuaVM()
        let results = try vm.run("return { 10, 20, 30, name = 'x', sub = { true } }")
        guard case .reference(let ref) = results.first else { Issue.record("not a reference"); return }
        #expect(ref.typeName == "table")
        #expect(ref["name"] == "x")
        #expect(ref[.integer(2)] == 20)
        let snapshot = try ref.snapshot()
        #expect(snapshot.array == [10, 20, 30])
        #expect(snapshot["name"] == "x")
        #expect(snapshot["sub"] == .table([true]))
    }

    @Test func cyclicTableSnapshotThrowsButReferenceWorks() throws {
        let vm = try LuaVM()
        let results = try vm.run("local t = {} t.self = t return t")
        guard case .reference(let ref) = results.first else { Issue.record("not a reference"); return }
        #expect(throws: LuaError.self) { try ref.snapshot() }
        // The reference keeps identity: t.self is t.
        #expect(ref["self"] == .reference(ref))
    }

    @Test func globalsReadAndWriteRaw() throws {
        let vm = try LuaVM()
        vm[global: "answer"] = 42
        #expect(try vm.run("return answer + 1") == [43])
        try vm.run("strict = 'yes'; setmetatable(_G, { __index = function(_, k) error('undefined ' .. k) end, __newindex = function() error('read-only') end })")
        #expect(vm[global: "missing"] == .nil) // raw: the strict __index is not run
        vm[global: "late"] = "ok"               // raw: __newindex is not run, nothing aborts
        #expect(try vm.run("return late") == ["ok"])
    }
}
