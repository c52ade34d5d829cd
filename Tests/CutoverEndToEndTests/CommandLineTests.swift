import Testing

/// `cutover` run as scripts and CI jobs run it: arguments in, output and exit status out,
/// no terminal.
@Suite(.timeLimit(.minutes(5)))
struct CommandLineTests {
    @Test func evaluatesCodeGivenWithDashE() throws {
        let result = try Pipes.run(Sandbox().cutover(["-e", #"print(("ab"):rep(3))"#]))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "ababab\n", "\(result)")
    }

    @Test func reportsARuntimeErrorWithATraceback() throws {
        let result = try Pipes.run(Sandbox().cutover(["-e", #"error("boom")"#]))
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("boom"), "\(result)")
        #expect(result.stderr.contains("stack traceback"), "\(result)")
    }

    @Test func rejectsAnUnknownOptionAsAUsageError() throws {
        let result = try Pipes.run(Sandbox().cutover(["--bogus-flag"]))
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("bogus-flag"), "\(result)")
    }

    @Test func printsUsageForRunHelp() throws {
        let result = try Pipes.run(Sandbox().cutover(["run", "--help"]))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.lowercased().contains("usage"), "\(result)")
    }

    /// `cutover FILE a b` and `cutover run FILE a b` hand the arguments to the script as
    /// lua.c does: in the global `arg` (script name at 0) and as the chunk's `...`.
    @Test(arguments: [[], ["run"]])
    func passesArgumentsToAScript(command: [String]) throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            """
            print(arg[0])
            print(arg[1], arg[2], #arg)
            print(select("#", ...), ...)
            """, to: "args.lua")
        let result = try Pipes.run(sandbox.cutover(command + ["args.lua", "a", "b"]))
        #expect(result.stderr == "", "\(result)")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "args.lua\na\tb\t2\n2\ta\tb\n", "\(result)")
    }

    @Test func runsStandardInputGivenAsDash() throws {
        let result = try Pipes.run(Sandbox().cutover(["-"]), stdin: "print(1+1)\n")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "2\n", "\(result)")
    }

    /// With no arguments and no terminal, standard input is one chunk, not prompt input:
    /// a `goto` to a label two lines further only compiles as part of the whole chunk,
    /// and nothing but the script's own output appears (no prompt, no echoed results).
    @Test func runsPipedStandardInputAsOneChunk() throws {
        let script = """
            goto skip
            print("not skipped")
            ::skip::
            print("done")
            """
        let result = try Pipes.run(Sandbox().cutover(), stdin: script)
        #expect(result.stderr == "", "\(result)")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "done\n", "\(result)")
    }

    @Test func reportsWhereASyntaxErrorIs() throws {
        let sandbox = try Sandbox()
        try sandbox.write("x = 1\nlocal = 2\n", to: "broken.lua")
        let result = try Pipes.run(sandbox.cutover(["broken.lua"]))
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("broken.lua:2:"), "\(result)")
    }
}

/// More of lua.c's conventions and the exit statuses.
@Suite(.timeLimit(.minutes(5)))
struct RunModeTests {
    @Test func runsSeveralChunksInOrderThenTheScript() throws {
        let sandbox = try Sandbox()
        try sandbox.write("print(x + 1)", to: "s.lua")
        let result = try Pipes.run(sandbox.cutover(["-e", "x = 1", "-e", "x = x * 10", "s.lua"]))
        #expect(result.stdout == "11\n", "\(result)")
    }

    @Test func argTableHasTheInterpreterAtNegativeIndices() throws {
        let sandbox = try Sandbox()
        try sandbox.write("print(arg[-1], arg[-2] ~= nil, arg[0], arg[1])", to: "s.lua")
        let result = try Pipes.run(sandbox.cutover(["-e", "", "s.lua", "x"]))
        #expect(result.stdout == "\ttrue\ts.lua\tx\n", "\(result)")
    }

    @Test func interactiveAfterAScriptReadsTheRestOfStandardInput() throws {
        let sandbox = try Sandbox()
        try sandbox.write("base = 40", to: "s.lua")
        let result = try Pipes.run(sandbox.cutover(["-i", "s.lua"]), stdin: "base + 2\n")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("42"), "\(result)")
    }

    @Test func errorObjectsThatAreNotStringsAreDescribed() throws {
        let result = try Pipes.run(Sandbox().cutover(["-e", "error({})"]))
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("(error object is a table value)"), "\(result)")
    }

    @Test func missingScriptIsAnError() throws {
        let result = try Pipes.run(Sandbox().cutover(["nope.lua"]))
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("cannot open nope.lua"), "\(result)")
    }

    @Test func missingValueForDashEIsUsage() throws {
        let result = try Pipes.run(Sandbox().cutover(["-e"]))
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("-e"), "\(result)")
    }

    @Test func everySubcommandHasHelp() throws {
        for command in [["--help"], ["lua", "--help"], ["run", "--help"], ["help", "run"]] {
            let result = try Pipes.run(Sandbox().cutover(command))
            #expect(result.status == 0, "\(command): \(result)")
            #expect(result.stdout.contains("USAGE"), "\(command): \(result)")
        }
    }

    @Test func versionNamesLua() throws {
        let result = try Pipes.run(Sandbox().cutover(["--version"]))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("Lua 5.4"), "\(result)")
    }

    @Test func shebangLineIsSkipped() throws {
        let sandbox = try Sandbox()
        try sandbox.write("#!/usr/bin/env cutover\nprint('ran')\nerror('line three')", to: "s.lua")
        let result = try Pipes.run(sandbox.cutover(["s.lua"]))
        #expect(result.stdout == "ran\n", "\(result)")
        #expect(result.stderr.contains("s.lua:3: line three"), "\(result)")
    }
}
