import Foundation
import Testing

/// Where `require` finds modules: the stdlib from a checkout, from an installed layout
/// and from `CUTOVER_STDLIB`, and the user's own through `LUA_PATH`.
@Suite(.timeLimit(.minutes(5)))
struct ModuleSearchTests {
    private static let probe = #"local i = require "cutover.inspect" print(i({ 1, a = true }))"#

    @Test func findsTheStdlibOfTheSourceCheckout() throws {
        let result = try Pipes.run(Sandbox().cutover(["-e", Self.probe]))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "{ 1, a = true }\n", "\(result)")
    }

    /// A copy of the binary in PREFIX/bin finds PREFIX/share/cutover/stdlib, and not
    /// the checkout it was built in.
    @Test func findsTheStdlibOfAnInstalledLayout() throws {
        let sandbox = try Sandbox()
        let prefix = sandbox.home + "/prefix"
        let fm = FileManager.default
        try fm.createDirectory(atPath: prefix + "/bin", withIntermediateDirectories: true)
        try fm.copyItem(atPath: CutoverBinary.path(), toPath: prefix + "/bin/cutover")
        try sandbox.write("return { marker = 'installed' }", to: "prefix/share/cutover/stdlib/cutover/where.lua")
        var invocation = try sandbox.cutover(["-e", #"print(require("cutover.where").marker)"#])
        invocation.executable = prefix + "/bin/cutover"
        let result = try Pipes.run(invocation)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "installed\n", "\(result)")
    }

    @Test func cutoverStdlibOverridesTheSearch() throws {
        let sandbox = try Sandbox()
        try sandbox.write("return { inspect = function() return 'overridden' end }", to: "lib/cutover/inspect.lua")
        var invocation = try sandbox.cutover(["-e", #"print(require("cutover.inspect").inspect(1))"#])
        invocation.environment["CUTOVER_STDLIB"] = sandbox.home + "/lib"
        let result = try Pipes.run(invocation)
        #expect(result.stdout == "overridden\n", "\(result)")
    }

    @Test func userModulesComeFromLuaPath() throws {
        let sandbox = try Sandbox()
        try sandbox.write("return { greet = function(n) return 'hello ' .. n end }", to: "mods/greeter.lua")
        var invocation = try sandbox.cutover(["-l", "greeter", "-e", #"print(greeter.greet("you"))"#])
        invocation.environment["LUA_PATH"] = sandbox.home + "/mods/?.lua;;"
        let result = try Pipes.run(invocation)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "hello you\n", "\(result)")
    }

    @Test func aMissingModuleSaysWhereItLooked() throws {
        let result = try Pipes.run(Sandbox().cutover(["-e", #"require "nowhere""#]))
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("module 'nowhere' not found"), "\(result)")
        #expect(result.stderr.contains("stdlib/nowhere.lua"), "\(result)")
    }
}

/// Every file in examples/ runs and succeeds.
@Suite(.timeLimit(.minutes(5)))
struct ExampleTests {
    @Test func helloRunsWithArguments() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let result = try Pipes.run(Sandbox().cutover([root.path + "/examples/hello.lua", "team"]))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("hello, team\n"), "\(result)")
        #expect(result.stdout.contains(#"args = { "team" }"#), "\(result)")
    }
}
