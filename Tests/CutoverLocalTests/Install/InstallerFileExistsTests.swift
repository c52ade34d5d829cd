import CutoverCore
import CutoverLocal
import Foundation
import Testing

/// `file_exists_behavior` (reference §2.4) and the conflicts found while planning (§2.3).
@Suite
struct InstallerFileExistsTests {
    static let files = ["site/index.html": "new home", "site/about.html": "about"]

    func appSpec(_ behavior: String? = nil) -> String {
        "version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /var/www\n"
            + (behavior.map { "file_exists_behavior: \($0)\n" } ?? "")
    }

    /// An instance with a file the previous install did not put there.
    func sandboxWithStrayFile(behavior: String? = nil) throws -> Sandbox {
        let sandbox = try Sandbox()
        try sandbox.write(sandbox.onHost("/var/www/index.html"), "hand-made")
        try sandbox.bundle(appSpec: appSpec(behavior), files: Self.files)
        return sandbox
    }

    @Test func disallowsAnExistingFileByDefaultAndNamesIt() throws {
        let sandbox = try sandboxWithStrayFile()
        let error = #expect(throws: InstallError.self) { try sandbox.deploy(deploymentID: "d-1") }
        #expect(error == .fileExists(path: "/var/www/index.html"))
        #expect(error?.description.hasPrefix(
            "The deployment failed because a specified file already exists at this location: /var/www/index.html") == true)
        // Nothing was copied: the plan failed before the first copy.
        #expect(try sandbox.instanceTree() == ["var/", "var/www/", "var/www/index.html"])
        #expect(sandbox.read(sandbox.onHost("/var/www/index.html")) == "hand-made")
        #expect(sandbox.layout.lastSuccessfulDeploymentDirectory(groupID: "g-1") == nil)
    }

    @Test func overwritesAndRecordsTheReplacedFile() throws {
        let sandbox = try sandboxWithStrayFile(behavior: "OVERWRITE")
        let result = try sandbox.deploy(deploymentID: "d-1")
        #expect(sandbox.read(sandbox.onHost("/var/www/index.html")) == "new home")
        #expect(result.overwrittenFiles == ["/var/www/index.html"])
        #expect(result.copiedFiles == ["/var/www/about.html", "/var/www/index.html"])
        #expect(sandbox.cleanupLines() == ["/var/www/about.html", "/var/www/index.html"])

        // It now belongs to the deployment: the next one removes it.
        try sandbox.bundle("empty", appSpec: "version: 0.0\nos: linux\n")
        try sandbox.deploy("empty", deploymentID: "d-2")
        #expect(try sandbox.instanceTree() == ["var/", "var/www/"])
    }

    @Test func retainsTheExistingFileWithoutRecordingIt() throws {
        let sandbox = try sandboxWithStrayFile(behavior: "RETAIN")
        let result = try sandbox.deploy(deploymentID: "d-1")
        #expect(sandbox.read(sandbox.onHost("/var/www/index.html")) == "hand-made")
        #expect(sandbox.read(sandbox.onHost("/var/www/about.html")) == "about")
        #expect(result.retainedFiles == ["/var/www/index.html"])
        #expect(result.copiedFiles == ["/var/www/about.html"])
        #expect(sandbox.cleanupLines() == ["/var/www/about.html"])

        try sandbox.bundle("empty", appSpec: "version: 0.0\nos: linux\n")
        try sandbox.deploy("empty", deploymentID: "d-2")
        #expect(try sandbox.instanceTree() == ["var/", "var/www/", "var/www/index.html"])
    }

    @Test func usesTheDeploymentsSettingWhenTheAppSpecHasNone() throws {
        let sandbox = try sandboxWithStrayFile()
        let result = try sandbox.deploy(deploymentID: "d-1", fileExistsBehavior: .overwrite)
        #expect(result.fileExistsBehavior == .overwrite)
        #expect(sandbox.read(sandbox.onHost("/var/www/index.html")) == "new home")
    }

    @Test func prefersTheAppSpecsSettingToTheDeployments() throws {
        let sandbox = try sandboxWithStrayFile(behavior: "RETAIN")
        let result = try sandbox.deploy(deploymentID: "d-1", fileExistsBehavior: .overwrite)
        #expect(result.fileExistsBehavior == .retain)
        #expect(sandbox.read(sandbox.onHost("/var/www/index.html")) == "hand-made")
    }

    /// The previous install's files are removed first, so redeploying is never a collision.
    @Test func redeploysOverTheSameFilesUnderDisallow() throws {
        let sandbox = try Sandbox()
        try sandbox.bundle(appSpec: appSpec(), files: Self.files)
        try sandbox.deploy(deploymentID: "d-1")
        try sandbox.write("src/rev/site/index.html", "newer home")
        let second = try sandbox.deploy(deploymentID: "d-2")
        #expect(second.removed == ["/var/www/index.html", "/var/www/about.html", "/var/www", "/var"])
        #expect(sandbox.read(sandbox.onHost("/var/www/index.html")) == "newer home")
    }

    // MARK: - Conflicts

    @Test func failsWhenTwoSourcesInstallOneFile() throws {
        let sandbox = try Sandbox()
        try sandbox.bundle(
            appSpec: "version: 0.0\nos: linux\nfiles:\n  - source: a/x.txt\n    destination: /srv\n"
                + "  - source: b/x.txt\n    destination: /srv\n",
            files: ["a/x.txt": "a", "b/x.txt": "b"])
        let error = #expect(throws: InstallError.self) { try sandbox.deploy(deploymentID: "d-1") }
        #expect(error == .duplicateDestination(path: "/srv/x.txt", firstSource: "a/x.txt", secondSource: "b/x.txt"))
        #expect(error?.description.contains("a/x.txt and b/x.txt") == true)
    }

    @Test func failsWhenAFileGoesWhereADirectoryMust() throws {
        let sandbox = try Sandbox()
        try sandbox.bundle(
            appSpec: "version: 0.0\nos: linux\nfiles:\n  - source: conf\n    destination: /srv\n"
                + "  - source: site\n    destination: /srv/conf\n",
            files: ["conf": "a file named conf", "site/index.html": "home"])
        #expect(throws: InstallError.fileAndDirectory(path: "/srv/conf")) { try sandbox.deploy(deploymentID: "d-1") }
    }

    @Test func failsWhenAnExistingFileIsWhereADirectoryMustGo() throws {
        let sandbox = try Sandbox()
        try sandbox.write(sandbox.onHost("/srv"), "not a directory")
        try sandbox.bundle(
            appSpec: "version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /srv/app\n",
            files: ["site/index.html": "home"])
        #expect(throws: InstallError.notADirectory(path: "/srv")) {
            try sandbox.deploy(deploymentID: "d-1", fileExistsBehavior: .overwrite)
        }
    }

    @Test func failsWhenOverwriteMeetsADirectory() throws {
        let sandbox = try Sandbox()
        try sandbox.makeDirectory(sandbox.onHost("/srv/index.html"))
        try sandbox.bundle(
            appSpec: "version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /srv\n",
            files: ["site/index.html": "home"])
        #expect(throws: InstallError.isADirectory(path: "/srv/index.html")) {
            try sandbox.deploy(deploymentID: "d-1", fileExistsBehavior: .overwrite)
        }
    }

    @Test func failsWhenASourceIsNotInTheBundle() throws {
        let sandbox = try Sandbox()
        try sandbox.bundle(appSpec: "version: 0.0\nos: linux\nfiles:\n  - source: dist\n    destination: /srv\n")
        let archive = sandbox.layout.archiveDirectory(groupID: "g-1", deploymentID: "d-1")
        #expect(throws: InstallError.sourceMissing(source: "dist", archive: archive)) {
            try sandbox.deploy(deploymentID: "d-1")
        }
    }

    @Test func neverWritesOutsideTheRoot() throws {
        let sandbox = try Sandbox()
        try sandbox.bundle(appSpec: "version: 0.0\nos: linux\n", files: ["site/index.html": "home"])
        try BundleFetcher(layout: sandbox.layout).fetch(revision: sandbox.path + "/src/rev", groupID: "g-1", deploymentID: "d-1")
        let installer = Installer(layout: sandbox.layout)

        let climbing = ServerAppSpec(os: .linux, files: [FileMapping(source: "site", destination: "/../outside")])
        #expect(throws: InstallError.outsideRoot(path: "/../outside")) {
            try installer.install(climbing, groupID: "g-1", deploymentID: "d-1")
        }
        let leaving = ServerAppSpec(os: .linux, files: [FileMapping(source: "../../..", destination: "/srv")])
        #expect(throws: InstallError.outsideBundle(path: "../../..")) {
            try installer.install(leaving, groupID: "g-1", deploymentID: "d-1")
        }
        // An existing directory that is a symlink out of the root is not followed.
        try sandbox.makeDirectory("outside")
        try sandbox.makeDirectory("host/root")
        try sandbox.symlink(sandbox.onHost("/srv"), to: sandbox.path + "/outside")
        let through = ServerAppSpec(os: .linux, files: [FileMapping(source: "site", destination: "/srv/app")])
        #expect(throws: InstallError.resolvesOutsideRoot(path: "/srv", resolved: sandbox.path + "/outside")) {
            try installer.install(through, groupID: "g-1", deploymentID: "d-1")
        }
        #expect(try sandbox.tree("outside") == [])
    }

    @Test func failsWithoutTheArchive() throws {
        let sandbox = try Sandbox()
        let archive = sandbox.layout.archiveDirectory(groupID: "g-1", deploymentID: "d-1")
        #expect(throws: InstallError.archiveMissing(path: archive)) {
            try Installer(layout: sandbox.layout).install(groupID: "g-1", deploymentID: "d-1")
        }
    }

    @Test func reportsAnInvalidAppSpecWithItsPosition() throws {
        let sandbox = try Sandbox()
        try sandbox.bundle(appSpec: "version: 0.0\nos: linux\nfiles:\n  - source: site\n")
        let error = #expect(throws: InstallError.self) { try sandbox.deploy(deploymentID: "d-1") }
        let file = sandbox.layout.archiveDirectory(groupID: "g-1", deploymentID: "d-1") + "/appspec.yml"
        #expect(error?.description.hasPrefix(file + ":4:") == true)
    }

    @Test func refusesAWindowsAppSpec() throws {
        let sandbox = try Sandbox()
        try sandbox.bundle(appSpec: "version: 0.0\nos: windows\n")
        let file = sandbox.layout.archiveDirectory(groupID: "g-1", deploymentID: "d-1") + "/appspec.yml"
        #expect(throws: InstallError.unsupportedOperatingSystem(path: file, os: "windows")) {
            try sandbox.deploy(deploymentID: "d-1")
        }
    }
}
