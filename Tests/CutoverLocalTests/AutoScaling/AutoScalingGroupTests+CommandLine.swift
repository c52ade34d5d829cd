import Foundation
import Testing
@testable import CutoverLocal

/// `cutover local asg …` against a daemon the binary starts: output and exit statuses
/// (3 when the daemon is not running, 2 for bad usage, 1 when the daemon refuses).
extension AutoScalingGroupTests {
    /// `CUTOVER_BIN` (scripts/test sets it), else the debug build of this checkout.
    static let cutoverBinary: String = {
        if let configured = ProcessInfo.processInfo.environment["CUTOVER_BIN"], !configured.isEmpty {
            return URL(fileURLWithPath: configured).standardizedFileURL.path
        }
        return AutoScalingHarness.examples.replacingOccurrences(of: "/examples", with: "/.build/debug/cutover")
    }()

    /// Runs the binary to its end, off the cooperative pool.
    static func cutover(_ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
        try await AutoScalingHarness.offPool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: cutoverBinary)
            process.arguments = arguments
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            // Read before waiting: a full pipe would block the child.
            let output = out.fileHandleForReading.readDataToEndOfFile()
            let errors = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: cutoverBinary)))
    func theCommandLineCreatesShowsScalesAndDeletesGroups() async throws {
        let state = NSTemporaryDirectory() + "cutover-asg-cli-" + UUID().uuidString
        let dir = ["--state-dir", state]
        defer { try? FileManager.default.removeItem(atPath: state) }

        let notRunning = try await Self.cutover(["local", "asg", "list"] + dir)
        #expect(notRunning.status == 3, "\(notRunning)")
        #expect(notRunning.err.contains("not running"))

        let created = try await Self.cutover(["local", "asg", "create", "web", "--min", "0", "--max", "3", "--desired", "1",
                                              "--tag", "role=web"] + dir)
        do {
            #expect(created.status == 0, "\(created)")
            #expect(created.out.hasPrefix("  web  desired 1 (min 0, max 3)  1 "), "\(created.out)")
            let scaled = try await Self.cutover(["local", "asg", "scale", "web", "--desired", "2"] + dir)
            #expect(scaled.status == 0 && scaled.out.contains("desired 2 (min 0, max 3)"), "\(scaled)")

            var shown = try await Self.cutover(["local", "asg", "show", "web"] + dir)
            let deadline = Date().addingTimeInterval(20)
            while !shown.out.hasPrefix("  web  desired 2 (min 0, max 3)  2 InService"), Date() < deadline {
                try await Task.sleep(for: .milliseconds(100))
                shown = try await Self.cutover(["local", "asg", "show", "web"] + dir)
            }
            #expect(shown.out.hasPrefix("  web  desired 2 (min 0, max 3)  2 InService"), "\(shown.out)")
            #expect(shown.out.contains("    web-1  port ") && shown.out.contains("    web-2  port "), "\(shown.out)")
            let listed = try await Self.cutover(["local", "asg"] + dir)
            #expect(listed.status == 0 && listed.out == "  web  desired 2 (min 0, max 3)  2 InService\n", "\(listed)")
            let json = try await Self.cutover(["local", "asg", "show", "web", "--json"] + dir)
            let decoded = try JSONDecoder().decode(Control.AutoScalingGroup.self, from: Data(json.out.utf8))
            #expect(decoded.instances.map(\.host) == ["web-1", "web-2"])

            let usage = try await Self.cutover(["local", "asg", "scale", "web"] + dir)
            #expect(usage.status == 2 && usage.err.contains("give --desired, --min or --max"), "\(usage)")
            let refused = try await Self.cutover(["local", "asg", "scale", "web", "--desired", "9"] + dir)
            #expect(refused.status == 1 && refused.err.contains("ValidationError: desired capacity 9 is more than the max size 3"), "\(refused)")
            let unknown = try await Self.cutover(["local", "asg", "show", "nope"] + dir)
            #expect(unknown.status == 1 && unknown.err.contains("AutoScalingGroup name not found"), "\(unknown)")

            let deleted = try await Self.cutover(["local", "asg", "delete", "web"] + dir)
            #expect(deleted.status == 0 && deleted.out == "deleted web; terminated web-1, web-2\n", "\(deleted)")
            let hosts = try await Self.cutover(["local", "hosts", "list"] + dir)
            #expect(hosts.out.isEmpty, "\(hosts)")
        } catch {
            _ = try? await Self.cutover(["local", "down"] + dir)
            throw error
        }
        _ = try await Self.cutover(["local", "down"] + dir)
    }
}
