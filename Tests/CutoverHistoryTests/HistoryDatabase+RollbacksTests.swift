import CutoverCore
import Foundation
import Testing
@testable import CutoverHistory

/// A deployment's rollback links: found in its own session, never in another run whose
/// simulator reused the same ids.
@Suite struct RollbackLinksTests {
    @Test func aRollbackAndItsOriginalFindEachOther() throws {
        let store = try HistoryDatabase(path: NSTemporaryDirectory() + "cutover-links-" + UUID().uuidString + "/history.sqlite")
        func spec(_ id: String, rollbackOf: String? = nil) -> DeploymentSpec {
            DeploymentSpec(id: id, application: "shop", group: "web", revision: rollbackOf == nil ? "v2" : "v1",
                           configuration: Recordings.oneAtATime, targets: [TargetDescription(id: "web-1")],
                           creator: rollbackOf == nil ? .user : .codeDeployRollback, rollbackOf: rollbackOf)
        }
        // Two runs of the same script: the simulator's ids repeat.
        for _ in 0..<2 {
            let session = try store.startSession(kind: "run", provider: "sim", command: "cutover run x.lua")
            try store.recordDeployment(spec("d-000000001"), session: session, provider: "sim")
            try store.recordDeployment(spec("d-000000002", rollbackOf: "d-000000001"), session: session, provider: "sim")
        }
        let failed = try store.deployment("d-000000001@1")
        let links = try store.rollbackLinks(of: failed)
        #expect(links.rollsBack == nil)
        #expect(links.rolledBackBy?.key == "d-000000002@1")
        let rollback = try store.deployment("d-000000002@2")
        let back = try store.rollbackLinks(of: rollback)
        #expect(back.rollsBack?.key == "d-000000001@2")
        #expect(back.rolledBackBy == nil)
    }
}
