import CutoverCore
import CutoverLocal
import Foundation
import Testing

/// `permissions` (reference §2.5): which installed paths an entry selects, and what is set.
@Suite
struct InstallerPermissionsTests {
    /// Installs into /var/www/app: index.html, run.sh, bin/tool.sh, logs/app.log (all 0644).
    func install(
        _ permissions: String, installer: ((HostLayout) -> Installer)? = nil, sandbox: Sandbox? = nil
    ) throws -> (Sandbox, InstallResult) {
        let sandbox = try sandbox ?? Sandbox()
        try sandbox.bundle(
            appSpec: "version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /var/www/app\n"
                + "permissions:\n" + permissions)
        for file in ["index.html", "run.sh", "bin/tool.sh", "logs/app.log"] {
            try sandbox.write("src/rev/site/" + file, file, mode: 0o644)
        }
        let made = installer?(sandbox.layout) ?? Installer(layout: sandbox.layout, setfacl: nil, setsOwnership: false)
        let result = try sandbox.deploy(deploymentID: "d-1", installer: made)
        return (sandbox, result)
    }

    func modes(_ sandbox: Sandbox) throws -> [String: Int] {
        var modes: [String: Int] = [:]
        for path in ["app", "app/bin", "app/logs", "app/index.html", "app/run.sh", "app/bin/tool.sh", "app/logs/app.log"] {
            modes[path] = try sandbox.mode(sandbox.onHost("/var/www/" + path))
        }
        return modes
    }

    @Test func matchesAPatternOnlyDirectlyBelowTheObject() throws {
        let (sandbox, result) = try install("  - object: /var/www/app\n    pattern: \"*.sh\"\n    mode: 750\n    type: [file]\n")
        #expect(result.permissionsSet == ["/var/www/app/run.sh"])
        #expect(try sandbox.mode(sandbox.onHost("/var/www/app/run.sh")) == 0o750)
        #expect(try sandbox.mode(sandbox.onHost("/var/www/app/bin/tool.sh")) == 0o644)
    }

    @Test func selectsEveryDepthByDefaultButExceptOnlyDirectChildren() throws {
        let (sandbox, result) = try install(
            "  - object: /var/www/app\n    except: [\"index.html\", \"tool.sh\"]\n    mode: 600\n    type: [file]\n")
        #expect(result.permissionsSet == ["/var/www/app/bin/tool.sh", "/var/www/app/logs/app.log", "/var/www/app/run.sh"])
        let modes = try modes(sandbox)
        #expect(modes["app/index.html"] == 0o644)
        #expect(modes["app/bin/tool.sh"] == 0o600)
        #expect(modes["app/logs/app.log"] == 0o600)
        #expect(modes["app/run.sh"] == 0o600)
    }

    /// `type: [directory]` selects directories this deployment created below the object,
    /// never the object itself.
    @Test func selectsCreatedDirectoriesByType() throws {
        let (sandbox, result) = try install("  - object: /var/www\n    mode: 700\n    type: [directory]\n")
        #expect(result.permissionsSet == ["/var/www/app", "/var/www/app/bin", "/var/www/app/logs"])
        let modes = try modes(sandbox)
        #expect(modes["app"] == 0o700 && modes["app/bin"] == 0o700 && modes["app/logs"] == 0o700)
        #expect(modes["app/run.sh"] == 0o644)
        #expect(try sandbox.mode(sandbox.onHost("/var/www")) != 0o700)
    }

