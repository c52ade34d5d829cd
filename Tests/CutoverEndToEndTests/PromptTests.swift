import Testing

/// The interactive prompt, driven through a pseudo-terminal as a person would use it.
///
/// Serialized: the steps that race the program (Ctrl-C while a loop runs, typing as the
/// line editor switches modes) are kept from competing with one another for the CPU.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct PromptTests {
    // MARK: - Evaluating

    @Test func printsTheValueOfAnExpression() throws {
        let terminal = try Terminal(Sandbox().cutover())
        try terminal.waitForPrompt()
        try terminal.enter("1+1")
        try terminal.expectLine("2")
        try terminal.waitForPrompt()
    }

    @Test func readsAnIncompleteChunkOverSeveralLines() throws {
        let terminal = try Terminal(Sandbox().cutover())
        try terminal.waitForPrompt()
        try terminal.enter("function f()")
        try terminal.waitForContinuationPrompt()
        try terminal.enter("return 42")
        try terminal.waitForContinuationPrompt()
        try terminal.enter("end")
        try terminal.waitForPrompt()
        try terminal.enter("f()")
        try terminal.expectLine("42")
    }

    @Test func keepsTopLevelLocalsBetweenLines() throws {
        let terminal = try Terminal(Sandbox().cutover())
        try terminal.waitForPrompt()
        try terminal.enter("local x = 5")
        try terminal.waitForPrompt()
        try terminal.enter("x*2")
        try terminal.expectLine("10")
    }

    @Test func completesAFieldNameWithTab() throws {
        let terminal = try Terminal(Sandbox().cutover())
        try terminal.waitForPrompt()
        // Not waiting for the echo: once escape sequences are removed, "string.fo" and
        // whatever libedit writes to complete it read as one word.
        try terminal.send("string.fo")
        try terminal.send("\t")
        try terminal.expect("format")
    }

    @Test func survivesAnError() throws {
        let terminal = try Terminal(Sandbox().cutover())
        try terminal.waitForPrompt()
        try terminal.enter(#"error("bad")"#)
        try terminal.expect("bad")
        try terminal.waitForPrompt()
        try terminal.enter("1+2")
        try terminal.expectLine("3")
    }

    // MARK: - Ctrl-C and Ctrl-D

    @Test func interruptsARunningLoopWithCtrlC() throws {
        let terminal = try Terminal(Sandbox().cutover())
        try terminal.waitForPrompt()
        // The loop announces itself, so the Ctrl-C certainly lands while it runs.
        try terminal.enter(#"print("looping") while true do end"#)
        try terminal.expectLine("looping")
        try terminal.sendControl("c")
        try terminal.expect("interrupted")
        try terminal.waitForPrompt()
        try terminal.enter("1+1")
        try terminal.expectLine("2")
    }

    /// A Ctrl-C pressed once the line is accepted, before evaluation has got going, must
    /// still stop the chunk rather than be lost (the loop would then run forever).
    @Test func interruptsAChunkWhenCtrlCFollowsEnterAtOnce() throws {
        let terminal = try Terminal(Sandbox().cutover())
        try terminal.waitForPrompt()
        try terminal.enter("while true do end")
        // Back in cooked mode: the line editor has handed the line over, so the
        // interrupt belongs to the evaluation, not to the editor.
        try terminal.waitForCookedMode()
        try terminal.sendControl("c")
        try terminal.expect("interrupted")
        try terminal.waitForPrompt()
        try terminal.enter("1+1")
        try terminal.expectLine("2")
    }

    @Test func discardsTheLineBeingTypedOnCtrlC() throws {
        let terminal = try Terminal(Sandbox().cutover())
        try terminal.waitForPrompt()
        try terminal.send("xyz")
        try terminal.expect("xyz")
        try terminal.sendControl("c")
        var afterInterrupt = try terminal.waitForPrompt()
        try terminal.enter("1+1")
        afterInterrupt += try terminal.expectLine("2")
        #expect(!afterInterrupt.contains("xyz"), "the discarded line came back: \(afterInterrupt)")
    }

    @Test func exitsWithStatusZeroOnCtrlDOnAnEmptyLine() throws {
        let terminal = try Terminal(Sandbox().cutover())
        try terminal.waitForPrompt()
        try terminal.sendControl("d")
        #expect(try terminal.waitForExit() == 0)
    }

    // MARK: - Sessions

    @Test func remembersHistoryAcrossSessions() throws {
        let sandbox = try Sandbox()
        let first = try Terminal(sandbox.cutover())
        try first.waitForPrompt()
        try first.enter("1234+1")
        try first.expectLine("1235")
        try first.waitForPrompt()
        try first.sendControl("d")
        #expect(try first.waitForExit() == 0)

        let second = try Terminal(sandbox.cutover())
        try second.waitForPrompt()
        try second.send("\u{1B}[A")  // Up arrow
        try second.expect("1234+1")
        try second.enter("")
        try second.expectLine("1235")
    }

    @Test func exitsWithStatusZeroOnDotExit() throws {
        let terminal = try Terminal(Sandbox().cutover())
        try terminal.waitForPrompt()
        try terminal.enter(".exit")
        #expect(try terminal.waitForExit() == 0)
    }

    @Test func listsPromptCommandsOnDotHelp() throws {
        let terminal = try Terminal(Sandbox().cutover())
        try terminal.waitForPrompt()
        try terminal.enter(".help")
        let help = try terminal.waitForPrompt()
        #expect(help.contains(".load"))
        #expect(help.contains(".save"))
    }

    /// `.save FILE` writes the session as a script that, run on its own, has the same
    /// effects.
    @Test func savesTheSessionAsARunnableScript() throws {
        let sandbox = try Sandbox()
        let terminal = try Terminal(sandbox.cutover())
        try terminal.waitForPrompt()
        try terminal.enter("y = 3")
        try terminal.waitForPrompt()
        try terminal.enter("print(y * 7)")
        try terminal.expectLine("21")
        try terminal.waitForPrompt()
        try terminal.enter(".save session.lua")
        try terminal.waitForPrompt()
        try terminal.enter(".exit")
        #expect(try terminal.waitForExit() == 0)

        let replay = try Pipes.run(sandbox.cutover(["session.lua"]))
        #expect(replay.stderr == "", "\(replay)")
        #expect(replay.status == 0, "\(replay)")
        #expect(replay.stdout == "21\n", "\(replay)")
    }

    @Test func runsTheInitFileBeforeThePrompt() throws {
        let sandbox = try Sandbox()
        try sandbox.write(#"greeting = "hi""#, to: sandbox.configHome + "/cutover/init.lua")
        let terminal = try Terminal(sandbox.cutover())
        try terminal.waitForPrompt()
        try terminal.enter("greeting")
        try terminal.expect("hi")
    }

    // MARK: - More of the prompt

    @Test func interruptsALoopInsideACoroutine() throws {
        let terminal = try Terminal(Sandbox().cutover())
        try terminal.waitForPrompt()
        try terminal.enter(#"co = coroutine.wrap(function() print("spinning") while true do end end)"#)
        try terminal.waitForPrompt()
        try terminal.enter("co()")
        try terminal.expectLine("spinning")
        try terminal.sendControl("c")
        try terminal.expect("interrupted")
        try terminal.waitForPrompt()
        try terminal.enter("40+2")
        try terminal.expectLine("42")
    }

    @Test func interruptsALoopThatCatchesErrors() throws {
        let terminal = try Terminal(Sandbox().cutover())
        try terminal.waitForPrompt()
        try terminal.enter(#"print("catching") while true do pcall(function() while true do end end) end"#)
        try terminal.expectLine("catching")
        try terminal.sendControl("c")
        try terminal.expect("interrupted")
        try terminal.waitForPrompt()
    }

    @Test func completesMethodsAfterAColon() throws {
        let terminal = try Terminal(Sandbox().cutover())
        try terminal.waitForPrompt()
        try terminal.enter("s = 'abc'")
        try terminal.waitForPrompt()
        try terminal.send("s:upp")
        try terminal.send("\t")
        try terminal.expect("er(")
        try terminal.send(")\r")
        try terminal.expectLine(#""ABC""#)
    }

    @Test func printsSeveralResultsAndKeepsTheLastAsUnderscore() throws {
        let terminal = try Terminal(Sandbox().cutover())
        try terminal.waitForPrompt()
        try terminal.enter("1, 'two', { 3 }")
        try terminal.expectLine("1\t\"two\"\t{ 3 }")
        try terminal.waitForPrompt()
        try terminal.enter("_ + 1")
        try terminal.expectLine("2")
    }

    @Test func coloursOnATerminalUnlessNoColor() throws {
        // Matching ignores terminal controls; the raw transcript keeps them.
        let coloured = try Terminal(Sandbox(color: true).cutover())
        try coloured.waitForPrompt()
        try coloured.enter("'x'")
        try coloured.waitForPrompt()
        #expect(coloured.transcript.contains("\u{1B}[32m\"x\"\u{1B}[0m"), "\(coloured.transcript.debugDescription)")
        let plain = try Terminal(Sandbox().cutover())
        try plain.waitForPrompt()
        try plain.enter("'x'")
        try plain.expectLine(#""x""#)
        try plain.waitForPrompt()
        #expect(!plain.transcript.contains("\u{1B}[32m"), "\(plain.transcript.debugDescription)")
    }

    @Test func loadsAFileAndListsHistory() throws {
        let sandbox = try Sandbox()
        try sandbox.write("loaded = 'yes'", to: "extra.lua")
        let terminal = try Terminal(sandbox.cutover())
        try terminal.waitForPrompt()
        try terminal.enter(".load extra.lua")
        try terminal.waitForPrompt()
        try terminal.enter("loaded")
        try terminal.expectLine(#""yes""#)
        try terminal.waitForPrompt()
        try terminal.enter(".history")
        try terminal.expect(".load extra.lua")
        try terminal.waitForPrompt()
        try terminal.enter(".load missing.lua")
        try terminal.expect("cannot open missing.lua")
        try terminal.waitForPrompt()
    }

    @Test func multiLineInputIsOneHistoryEntry() throws {
        let sandbox = try Sandbox()
        let first = try Terminal(sandbox.cutover())
        try first.waitForPrompt()
        try first.enter("function twice(n)")
        try first.waitForContinuationPrompt()
        try first.enter("return 2 * n end")
        try first.waitForPrompt()
        try first.sendControl("d")
        #expect(try first.waitForExit() == 0)

        let second = try Terminal(sandbox.cutover())
        try second.waitForPrompt()
        try second.send("\u{1B}[A\r")   // Up: the whole function comes back
        try second.waitForPrompt()
        try second.enter("twice(21)")
        try second.expectLine("42")
    }
}
