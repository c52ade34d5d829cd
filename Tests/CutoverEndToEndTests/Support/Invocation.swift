#if canImport(Glibc)
import Glibc
#endif

/// What to run: a program, its arguments, its whole environment and where.
struct Invocation {
    var executable: String
    var arguments: [String]
    var environment: [String: String]
    /// The working directory the program starts in.
    var directory: String
    /// Keeps the sandbox (and so its files) alive for as long as the program may run,
    /// even after the test's last mention of it.
    let sandbox: Sandbox

    /// Calls `body` with `argv` (whose first element is the executable) and `envp` as
    /// NULL-terminated C arrays, valid only during the call.
    func withCArrays<Result>(
        _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>, UnsafePointer<UnsafeMutablePointer<CChar>?>) throws -> Result
    ) rethrows -> Result {
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        return try body(argv, envp)
    }

    /// The command line, for messages.
    var commandLine: String {
        let program = executable.split(separator: "/").last.map(String.init) ?? executable
        return ([program] + arguments).joined(separator: " ")
    }
}
