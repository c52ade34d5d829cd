import Foundation
import Testing

/// Server blue/green through the built binary (issue 6; the simulator for now).
@Suite
struct BlueGreenTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    @Test func simulatorExampleWaitsReroutesAndRollsBack() throws {
        let result = try Pipes.run(Sandbox().cutover([Self.root + "/examples/sim/blue-green.lua"]))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("d-000000001 is Ready: replacements installed"), "\(result)")
        #expect(result.stdout.contains("Succeeded: traffic moved to 4 replacement instance(s); the 4 original(s) were terminated"), "\(result)")
        #expect(result.stdout.contains("termination wait 1:37 → 11:37"), "\(result)")
        #expect(result.stdout.contains("d-000000002 Failed (HEALTH_CONSTRAINTS); rollback d-000000003 Succeeded"), "\(result)")
        // After the rollback the v1 replacements of the first deployment serve, and only they.
        let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("instances now: ") } ?? ""
        #expect(line.split(separator: " ").dropFirst(2).count == 4, "\(result)")
        #expect(!line.contains("shop-v2") && !line.contains("web-1"), "\(result)")
    }
}