    @Test func appliesToBothTypesByDefault() throws {
        let (sandbox, result) = try install("  - object: /var/www/app\n    pattern: \"*\"\n    mode: 711\n")
        #expect(result.permissionsSet == [
            "/var/www/app/index.html", "/var/www/app/run.sh", "/var/www/app/bin", "/var/www/app/logs",
        ])
        #expect(try modes(sandbox)["app/bin/tool.sh"] == 0o644)
    }

    @Test func setsASingleFilesObject() throws {
        let (sandbox, result) = try install("  - object: /var/www/app/run.sh\n    mode: 4755\n")
        #expect(result.permissionsSet == ["/var/www/app/run.sh"])
        #expect(try sandbox.mode(sandbox.onHost("/var/www/app/run.sh")) == 0o4755)
    }

    @Test func ignoresADirectoryOnlyEntryForAFile() throws {
        let (_, result) = try install("  - object: /var/www/app/run.sh\n    mode: 700\n    type: [directory]\n")
        #expect(result.permissionsSet == [])
    }

    @Test func refusesAPatternForAFile() throws {
        #expect(throws: InstallError.patternOnFile(object: "/var/www/app/run.sh", pattern: "*.sh")) {
            try install("  - object: /var/www/app/run.sh\n    pattern: \"*.sh\"\n    mode: 700\n")
        }
        #expect(throws: InstallError.exceptOnFile(object: "/var/www/app/run.sh", except: ["x"])) {
            try install("  - object: /var/www/app/run.sh\n    except: [x]\n    mode: 700\n")
        }
    }

    @Test func refusesTwoEntriesForOnePath() throws {
        #expect(throws: InstallError.duplicatePermission(path: "/var/www/app/run.sh")) {
            try install(
                "  - object: /var/www/app\n    pattern: \"*.sh\"\n    mode: 700\n"
                    + "  - object: /var/www/app\n    pattern: \"run*\"\n    mode: 755\n")
        }
    }

    @Test func leavesRetainedFilesAlone() throws {
        let sandbox = try Sandbox()
        try sandbox.write(sandbox.onHost("/var/www/app/run.sh"), "mine", mode: 0o640)
        let (_, result) = try install(
            "  - object: /var/www/app\n    mode: 700\n    type: [file]\nfile_exists_behavior: RETAIN\n", sandbox: sandbox)
        #expect(result.retainedFiles == ["/var/www/app/run.sh"])
        #expect(!result.permissionsSet.contains("/var/www/app/run.sh"))
        #expect(try sandbox.mode(sandbox.onHost("/var/www/app/run.sh")) == 0o640)
    }

    /// Modes are never set through a symlink, whose target may be outside the root.
    @Test func leavesSymlinkTargetsAlone() throws {
        let sandbox = try Sandbox()
        try sandbox.write("elsewhere.txt", "x", mode: 0o644)
        try sandbox.write("src/rev/site/index.html", "")
        try sandbox.symlink("src/rev/site/link", to: sandbox.path + "/elsewhere.txt")
        let (_, result) = try install("  - object: /var/www/app\n    mode: 777\n", sandbox: sandbox)
        #expect(!result.permissionsSet.contains("/var/www/app/link"))
        #expect(try sandbox.mode("elsewhere.txt") == 0o644)
    }

    // MARK: - What a local host cannot do

    @Test func reportsACLsAndSELinuxContextsAsNotApplied() throws {
        let (_, result) = try install(
            "  - object: /var/www/app\n    pattern: \"*.sh\"\n    type: [file]\n    acls: [\"u:www-data:rwx\"]\n"
                + "    context:\n      type: httpd_sys_content_t\n")
        #expect(result.warnings == [
            .aclsNotApplied(paths: ["/var/www/app/run.sh"]),
            .selinuxContextsNotApplied(paths: ["/var/www/app/run.sh"]),
        ])
        #expect(result.warnings.first?.description
            == "ACLs not set on /var/www/app/run.sh: setfacl is not installed (Debian package acl)")
    }

    @Test func reportsOwnershipAsNotAppliedWithoutRoot() throws {
        let (_, result) = try install("  - object: /var/www/app\n    type: [directory]\n    owner: www-data\n")
        #expect(result.warnings == [.ownershipNotApplied(paths: ["/var/www/app/bin", "/var/www/app/logs"])])
        #expect(result.warnings.first?.description
            == "owner and group not set on /var/www/app/bin and /var/www/app/logs: the agent is not running as root")
    }

    @Test(.enabled(if: geteuid() == 0, "needs root"))
    func setsOwnerAndGroupAsRoot() throws {
        let owned: (HostLayout) -> Installer = { Installer(layout: $0, setfacl: nil, setsOwnership: true) }
        let (sandbox, result) = try install(
            "  - object: /var/www/app/run.sh\n    owner: root\n    group: root\n", installer: owned)
        #expect(result.permissionsSet == ["/var/www/app/run.sh"])
        #expect(result.warnings == [])
        let attributes = try FileManager.default.attributesOfItem(atPath: sandbox.path + "/" + sandbox.onHost("/var/www/app/run.sh"))
        #expect((attributes[.ownerAccountID] as? NSNumber)?.intValue == 0)

        #expect(throws: InstallError.unknownUser(name: "no-such-user-here", path: "/var/www/app/run.sh")) {
            try install("  - object: /var/www/app/run.sh\n    owner: no-such-user-here\n", installer: owned)
        }
    }

    @Test(.enabled(if: Sandbox.has("setfacl") && Sandbox.has("getfacl"), "needs the acl package"))
    func setsACLsWithSetfacl() throws {
        let withACLs: (HostLayout) -> Installer = { Installer(layout: $0) }
        let (sandbox, result) = try install(
            "  - object: /var/www/app/run.sh\n    acls: [\"u:root:rwx\"]\n"
                + "  - object: /var/www/app\n    type: [directory]\n    acls: [\"d:u:root:rwx\"]\n",
            installer: withACLs)
        #expect(result.warnings == [])
        #expect(result.permissionsSet == ["/var/www/app/run.sh", "/var/www/app/bin", "/var/www/app/logs"])
        #expect(try acl(sandbox, "/var/www/app/run.sh").contains("user:root:rwx"))
        #expect(try acl(sandbox, "/var/www/app/bin").contains("default:user:root:rwx"))

        let error = #expect(throws: InstallError.self) {
            try install("  - object: /var/www/app/run.sh\n    acls: [\"u:no-such-user-here:rwx\"]\n", installer: withACLs)
        }
        guard case .aclFailed(let path, let command, _, _)? = error else {
            Issue.record("expected aclFailed, got \(String(describing: error))")
            return
        }
        #expect(path == "/var/www/app/run.sh")
        #expect(command.hasPrefix("setfacl --set u:no-such-user-here:rwx,u::6,g::4,o::4,m::4 "))
    }

    func acl(_ sandbox: Sandbox, _ instancePath: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Sandbox.locate("getfacl"))
        process.arguments = ["-c", sandbox.path + "/" + sandbox.onHost(instancePath)]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return output
    }
}
