import CutoverCore
import CutoverLocal
import Testing

/// The host directory layout (reference §15.2) and the mapping of instance paths into it.
@Suite
struct HostLayoutTests {
    let layout = HostLayout(directory: "/srv/hosts/h-1/")

    @Test func namesTheAgentsFilesAsTheAgentDoes() {
        #expect(layout.directory == "/srv/hosts/h-1")
        #expect(layout.root == "/srv/hosts/h-1/root")
        #expect(layout.deploymentRoot == "/srv/hosts/h-1/deployment-root")
        #expect(layout.deploymentDirectory(groupID: "g-1", deploymentID: "d-A") == "/srv/hosts/h-1/deployment-root/g-1/d-A")
        #expect(layout.bundleFile(groupID: "g-1", deploymentID: "d-A") == "/srv/hosts/h-1/deployment-root/g-1/d-A/bundle.tar")
        #expect(layout.archiveDirectory(groupID: "g-1", deploymentID: "d-A")
            == "/srv/hosts/h-1/deployment-root/g-1/d-A/deployment-archive")
        #expect(layout.scriptLog(groupID: "g-1", deploymentID: "d-A")
            == "/srv/hosts/h-1/deployment-root/g-1/d-A/logs/scripts.log")
        let instructions = "/srv/hosts/h-1/deployment-root/deployment-instructions/"
        #expect(layout.cleanupFile(groupID: "g-1") == instructions + "g-1-cleanup")
        #expect(layout.installInstructionsFile(groupID: "g-1") == instructions + "g-1-install.json")
        #expect(layout.lastSuccessfulInstallFile(groupID: "g-1") == instructions + "g-1_last_successful_install")
        #expect(layout.mostRecentInstallFile(groupID: "g-1") == instructions + "g-1_most_recent_install")
    }

    @Test(arguments: [
        ("/var/www/app", "/srv/hosts/h-1/root/var/www/app"),
        ("/", "/srv/hosts/h-1/root"),
        ("/var//www/./app/", "/srv/hosts/h-1/root/var/www/app"),
        ("/var/www/../log", "/srv/hosts/h-1/root/var/log"),
        ("/var/..", "/srv/hosts/h-1/root"),
    ])
    func mapsInstancePathsIntoTheRoot(instance: String, host: String) throws {
        #expect(try layout.hostPath(forInstancePath: instance) == host)
    }

    @Test func refusesPathsThatLeaveTheRoot() {
        #expect(throws: InstallError.outsideRoot(path: "/../etc")) { try layout.hostPath(forInstancePath: "/../etc") }
        #expect(throws: InstallError.outsideRoot(path: "/var/../../etc")) {
            try layout.hostPath(forInstancePath: "/var/../../etc")
        }
        #expect(throws: InstallError.notAbsolute(path: "var/www")) { try layout.hostPath(forInstancePath: "var/www") }
    }

    @Test func mapsHostPathsBack() {
        #expect(layout.instancePath(forHostPath: "/srv/hosts/h-1/root/var/www") == "/var/www")
        #expect(layout.instancePath(forHostPath: "/srv/hosts/h-1/root") == "/")
        #expect(layout.instancePath(forHostPath: "/srv/hosts/h-1/rootfs/x") == nil)
    }

    @Test func makesARelativeDirectoryAbsolute() {
        #expect(HostLayout(directory: "hosts/h-2").directory.hasPrefix("/"))
        #expect(HostLayout(directory: "hosts/h-2").directory.hasSuffix("/hosts/h-2"))
    }

    @Test(arguments: ["", ".", "..", "a/b", "deployment-instructions", "deployment-logs"])
    func refusesIdentifiersThatAreNotOneDirectoryName(identifier: String) {
        #expect(throws: InstallError.invalidIdentifier(kind: "deployment id", value: identifier)) {
            try HostLayout.validate(identifier: identifier, kind: "deployment id")
        }
    }
}
