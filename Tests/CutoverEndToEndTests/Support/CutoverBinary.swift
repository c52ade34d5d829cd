import Foundation

/// Finds the `cutover` executable the end-to-end tests run.
enum CutoverBinary {
    /// `CUTOVER_BIN` when set (made absolute), else the debug build in the package's
    /// default build directory, found from this file's location so that the tests do
    /// not depend on the directory `swift test` runs them from.
    static func path() throws -> String {
        let path: String
        if let configured = ProcessInfo.processInfo.environment["CUTOVER_BIN"], !configured.isEmpty {
            path = URL(fileURLWithPath: configured).standardizedFileURL.path
        } else {
            let packageRoot = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent()  // Support
                .deletingLastPathComponent()  // CutoverEndToEndTests
                .deletingLastPathComponent()  // Tests
                .deletingLastPathComponent()
            path = packageRoot.appendingPathComponent(".build/debug/cutover").path
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw HarnessError.binaryMissing(path: path)
        }
        return path
    }
}
