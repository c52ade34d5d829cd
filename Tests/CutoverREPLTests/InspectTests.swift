import Testing
import LuaRuntime
@testable import CutoverREPL

/// The prompt's printer, stdlib/cutover/inspect.lua, run in a real VM.
@Suite struct InspectTests {
    let shell: Shell

    init() throws {
        shell = try Shell()
        try #require(shell.stdlibDirectory != nil, "stdlib/ not found from the test binary")
    }

    private func inspect(_ code: String, _ options: String = "{}") throws -> String {
        let results = try shell.vm.run("local inspect = require 'cutover.inspect' \(code)\nreturn inspect(value, \(options))")
        return results.first?.stringValue ?? "<nothing>"
    }

    @Test func sortedKeysAndInlineArrays() throws {
        #expect(try inspect("local value = { 3, 2, 1, z = 1, a = 'x', [10] = true, [2.5] = 0 }")
            == #"{ 3, 2, 1, [2.5] = 0, [10] = true, a = "x", z = 1 }"#)
    }

    @Test func scalars() throws {
        #expect(try inspect("local value = 'a\\nb\"'") == #""a\nb\"""#)
        #expect(try inspect("local value = 1.0") == "1.0")
        #expect(try inspect("local value = math.maxinteger") == "9223372036854775807")
        #expect(try inspect("local value = {}") == "{}")
        #expect(try inspect("local value = { ['not an id'] = 1, ['end'] = 2 }") == #"{ ["end"] = 2, ["not an id"] = 1 }"#)
    }

    @Test func cyclesAndSharedTablesAreMarked() throws {
        #expect(try inspect("local value = { name = 'loop' } value.self = value")
            == #"<1> { name = "loop", self = <table 1> }"#)
        #expect(try inspect("local shared = { 1 } local value = { a = shared, b = shared }")
            == "{ a = <1> { 1 }, b = <table 1> }")
    }

    @Test func depthAndItemLimits() throws {
        #expect(try inspect("local value = { { { 1 } } }", "{ depth = 2 }") == "{ { {...} } }")
        let limited = try inspect("local value = {} for i = 1, 10 do value[i] = i end", "{ items = 3 }")
        #expect(limited == "{ 1, 2, 3, ... (7 more) }")
    }

    @Test func longTablesBreakLinesAndPackArrays() throws {
        let text = try inspect("local value = {} for i = 1, 30 do value[i] = i end value.name = ('n'):rep(30)")
        let lines = text.split(separator: "\n")
        #expect(lines.first == "{")
        #expect(lines.last == "}")
        #expect(lines.count == 5) // braces, two packed lines of numbers, one field
        #expect(lines.allSatisfy { $0.count <= 76 })
    }

    @Test func tostringAndNameAreRespected() throws {
        #expect(try inspect("local value = setmetatable({}, { __tostring = function() return 'HOST web-1' end })") == "HOST web-1")
        #expect(try inspect("local value = setmetatable({ x = 1 }, { __name = 'cutover.Group' })") == "<cutover.Group> { x = 1 }")
        let failing = try inspect("local value = setmetatable({}, { __tostring = function() error('broken', 0) end })")
        #expect(failing == "<__tostring failed: broken>")
    }

    @Test func colourOnlyWhenAsked() throws {
        #expect(try inspect("local value = { 'a' }", "{ color = true }") == "{ \u{1B}[32m\"a\"\u{1B}[0m }")
        #expect(try !inspect("local value = { 'a' }").contains("\u{1B}"))
    }
}
