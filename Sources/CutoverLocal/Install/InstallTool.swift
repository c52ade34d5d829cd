import Foundation

/// Runs the short-lived system tools DownloadBundle and Install lean on, as the agent
/// does: `tar`, `unzip` and `setfacl`.
///
/// Foundation's `Process` starts children with most signals blocked (dependencies.md), so
/// it is unfit for hook scripts that must be killed on timeout; these tools finish by
/// themselves and are never signalled, so it is fine here.
enum InstallTool {
    /// What a tool printed and how it ended.
    struct Outcome {
        var status: Int32
        /// stdout and stderr together, trimmed.
        var output: String
    }

    /// The executable named `name` on `PATH` (or in the usual system directories), if any.
    static func locate(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        for directory in directories where !directory.isEmpty {
            let candidate = directory + "/" + name
            if access(candidate, X_OK) == 0, !HostFiles.isDirectory(candidate) { return candidate }
        }
        return nil
    }

    /// Runs `executable` with `arguments` and waits for it. Output goes through one pipe,
    /// read to the end before waiting, so a chatty tool cannot fill a pipe and stall.
    static func run(_ executable: String, _ arguments: [String]) throws(InstallError) -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .fileSystem(operation: "run", path: executable, reason: error.localizedDescription)
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Outcome(status: process.terminationStatus, output: output)
    }

    /// The command line as a user would type it, for messages.
    static func commandLine(_ executable: String, _ arguments: [String]) -> String {
        ([(executable as NSString).lastPathComponent] + arguments).joined(separator: " ")
    }
}
