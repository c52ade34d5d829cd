import Testing
import LuaRuntime
@testable import CutoverREPL
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// A line editor that types a script of lines.
private final class ScriptedEditor: LineEditor {
    var lines: [LineInput]
    var prompts: [String] = []
    var remembered: [String] = []
    var completer: Completer?
    init(_ lines: [LineInput]) { self.lines = lines }
    func readLine(prompt: String) -> LineInput {
        prompts.append(prompt)
        return lines.isEmpty ? .endOfInput : lines.removeFirst()
    }
    func remember(_ entry: String) { remembered.append(entry) }
}

@Suite struct PromptTests {
    private func run(_ lines: [String], initFile: String? = nil) throws -> (Shell, ScriptedEditor, Int32) {
        let shell = try Shell()
        let editor = ScriptedEditor(lines.map { .line($0) })
        let prompt = try Prompt(shell: shell, editor: editor, options: .init(initFile: initFile))
        return (shell, editor, prompt.run())
    }

    @Test func localsAndResultsCarryOver() throws {
        let (shell, editor, status) = try run(["local x = 5", "y = x * 2", "=y", "z = _ + 1"])
        #expect(status == 0)
        #expect(shell.vm[global: "y"] == 10)
        #expect(shell.vm[global: "z"] == 11)
        #expect(shell.vm[global: "x"] == .nil) // the local did not leak into _G
        #expect(editor.remembered == ["local x = 5", "y = x * 2", "=y", "z = _ + 1"])
    }

    @Test func continuationPromptAndOneHistoryEntry() throws {
        let (shell, editor, _) = try run(["function f()", "  return 42", "end", "r = f()"])
        #expect(editor.prompts.prefix(4) == ["> ", ">> ", ">> ", "> "])
        #expect(editor.remembered.first == "function f()\n  return 42\nend")
        #expect(shell.vm[global: "r"] == 42)
    }

    @Test func errorsDoNotEndThePrompt() throws {
        let (shell, _, status) = try run(["error('bad')", "x = = 1", ".nonsense", "ok = true"])
        #expect(status == 0)
        #expect(shell.vm[global: "ok"] == true)
    }

    @Test func exitWithStatus() throws {
        let (shell, _, status) = try run(["a = 1", ".exit 3", "a = 2"])
        #expect(status == 3)
        #expect(shell.vm[global: "a"] == 1)
    }

    @Test func saveWritesARunnableScript() throws {
        var template = Array("/tmp/cutover-save-XXXXXX".utf8CString)
        let directory = String(cString: mkdtemp(&template)!)
        let path = directory + "/session.lua"
        _ = try run(["local base = 20", "function add(n) return base + n end", "add(1)", "base + 1",
                     "error('not saved')", "result = add(22)", ".save \(path)"])
        let replay = try Shell()
        try replay.runFile(path)
        #expect(replay.vm[global: "result"] == 42)
        // A call is saved as typed; an expression that is not a statement is printed.
        let text = try replay.vm.run("local f = assert(io.open(...)) local s = f:read('a') f:close() return s",
                                     arguments: [.string(path)])
        let lines = text.first?.stringValue?.split(separator: "\n").map(String.init) ?? []
        #expect(lines.contains("add(1)"))
        #expect(lines.contains("print(base + 1)"))
        #expect(!lines.contains("error('not saved')"))
    }

    @Test func initFileRunsFirst() throws {
        var template = Array("/tmp/cutover-init-XXXXXX".utf8CString)
        let directory = String(cString: mkdtemp(&template)!)
        let path = directory + "/init.lua"
        let file = fopen(path, "w")!
        fputs("greeting = 'hi'\n", file)
        fclose(file)
        let (shell, _, _) = try run(["seen = greeting"], initFile: path)
        #expect(shell.vm[global: "seen"] == "hi")
    }

    @Test func interruptedLineIsDropped() throws {
        let shell = try Shell()
        let editor = ScriptedEditor([.line("x = {"), .interrupted, .line("x = 1")])
        let status = try Prompt(shell: shell, editor: editor, options: .init()).run()
        #expect(status == 0)
        #expect(shell.vm[global: "x"] == 1)
    }
}
