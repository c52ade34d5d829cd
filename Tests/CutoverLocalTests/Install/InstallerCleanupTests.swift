import CutoverCore
import CutoverLocal
import Foundation
import Testing

/// Removing the previous revision's files before installing (reference §15.4).
@Suite
struct InstallerCleanupTests {
    static let appSpec = "version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /var/www/app\n"

    @Test func removesThePreviousRevisionButNotWhatScriptsCreated() throws {
        let sandbox = try Sandbox()
        try sandbox.bundle(
            appSpec: Self.appSpec,
            files: ["site/index.html": "v1", "site/old/page.html": "old", "site/gone/page.html": "gone"])
        try sandbox.deploy(deploymentID: "d-1")
        // What an AfterInstall script might leave behind.
        try sandbox.write(sandbox.onHost("/var/www/app/old/cache.db"), "cache")
        try sandbox.write(sandbox.onHost("/var/www/app/generated.txt"), "generated")

        try sandbox.bundle("v2", appSpec: Self.appSpec, files: ["site/index.html": "v2"])
        let result = try sandbox.deploy("v2", deploymentID: "d-2")

        #expect(result.removed == [
            "/var/www/app/old/page.html", "/var/www/app/index.html", "/var/www/app/gone/page.html", "/var/www/app/gone",
        ])
        #expect(try sandbox.instanceTree() == [
            "var/", "var/www/", "var/www/app/", "var/www/app/generated.txt", "var/www/app/index.html",
            "var/www/app/old/", "var/www/app/old/cache.db",
        ])
        #expect(sandbox.read(sandbox.onHost("/var/www/app/index.html")) == "v2")
        // The directories that survived are no longer the deployment's: only the new file is.
        #expect(sandbox.cleanupLines() == ["/var/www/app/index.html"])
    }

    @Test func removesSymlinksNotWhatTheyPointTo() throws {
        let sandbox = try Sandbox()
        try sandbox.write("elsewhere/precious.txt", "keep me")
        try sandbox.bundle(appSpec: Self.appSpec, files: ["site/index.html": "v1"])
        try sandbox.symlink("src/rev/site/link", to: sandbox.path + "/elsewhere")
        try sandbox.deploy(deploymentID: "d-1")
        #expect(try sandbox.instanceTree().contains("var/www/app/link -> \(sandbox.path)/elsewhere"))

        try sandbox.bundle("empty", appSpec: "version: 0.0\nos: linux\n")
        try sandbox.deploy("empty", deploymentID: "d-2")
        #expect(try sandbox.instanceTree() == [])
        #expect(sandbox.read("elsewhere/precious.txt") == "keep me")
    }

    /// A line without its newline was being written when an install died: it is dropped.
    @Test func ignoresAnUnfinishedLastLine() throws {
        let sandbox = try Sandbox()
        try sandbox.write(sandbox.onHost("/srv/a"), "a")
        try sandbox.write(sandbox.onHost("/srv/b"), "b")
        try sandbox.write("host/deployment-root/deployment-instructions/g-1-cleanup", "/srv\n/srv/a\n/srv/b")
        try sandbox.bundle(appSpec: "version: 0.0\nos: linux\n")
        let result = try sandbox.deploy(deploymentID: "d-1")

        #expect(result.removed == ["/srv/a"])
        #expect(try sandbox.instanceTree() == ["srv/", "srv/b"])
    }

    /// The cleanup file names instance paths, so a tampered one cannot reach out of the root.
    @Test func neverRemovesOutsideTheRoot() throws {
        let sandbox = try Sandbox()
        try sandbox.write("precious.txt", "keep me")
        try sandbox.write(
            "host/deployment-root/deployment-instructions/g-1-cleanup",
            "/../../precious.txt\n\(sandbox.path)/precious.txt\nrelative.txt\n/\n")
        try sandbox.bundle(appSpec: "version: 0.0\nos: linux\n")
        let result = try sandbox.deploy(deploymentID: "d-1")
        #expect(result.removed == [])
        #expect(sandbox.read("precious.txt") == "keep me")
    }

    @Test func deletesTheOldCleanupFileEvenWhenTheNewPlanFails() throws {
        let sandbox = try Sandbox()
        try sandbox.bundle(appSpec: Self.appSpec, files: ["site/index.html": "v1"])
        try sandbox.deploy(deploymentID: "d-1")
        try sandbox.bundle("broken", appSpec: "version: 0.0\nos: linux\nfiles:\n  - source: dist\n    destination: /srv\n")
        #expect(throws: InstallError.self) { try sandbox.deploy("broken", deploymentID: "d-2") }
        #expect(sandbox.cleanupLines() == nil)
        #expect(try sandbox.instanceTree() == [])
        // The last successful install is still the first one.
        #expect(sandbox.layout.lastSuccessfulDeploymentDirectory(groupID: "g-1")
            == sandbox.layout.deploymentDirectory(groupID: "g-1", deploymentID: "d-1"))
    }

    /// Each group has its own cleanup file, so one group's deployments leave another's files alone.
    @Test func keepsGroupsApart() throws {
        let sandbox = try Sandbox()
        try sandbox.bundle("a", appSpec: "version: 0.0\nos: linux\nfiles:\n  - source: a\n    destination: /srv/a\n",
                           files: ["a/x": "x"])
        try sandbox.bundle("b", appSpec: "version: 0.0\nos: linux\nfiles:\n  - source: b\n    destination: /srv/b\n",
                           files: ["b/y": "y"])
        try sandbox.deploy("a", deploymentID: "d-1", groupID: "g-a")
        try sandbox.deploy("b", deploymentID: "d-2", groupID: "g-b")
        try sandbox.deploy("b", deploymentID: "d-3", groupID: "g-b")
        #expect(try sandbox.instanceTree() == ["srv/", "srv/a/", "srv/a/x", "srv/b/", "srv/b/y"])
    }
}
