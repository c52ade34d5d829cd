import CutoverCore
import CutoverLocal
import Foundation
import Testing

/// DownloadBundle: directory, tar, tgz and zip revisions, the GitHub-style strip, the
/// appspec search and the pointer file (reference §2.1, §15.6, §15.7).
@Suite
struct BundleFetcherTests {
    static let appSpec = "version: 0.0\nos: linux\n"

    /// The tree every bundle in this suite unpacks to.
    static let expectedArchive = [
        "appspec.yml", "scripts/", "scripts/start.sh", "site/", "site/current -> index.html", "site/index.html",
    ]

    /// `src/rev`: an appspec, a script, a page and a symlink.
    func makeRevision(_ sandbox: Sandbox, in directory: String = "src/rev") throws {
        try sandbox.write("\(directory)/appspec.yml", Self.appSpec)
        try sandbox.write("\(directory)/scripts/start.sh", "#!/bin/sh\n", mode: 0o755)
        try sandbox.write("\(directory)/site/index.html", "hello")
        try sandbox.symlink("\(directory)/site/current", to: "index.html")
    }

    func archiveTree(_ sandbox: Sandbox, _ deploymentID: String = "d-1") throws -> [String] {
        try sandbox.tree("host/deployment-root/g-1/\(deploymentID)/deployment-archive")
    }

