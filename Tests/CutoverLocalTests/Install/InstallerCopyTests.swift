import CutoverCore
import CutoverLocal
import Foundation
import Testing

/// The `files` copy rules (reference §2.3), checked against the exact resulting trees.
@Suite
struct InstallerCopyTests {
    static let site = [
        "site/index.html": "home", "site/css/main.css": "body {}", "config/app.conf": "port=8080",
        "scripts/start.sh": "#!/bin/sh\n",
    ]

    func appSpec(_ files: String, extra: String = "") -> String {
        "version: 0.0\nos: linux\nfiles:\n\(files)\(extra)"
    }

    @Test func copiesADirectorysContentsIntoTheDestination() throws {
        let sandbox = try Sandbox()
        try sandbox.bundle(appSpec: appSpec("  - source: site\n    destination: /var/www/app\n"), files: Self.site)
        let result = try sandbox.deploy(deploymentID: "d-1")

        #expect(try sandbox.instanceTree() == [
            "var/", "var/www/", "var/www/app/", "var/www/app/css/", "var/www/app/css/main.css", "var/www/app/index.html",
        ])
        #expect(sandbox.read(sandbox.onHost("/var/www/app/index.html")) == "home")
        // Missing parents are created and recorded, outermost first, as each is created.
        #expect(sandbox.cleanupLines() == [
            "/var", "/var/www", "/var/www/app", "/var/www/app/css", "/var/www/app/css/main.css", "/var/www/app/index.html",
        ])
        #expect(result.createdDirectories == ["/var", "/var/www", "/var/www/app", "/var/www/app/css"])
        #expect(result.copiedFiles == ["/var/www/app/css/main.css", "/var/www/app/index.html"])
        #expect(result.fileExistsBehavior == .disallow)
    }

    @Test func copiesAFileSourceUnderTheDestinationDirectory() throws {
        let sandbox = try Sandbox()
        try sandbox.bundle(appSpec: appSpec("  - source: config/app.conf\n    destination: /etc/app\n"), files: Self.site)
        try sandbox.deploy(deploymentID: "d-1")
        #expect(try sandbox.instanceTree() == ["etc/", "etc/app/", "etc/app/app.conf"])
        #expect(sandbox.read(sandbox.onHost("/etc/app/app.conf")) == "port=8080")
    }

    @Test func copiesTheWholeBundleForASlashSource() throws {
        let sandbox = try Sandbox()
        try sandbox.bundle(appSpec: appSpec("  - source: /\n    destination: /opt/app\n"), files: Self.site)
        try sandbox.deploy(deploymentID: "d-1")
        #expect(try sandbox.instanceTree() == [
            "opt/", "opt/app/", "opt/app/appspec.yml", "opt/app/config/", "opt/app/config/app.conf", "opt/app/scripts/",
            "opt/app/scripts/start.sh", "opt/app/site/", "opt/app/site/css/", "opt/app/site/css/main.css",
            "opt/app/site/index.html",
        ])
    }

    /// A leading or trailing slash makes no difference, on either side.
    @Test func ignoresLeadingAndTrailingSlashes() throws {
        let sandbox = try Sandbox()
        try sandbox.bundle(
            appSpec: appSpec(
                "  - source: /site/\n    destination: /var/www/app/\n  - source: /config/app.conf\n    destination: /etc//app\n"),
            files: Self.site)
        try sandbox.deploy(deploymentID: "d-1")
        #expect(try sandbox.instanceTree() == [
            "etc/", "etc/app/", "etc/app/app.conf", "var/", "var/www/", "var/www/app/", "var/www/app/css/",
            "var/www/app/css/main.css", "var/www/app/index.html",
        ])
    }

    /// Directories already on the instance are used as they are and never recorded, so
    /// the next install's cleanup leaves them (and whatever else is in them) alone.
    @Test func reusesExistingDirectoriesWithoutRecordingThem() throws {
        let sandbox = try Sandbox()
        try sandbox.write(sandbox.onHost("/var/www/keep.txt"), "mine")
        try sandbox.bundle(appSpec: appSpec("  - source: site\n    destination: /var/www\n"), files: Self.site)
        let result = try sandbox.deploy(deploymentID: "d-1")

        #expect(result.createdDirectories == ["/var/www/css"])
        #expect(sandbox.cleanupLines() == ["/var/www/css", "/var/www/css/main.css", "/var/www/index.html"])

        try sandbox.bundle("empty", appSpec: "version: 0.0\nos: linux\n")
        let second = try sandbox.deploy("empty", deploymentID: "d-2")
        #expect(second.removed == ["/var/www/index.html", "/var/www/css/main.css", "/var/www/css"])
        #expect(try sandbox.instanceTree() == ["var/", "var/www/", "var/www/keep.txt"])
        #expect(sandbox.cleanupLines() == [])
    }

    @Test func recreatesSymlinksAsSymlinks() throws {
        let sandbox = try Sandbox()
        try sandbox.bundle(appSpec: appSpec("  - source: site\n    destination: /srv\n"), files: ["site/index.html": "home"])
        try sandbox.makeDirectory("src/rev/site/assets")
        try sandbox.symlink("src/rev/site/current", to: "index.html")
        try sandbox.symlink("src/rev/site/static", to: "assets")
        try sandbox.symlink("src/rev/site/dangling", to: "/nowhere/at/all")
        let result = try sandbox.deploy(deploymentID: "d-1")

        #expect(try sandbox.instanceTree() == [
            "srv/", "srv/assets/", "srv/current -> index.html", "srv/dangling -> /nowhere/at/all", "srv/index.html",
            "srv/static -> assets",
        ])
        #expect(result.copiedFiles == ["/srv/current", "/srv/dangling", "/srv/index.html", "/srv/static"])
    }

    @Test func keepsModesAndModificationTimes() throws {
        let sandbox = try Sandbox()
        try sandbox.bundle(appSpec: appSpec("  - source: bin\n    destination: /usr/local/bin\n"))
        try sandbox.write("src/rev/bin/tool", "#!/bin/sh\n", mode: 0o751)
        try sandbox.write("src/rev/bin/data", "x", mode: 0o600)
        let stamp = Date(timeIntervalSince1970: 1_577_934_245)
        try sandbox.setModified("src/rev/bin/tool", stamp)
        try sandbox.deploy(deploymentID: "d-1")

        #expect(try sandbox.mode(sandbox.onHost("/usr/local/bin/tool")) == 0o751)
        #expect(try sandbox.mode(sandbox.onHost("/usr/local/bin/data")) == 0o600)
        #expect(try sandbox.modified(sandbox.onHost("/usr/local/bin/tool")) == stamp)
    }

    @Test func writesThePlanAndTheLastSuccessfulPointer() throws {
        let sandbox = try Sandbox()
        try sandbox.bundle(
            appSpec: appSpec(
                "  - source: config/app.conf\n    destination: /etc\n",
                extra: "permissions:\n  - object: /etc/app.conf\n    mode: 640\n    owner: root\n"),
            files: Self.site)
        try sandbox.deploy(
            deploymentID: "d-1", installer: Installer(layout: sandbox.layout, setfacl: nil, setsOwnership: false))

        let archive = sandbox.layout.archiveDirectory(groupID: "g-1", deploymentID: "d-1")
        #expect(sandbox.read("host/deployment-root/deployment-instructions/g-1-install.json") == """
            {"instructions":[{"directory":"/etc","type":"mkdir"},{"destination":"/etc/app.conf","source":"\(archive)/config/app.conf","type":"copy"},\
            {"file":"/etc/app.conf","mode":"640","type":"chmod"},{"file":"/etc/app.conf","owner":"root","type":"chown"}]}

            """)
        #expect(sandbox.layout.lastSuccessfulDeploymentDirectory(groupID: "g-1")
            == sandbox.layout.deploymentDirectory(groupID: "g-1", deploymentID: "d-1"))
    }
}
