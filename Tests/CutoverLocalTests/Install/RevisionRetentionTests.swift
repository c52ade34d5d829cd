import CutoverLocal
import Foundation
import Testing

/// Keeping the last five deployment directories per group (reference §15.5).
@Suite
struct RevisionRetentionTests {
    /// d-1…d-n, one minute apart, oldest first.
    static func revisions(_ count: Int) -> [RevisionRetention.Revision] {
        (1...count).map { RevisionRetention.Revision(deploymentID: "d-\($0)", modified: Date(timeIntervalSince1970: Double($0) * 60)) }
    }

    @Test(arguments: [
        // (existing, current, last successful, removed)
        (4, "d-9", nil, []),
        (5, "d-9", nil, ["d-1"]),
        (6, "d-7", "d-2", ["d-1", "d-3"]),
        (6, "d-7", "d-6", ["d-1", "d-2"]),
        (7, "d-7", "d-2", ["d-1", "d-3"]),  // a re-run: the current directory already exists
        (5, "d-5", "d-5", []),
    ] as [(Int, String, String?, [String])])
    func removesTheOldestBeyondFive(existing: Int, current: String, lastSuccessful: String?, removed: [String]) {
        #expect(RevisionRetention.deploymentsToRemove(
            Self.revisions(existing), current: current, lastSuccessful: lastSuccessful, keep: 5) == removed)
    }

    @Test func breaksTiesByName() {
        let stamp = Date(timeIntervalSince1970: 0)
        let revisions = ["d-c", "d-a", "d-b"].map { RevisionRetention.Revision(deploymentID: $0, modified: stamp) }
        #expect(RevisionRetention.deploymentsToRemove(revisions, current: "d-z", lastSuccessful: nil, keep: 2)
            == ["d-a", "d-b"])
    }

    /// On disk: six older deployments, the oldest being the last successful one.
    @Test func deletesOldDeploymentDirectoriesWhenFetching() throws {
        let sandbox = try Sandbox()
        try sandbox.write("src/rev/appspec.yml", "version: 0.0\nos: linux\n")
        for index in 1...6 {
            let directory = "host/deployment-root/g-1/d-\(index)"
            try sandbox.write(directory + "/deployment-archive/appspec.yml", "")
            try sandbox.setModified(directory, Date(timeIntervalSince1970: 1_000_000 + Double(index) * 60))
        }
        try sandbox.write("host/deployment-root/g-2/d-0/deployment-archive/appspec.yml", "")
        try sandbox.write(
            "host/deployment-root/deployment-instructions/g-1_last_successful_install",
            sandbox.layout.deploymentDirectory(groupID: "g-1", deploymentID: "d-1"))

        let fetched = try BundleFetcher(layout: sandbox.layout)
            .fetch(revision: sandbox.path + "/src/rev", groupID: "g-1", deploymentID: "d-7")

        #expect(fetched.removedDeployments == ["d-2", "d-3"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.path + "/host/deployment-root/g-1").sorted()
            == ["d-1", "d-4", "d-5", "d-6", "d-7"])
        #expect(sandbox.exists("host/deployment-root/g-2/d-0"))
    }
}
