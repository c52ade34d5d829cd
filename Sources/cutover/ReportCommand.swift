import ArgumentParser
import CutoverHistory
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `cutover report ID -o FILE.html`: a recorded deployment drawn as one self-contained
/// HTML file (inline CSS and SVG, no scripts, nothing fetched). The file appears whole
/// or not at all: it is written next to its destination and renamed into place.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Draw a recorded deployment as a self-contained HTML file.",
        discussion: """
            Swimlanes per target with their lifecycle events, batches and stages, waits, \
            the traffic weight over time, alarms and stops, on one time axis, then every \
            event in a table. The history is the one cutover show reads ($CUTOVER_STATE_DIR \
            or $XDG_STATE_HOME/cutover).
            """)

    @Argument(help: "The deployment: ID@SESSION as cutover history lists it, or an id (the newest of that id).")
    var id: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The HTML file to write (- for standard output).", valueName: "file"))
    var output: String

    @Option(help: ArgumentHelp("Draw at most this many target lanes (the others are counted).", valueName: "n"))
    var maxLanes: Int = 100

    func validate() throws {
        guard maxLanes >= 1 else { throw ValidationError("--max-lanes must be 1 or more") }
        guard !output.isEmpty else { throw ValidationError("-o needs a file name (or - for standard output)") }
    }

    func run() throws {
        let page = try reportProblem { () throws(HistoryError) -> String in
            let store = try HistoryDatabase(path: History.databasePath)
            let recorded = try store.deployment(id)
            let links = try store.rollbackLinks(of: recorded)
            return DeploymentReport(recorded, rollsBack: links.rollsBack, rolledBackBy: links.rolledBackBy,
                                    maximumLanes: maxLanes).html()
        }
        if output == "-" {
            FileHandle.standardOutput.write(Data(page.utf8))
            return
        }
        try reportProblem { () throws(ReportFileError) in try Self.write(page, to: output) }
    }

    /// Writes `text` to a temporary file in `path`'s directory, then renames it over
    /// `path`: a reader never sees half a report, and a failure leaves nothing behind.
    static func write(_ text: String, to path: String) throws(ReportFileError) {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ReportFileError(path: path, reason: "it is a directory")
        }
        var template = Array(((directory.isEmpty ? "." : directory) + "/.\(name).XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw ReportFileError(path: path, reason: String(cString: strerror(errno))) }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var failure: String?
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count && failure == nil {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno != EINTR { failure = String(cString: strerror(errno)) } else if n > 0 { written += n }
        }
        // mkstemp makes the file private; a report is an ordinary file (0666 less the umask).
        let mask = umask(0)
        umask(mask)
        if failure == nil && fchmod(fd, 0o666 & ~mask) != 0 { failure = String(cString: strerror(errno)) }
        if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        if close(fd) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
        if failure == nil && rename(temporary, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary)
            throw ReportFileError(path: path, reason: failure)
        }
    }
}

/// The report could not be written where asked.
struct ReportFileError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "cannot write the report to \(path): \(reason)" }
}

/// Runs `body`; its error is printed as `cutover: …` and the command exits 1.
private func reportProblem<T, E: Error>(_ body: () throws(E) -> T) throws -> T {
    switch Result(catching: body) {
    case .success(let value): return value
    case .failure(let error):
        FileHandle.standardError.write(Data("cutover: \(error)\n".utf8))
        throw ExitCode(1)
    }
}
