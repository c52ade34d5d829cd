import Foundation

/// A fresh private home for one test, deleted when the last user lets go of it.
///
/// `HOME`, `XDG_STATE_HOME` and `XDG_CONFIG_HOME` point into a new temporary directory,
/// so no test reads or writes the user's history or init file, or another test's.
/// Two prompts started from the same sandbox share history, as two sessions of one
/// user would.
final class Sandbox {
    /// The home directory; programs start with it as their working directory.
    let home: String
    /// `$XDG_STATE_HOME`, where the prompt keeps its history.
    let stateHome: String
    /// `$XDG_CONFIG_HOME`, where the prompt looks for `cutover/init.lua`.
    let configHome: String
    private let root: String
    private let color: Bool

    /// Creates the directories. `color` leaves `NO_COLOR` unset, for tests that check
    /// colour; every other test gets plain text.
    init(color: Bool = false) throws {
        let template = FileManager.default.temporaryDirectory
            .appendingPathComponent("cutover-e2e.XXXXXX").path
        var buffer = Array(template.utf8CString)
        guard let created = mkdtemp(&buffer) else {
            throw HarnessError.system(call: "mkdtemp", errno: errno)
        }
        root = String(cString: created)
        home = root + "/home"
        stateHome = home + "/.local/state"
        configHome = home + "/.config"
        for directory in [home, stateHome, configHome] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        self.color = color
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The whole environment programs in this sandbox see: nothing is inherited but
    /// `PATH`, so the developer's own settings cannot change what a test observes.
    var environment: [String: String] {
        var environment = [
            "HOME": home,
            "XDG_STATE_HOME": stateHome,
            "XDG_CONFIG_HOME": configHome,
            "TERM": "xterm",
            "LANG": "C.UTF-8",
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
        ]
        if !color { environment["NO_COLOR"] = "1" }
        return environment
    }

    /// Writes `text` to `path` (relative to the home directory unless absolute),
    /// creating folders, and returns the file's absolute path.
    @discardableResult
    func write(_ text: String, to path: String) throws -> String {
        let url = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: home, isDirectory: true))
            .standardizedFileURL
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// An invocation of the `cutover` binary with `arguments`, in this sandbox.
    func cutover(_ arguments: [String] = []) throws -> Invocation {
        Invocation(
            executable: try CutoverBinary.path(), arguments: arguments,
            environment: environment, directory: home, sandbox: self)
    }
}
