import Testing
import LuaRuntime
@testable import CutoverREPL

@Suite struct ChunkReaderTests {
    let vm: LuaVM
    let reader: ChunkReader

    init() throws {
        vm = try LuaVM()
        reader = ChunkReader(vm: vm)
    }

    private func kind(_ input: String) -> String {
        switch reader.read(input) {
        case .expression: "expression"
        case .statement: "statement"
        case .incomplete: "incomplete"
        case .invalid: "invalid"
        }
    }

    @Test(arguments: [
        ("1+1", "expression"),
        ("=1, 2", "expression"),
        ("f()", "expression"),
        ("x", "expression"),
        ("x = 1", "statement"),
        ("local y = 2", "statement"),
        ("for i = 1, 3 do end", "statement"),
        ("function f()", "incomplete"),
        ("if x then", "incomplete"),
        ("1 +", "incomplete"),
        ("x =", "incomplete"),
        ("t = {", "incomplete"),
        ("s = [[long", "incomplete"),
        ("return", "statement"),
        ("x = = 1", "invalid"),
        ("1 2", "invalid"),
        ("end", "invalid"),
        ("=", "expression"),
    ])
    func classifies(input: String, expected: String) {
        #expect(kind(input) == expected, "\(input)")
    }

    @Test func multiLineInputCompletes() {
        #expect(kind("function f()\nreturn 42") == "incomplete")
        #expect(kind("function f()\nreturn 42\nend") == "statement")
        #expect(kind("1 +\n2") == "expression")
    }

    @Test func invalidInputNamesTheLine() {
        guard case .invalid(let error) = reader.read("x = 1\ny = = 2") else {
            Issue.record("expected an error")
            return
        }
        #expect(error.message.hasPrefix("stdin:2:"))
    }

    @Test func statementReportsDeclaredLocals() {
        guard case .statement(_, _, let declared, let kept) = reader.read("local a, b <const> = 1, 2") else {
            Issue.record("expected a statement")
            return
        }
        #expect(declared == ["a", "b"])
        #expect(kept.isEmpty)
    }
}

@Suite struct TopLevelLocalsTests {
    @Test(arguments: [
        ("local x = 1", "x = 1", ["x"]),
        ("local x, y = 1, 2", "x, y = 1, 2", ["x", "y"]),
        ("local n", "n = nil", ["n"]),
        ("local a, b", "a, b = nil", ["a", "b"]),
        ("local function f() return 1 end", "function f() return 1 end", ["f"]),
        ("local k <const> = 3", "k  = 3", ["k"]),
        ("local x = 1; local y = x", "x = 1; y = x", ["x", "y"]),
        ("do local inner = 1 end", "do local inner = 1 end", []),
        ("function g() local z = 1 return z end", "function g() local z = 1 return z end", []),
        ("s = 'local q = 1'", "s = 'local q = 1'", []),
        ("-- local c = 1\nlocal d = 2", "-- local c = 1\nd = 2", ["d"]),
        ("if true then local w = 1 end local v = 2", "if true then local w = 1 end v = 2", ["v"]),
        ("local t = { [[local]] }", "t = { [[local]] }", ["t"]),
    ])
    func rewrites(input: String, output: String, declared: [String]) {
        let rewrite = TopLevelLocals(rewriting: input)
        #expect(rewrite.source == output)
        #expect(rewrite.declared == declared)
    }

    @Test func closeVariablesStayLocal() {
        let rewrite = TopLevelLocals(rewriting: "local f <close> = io.tmpfile()")
        #expect(rewrite.source == "local f <close> = io.tmpfile()")
        #expect(rewrite.keptLocal == ["f"])
        #expect(rewrite.declared.isEmpty)
    }

    @Test func linesAreKept() {
        let input = "local a = 1\nlocal b = 2\nlocal c"
        let rewrite = TopLevelLocals(rewriting: input)
        #expect(rewrite.source.split(separator: "\n", omittingEmptySubsequences: false).count == 3)
    }
}
