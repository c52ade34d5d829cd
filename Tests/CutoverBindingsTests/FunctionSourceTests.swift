import Foundation
import Testing
import LuaRuntime
@testable import CutoverBindings
import CutoverREPL

/// Functions written down for `cutover resume` and made again in a fresh VM: cut out of
/// their file, with their upvalues copied, required again, or named as missing.
@Suite struct FunctionSourceTests {
    private func vm() throws -> (Shell, CutoverModule) {
        let shell = try Shell()
        let module = CutoverModule()
        module.install(in: shell.vm)
        try shell.vm.run("cutover = require 'cutover'", chunkName: "=setup")
        return (shell, module)
    }

    private func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fs-\(UUID().uuidString).lua").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aPolicyIsMadeAgainWithItsUpvaluesInAnotherVM() throws {
        let path = try file("""
            local cutover = require "cutover"
            local size, names = 2, { "a", "b" }
            local function half(n) return n // 2 end
            limit = 1   -- a global the function names
            cutover.policy("p", function(r)
              return size + half(10) + #names + limit, cutover ~= nil, (r or {}).x   -- a comment with end
            end)
            local skipped = coroutine.create(function() end)
            cutover.policy("q", function(r) return skipped end)
            """)
        let (first, module) = try vm()
        try first.runFile(path)
        let record = try #require(module.policySources["p"])
        #expect(record.contains("size") && record.contains("half"))
        try FileManager.default.removeItem(atPath: path)   // made again from the record alone

        let (second, other) = try vm()
        let stack = second.vm.stack
        let (fn, missing) = try other.remake(record, on: stack)
        #expect(missing.isEmpty)
        let results = try second.vm.call(.reference(fn), arguments: [.table(["x": 7])])
        #expect(results == [10, true, 7])

        let (_, missingQ) = try other.remake(try #require(module.policySources["q"]), on: stack)
        #expect(missingQ == ["skipped (thread)"])
    }

    @Test func errorsInTheRemadeFunctionPointAtTheOriginalLine() throws {
        let path = try file("""
            local cutover = require "cutover"

            cutover.policy("boom", function(r)
              error("at line four")
            end)
            """)
        let (first, module) = try vm()
        try first.runFile(path)
        let (second, other) = try vm()
        let (fn, _) = try other.remake(try #require(module.policySources["boom"]), on: second.vm.stack)
        do {
            try second.vm.call(.reference(fn))
            Issue.record("no error")
        } catch let error as LuaError {
            #expect(error.message.hasPrefix(path + ":4: at line four"), "\(error.message)")
        }
    }

    @Test func aFunctionTypedAtThePromptIsFoundInTheKeptInputs() throws {
        let (shell, module) = try vm()
        // Without the prompt's inputs, there is nothing to cut it from.
        try shell.vm.run("cutover.policy('lost', function(r) end)", chunkName: "=stdin")
        #expect(module.policySources["lost"] == nil)

        module.chunkTexts = { name in (shell.chunkTexts[name] ?? []).reversed() }
        for input in ["function steps(r)\n  return r * 2\nend", "x = 1", "cutover.policy('typed', steps)"] {
            shell.keep(input, as: "=stdin")
            try shell.vm.run(input, chunkName: "=stdin")
        }
        let record = try #require(module.policySources["typed"])
        let (other, second) = try vm()
        let (fn, _) = try second.remake(record, on: other.vm.stack)
        #expect(try other.vm.call(.reference(fn), arguments: [21]) == [42])
    }
}
