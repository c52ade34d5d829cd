import Testing
import LuaRuntime
@testable import CutoverREPL

@Suite struct CompleterTests {
    let vm: LuaVM
    let session: PromptSession
    let completer: Completer

    init() throws {
        vm = try LuaVM()
        session = try PromptSession(vm: vm, color: false)
        completer = Completer(vm: vm, environment: session.environment, commands: PromptCommand.names)
    }

    private func texts(_ word: String, _ before: String = "") -> [String] {
        completer.complete(word, lineBefore: before).map(\.text)
    }

    @Test func globalsKeywordsAndFields() {
        #expect(texts("string.fo") == ["string.format"])
        #expect(texts("pri") == ["print"])
        #expect(texts("whi") == ["while"])
        #expect(texts("math.p").contains("math.pi"))
        #expect(completer.complete("string.fo").first?.suffix == "(")
        #expect(completer.complete("strin").first { $0.text == "string" }?.suffix == ".")
    }

    @Test func methodsThroughIndexTables() throws {
        try vm.run("""
            local methods = { deploy = function() end, status = 'x' }
            Host = setmetatable({ name = 'web' }, { __index = methods })
            text = 'abc'
            """)
        #expect(texts("Host:") == ["Host:deploy"])
        #expect(texts("Host.") == ["Host.deploy", "Host.name", "Host.status"])
        #expect(texts("text:up") == ["text:upper"])
    }

    @Test func neverCallsUserFunctions() throws {
        try vm.run("""
            calls = 0
            Lazy = setmetatable({}, { __index = function(_, k) calls = calls + 1 return function() end end })
            """)
        #expect(texts("Lazy.x") == [])
        #expect(texts("Lazy:") == [])
        #expect(vm[global: "calls"] == 0)
    }

    @Test func topLevelLocalsComplete() throws {
        try session.declare(["deployment"])
        _ = try session.run(vm.load("deployment = { id = 'd-1' }", chunkName: "=t"))
        #expect(texts("deplo") == ["deployment"])
        #expect(texts("deployment.") == ["deployment.id"])
    }

    @Test func promptCommandsAtLineStart() {
        #expect(texts(".sa") == [".save"])
        #expect(texts(".h") == [".help", ".history"])
        #expect(texts(".sa", "x = ") == [])
    }
}