    @Test func copiesADirectoryRevision() throws {
        let sandbox = try Sandbox()
        try makeRevision(sandbox)
        let fetched = try BundleFetcher(layout: sandbox.layout)
            .fetch(revision: sandbox.path + "/src/rev", groupID: "g-1", deploymentID: "d-1")

        #expect(fetched.type == .directory)
        #expect(try archiveTree(sandbox) == Self.expectedArchive)
        #expect(try sandbox.mode("host/deployment-root/g-1/d-1/deployment-archive/scripts/start.sh") == 0o755)
        #expect(!sandbox.exists("host/deployment-root/g-1/d-1/bundle.tar"))
        #expect(fetched.archive.appSpecFile == fetched.archive.directory + "/appspec.yml")
        #expect(fetched.deploymentDirectory == sandbox.path + "/host/deployment-root/g-1/d-1")
        #expect(sandbox.read("host/deployment-root/deployment-instructions/g-1_most_recent_install")
            == fetched.deploymentDirectory)
        #expect(sandbox.layout.mostRecentDeploymentDirectory(groupID: "g-1") == fetched.deploymentDirectory)
    }

    @Test(arguments: [
        ("bundle.tar", ["-cf"], BundleType.tar),
        ("bundle.tgz", ["-czf"], BundleType.tgz),
        ("bundle.tar.gz", ["-czf"], BundleType.tgz),
    ])
    func unpacksTarBundles(name: String, flags: [String], type: BundleType) throws {
        let sandbox = try Sandbox()
        try makeRevision(sandbox)
        try sandbox.run("tar", flags + ["../../\(name)", "."], in: "src/rev")
        let fetched = try BundleFetcher(layout: sandbox.layout)
            .fetch(revision: sandbox.path + "/" + name, groupID: "g-1", deploymentID: "d-1")

        #expect(fetched.type == type)
        #expect(fetched.strippedDirectory == nil)
        #expect(try archiveTree(sandbox) == Self.expectedArchive)
        #expect(try sandbox.mode("host/deployment-root/g-1/d-1/deployment-archive/scripts/start.sh") == 0o755)
        #expect(sandbox.exists("host/deployment-root/g-1/d-1/bundle.tar"))
    }

    @Test(.enabled(if: Sandbox.has("zip") && Sandbox.has("unzip"), "needs zip and unzip"))
    func unpacksZipBundles() throws {
        let sandbox = try Sandbox()
        try makeRevision(sandbox)
        // -y stores the symlink as a symlink.
        try sandbox.run("zip", ["-q", "-r", "-y", "../../bundle.zip", "."], in: "src/rev")
        let fetched = try BundleFetcher(layout: sandbox.layout)
            .fetch(revision: sandbox.path + "/bundle.zip", groupID: "g-1", deploymentID: "d-1")

        #expect(fetched.type == .zip)
        #expect(try archiveTree(sandbox) == Self.expectedArchive)
        #expect(try sandbox.mode("host/deployment-root/g-1/d-1/deployment-archive/scripts/start.sh") == 0o755)
    }

    /// The agent saves every download as `bundle.tar`: the content decides.
    @Test(.enabled(if: Sandbox.has("zip") && Sandbox.has("unzip"), "needs zip and unzip"))
    func tellsAZipFromItsBytesWhateverItsName() throws {
        let sandbox = try Sandbox()
        try makeRevision(sandbox)
        try sandbox.run("zip", ["-q", "-r", "-y", "../../download.tar", "."], in: "src/rev")
        let fetched = try BundleFetcher(layout: sandbox.layout)
            .fetch(revision: sandbox.path + "/download.tar", groupID: "g-1", deploymentID: "d-1")
        #expect(fetched.type == .zip)
        #expect(try archiveTree(sandbox) == Self.expectedArchive)
    }

    /// GitHub tarballs wrap the repository in `<owner>-<repo>-<sha>/`.
    @Test func stripsASingleTopLevelDirectoryHoldingTheAppSpec() throws {
        let sandbox = try Sandbox()
        try makeRevision(sandbox, in: "src/octo-app-1a2b3c")
        try sandbox.run("tar", ["-czf", "../github.tgz", "octo-app-1a2b3c"], in: "src")
        let fetched = try BundleFetcher(layout: sandbox.layout)
            .fetch(revision: sandbox.path + "/github.tgz", groupID: "g-1", deploymentID: "d-1")

        #expect(fetched.strippedDirectory == "octo-app-1a2b3c")
        #expect(try archiveTree(sandbox) == Self.expectedArchive)
        #expect(!sandbox.exists("host/deployment-root/g-1/d-1/deployment-archive-temp"))
    }

    @Test func keepsASingleTopLevelDirectoryWithoutAnAppSpec() throws {
        let sandbox = try Sandbox()
        try sandbox.write("src/wrap/inner/appspec.yml", Self.appSpec)
        try sandbox.run("tar", ["-cf", "../wrapped.tar", "wrap"], in: "src")
        let revision = sandbox.path + "/wrapped.tar"
        #expect(throws: InstallError.appSpecMissing(bundle: revision, names: ["appspec.yml", "appspec.yaml"])) {
            try BundleFetcher(layout: sandbox.layout).fetch(revision: revision, groupID: "g-1", deploymentID: "d-1")
        }
        #expect(try archiveTree(sandbox) == ["wrap/", "wrap/inner/", "wrap/inner/appspec.yml"])
    }

    @Test func keepsTwoTopLevelEntriesAsTheyAre() throws {
        let sandbox = try Sandbox()
        try sandbox.write("src/two/app/appspec.yml", Self.appSpec)
        try sandbox.write("src/two/README", "")
        try sandbox.run("tar", ["-cf", "../../two.tar", "."], in: "src/two")
        #expect(throws: InstallError.self) {
            try BundleFetcher(layout: sandbox.layout)
                .fetch(revision: sandbox.path + "/two.tar", groupID: "g-1", deploymentID: "d-1")
        }
        #expect(try archiveTree(sandbox) == ["README", "app/", "app/appspec.yml"])
    }

    @Test func namesTheBundleWhenTheAppSpecIsMissing() throws {
        let sandbox = try Sandbox()
        try sandbox.write("src/rev/index.html", "hello")
        let revision = sandbox.path + "/src/rev"
        let error = #expect(throws: InstallError.self) {
            try BundleFetcher(layout: sandbox.layout).fetch(revision: revision, groupID: "g-1", deploymentID: "d-1")
        }
        #expect(error == .appSpecMissing(bundle: revision, names: ["appspec.yml", "appspec.yaml"]))
        #expect(error?.description == "the bundle \(revision) has no appspec.yml or appspec.yaml at its root; "
            + "put the appspec file at the top of the revision")
        #expect(error?.lifecycleErrorCode == .unknownError)
    }

    @Test func findsTheDeploymentsAppSpecNameThenTheUsualOnes() throws {
        let sandbox = try Sandbox()
        try sandbox.write("src/yaml/appspec.yaml", Self.appSpec)
        try sandbox.write("src/custom/deploy/spec.yml", Self.appSpec)
        try sandbox.write("src/custom/appspec.yml", Self.appSpec)
        let fetcher = BundleFetcher(layout: sandbox.layout)

        let yaml = try fetcher.fetch(revision: sandbox.path + "/src/yaml", groupID: "g-1", deploymentID: "d-1")
        #expect(yaml.archive.appSpecFile.hasSuffix("/d-1/deployment-archive/appspec.yaml"))
        let custom = try fetcher.fetch(
            revision: sandbox.path + "/src/custom", groupID: "g-1", deploymentID: "d-2",
            appSpecFilename: "deploy/spec.yml")
        #expect(custom.archive.appSpecFile.hasSuffix("/d-2/deployment-archive/deploy/spec.yml"))
    }

    @Test func refusesWhatIsNotABundle() throws {
        let sandbox = try Sandbox()
        try sandbox.write("notes.txt", "just text")
        let fetcher = BundleFetcher(layout: sandbox.layout)
        #expect(throws: InstallError.unsupportedBundle(path: sandbox.path + "/notes.txt")) {
            try fetcher.fetch(revision: sandbox.path + "/notes.txt", groupID: "g-1", deploymentID: "d-1")
        }
        #expect(throws: InstallError.revisionNotFound(path: sandbox.path + "/absent.zip")) {
            try fetcher.fetch(revision: sandbox.path + "/absent.zip", groupID: "g-1", deploymentID: "d-1")
        }
        #expect(throws: InstallError.invalidIdentifier(kind: "deployment id", value: "../d-1")) {
            try fetcher.fetch(revision: sandbox.path, groupID: "g-1", deploymentID: "../d-1")
        }
    }

    @Test func reportsACorruptArchiveWithTheToolsOutput() throws {
        let sandbox = try Sandbox()
        try sandbox.write("broken.tgz", "\u{1F}\u{8B} not really gzip")
        let error = #expect(throws: InstallError.self) {
            try BundleFetcher(layout: sandbox.layout)
                .fetch(revision: sandbox.path + "/broken.tgz", groupID: "g-1", deploymentID: "d-1")
        }
        guard case .extractionFailed(let bundle, let command, let status, _)? = error else {
            Issue.record("expected extractionFailed, got \(String(describing: error))")
            return
        }
        #expect(bundle == sandbox.path + "/broken.tgz")
        #expect(command.hasPrefix("tar -x -p -z -f "))
        #expect(status != 0)
    }

    /// A re-run of DownloadBundle replaces the archive instead of merging into it.
    @Test func startsARerunFromAnEmptyArchive() throws {
        let sandbox = try Sandbox()
        try makeRevision(sandbox)
        let fetcher = BundleFetcher(layout: sandbox.layout)
        try fetcher.fetch(revision: sandbox.path + "/src/rev", groupID: "g-1", deploymentID: "d-1")
        try sandbox.write("host/deployment-root/g-1/d-1/deployment-archive/stale.txt", "")
        try fetcher.fetch(revision: sandbox.path + "/src/rev", groupID: "g-1", deploymentID: "d-1")
        #expect(try archiveTree(sandbox) == Self.expectedArchive)
    }
}
