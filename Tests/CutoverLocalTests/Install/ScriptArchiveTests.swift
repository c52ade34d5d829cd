import CutoverCore
import CutoverLocal
import Testing

/// Which archive's scripts ApplicationStop and the block-traffic events run (reference §5.6).
@Suite
struct ScriptArchiveTests {
    @Test func hasNoneBeforeTheFirstInstall() throws {
        let sandbox = try Sandbox()
        #expect(sandbox.layout.scriptArchive(for: .applicationStop, groupID: "g-1", deploymentID: "d-1") == nil)
    }

    @Test func usesTheLastSuccessfulInstallUntilTheNewBundleIsThere() throws {
        let sandbox = try Sandbox()
        try sandbox.bundle(appSpec: "version: 0.0\nos: linux\n")
        try sandbox.deploy(deploymentID: "d-1")
        let layout = sandbox.layout
        let first = layout.archiveDirectory(groupID: "g-1", deploymentID: "d-1")
        let second = layout.archiveDirectory(groupID: "g-1", deploymentID: "d-2")

        for event in [LifecycleEvent.applicationStop, .beforeBlockTraffic, .afterBlockTraffic] {
            #expect(layout.scriptArchive(for: event, groupID: "g-1", deploymentID: "d-2") == first)
        }
        #expect(layout.scriptArchive(for: .beforeInstall, groupID: "g-1", deploymentID: "d-2") == nil)
        #expect(layout.scriptArchive(for: .applicationStop, groupID: "g-2", deploymentID: "d-2") == nil)

        // Once DownloadBundle has run (a re-run of ApplicationStop), the current archive wins.
        try BundleFetcher(layout: layout).fetch(revision: sandbox.path + "/src/rev", groupID: "g-1", deploymentID: "d-2")
        #expect(layout.scriptArchive(for: .applicationStop, groupID: "g-1", deploymentID: "d-2") == second)
        #expect(layout.scriptArchive(for: .afterInstall, groupID: "g-1", deploymentID: "d-2") == second)
    }

    @Test func hasNoneWhenTheLastSuccessfulArchiveIsGone() throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            "host/deployment-root/deployment-instructions/g-1_last_successful_install",
            sandbox.layout.deploymentDirectory(groupID: "g-1", deploymentID: "d-0"))
        #expect(sandbox.layout.scriptArchive(for: .applicationStop, groupID: "g-1", deploymentID: "d-1") == nil)
    }
}
