@testable import CutoverAWS
import CutoverCore
import Foundation
import Testing

/// The scripts a server deployment sends through SSM, run for real with `sh` against a
/// temporary directory standing in for the instance (destinations and the deployment
/// root point into it). The bundle is fetched from a file:// URL by curl.
@Suite struct InstanceScriptsTests {
    let dir: TemporaryDirectory
    let root: String

    init() throws {
        dir = try TemporaryDirectory()
        root = dir.path + "/deployment-root"
    }

    /// Runs `script` with sh; its exit status and standard output.
    func sh(_ script: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    func mode(_ path: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    /// A revision: app/ (two files and a subdirectory), a config file, hook scripts.
    func revision(_ name: String, version: String, hooks: [String: String] = [:]) throws -> String {
        let r = dir.path + "/" + name
        try dir.write("\(name)/app/server.py", "print('\(version)')\n")
        try dir.write("\(name)/app/lib/util.py", "# util\n")
        try dir.write("\(name)/app/README", "shop \(version)\n")
        try dir.write("\(name)/config/shop.conf", "version=\(version)\n")
        for (file, text) in hooks { try dir.write("\(name)/scripts/\(file)", text) }
        return r
    }

    /// Packs and "downloads" a revision for deployment `id` (curl reads file:// URLs).
    func download(_ revision: String, _ scripts: InstanceScripts, _ appSpec: ServerAppSpec) throws -> (status: Int32, output: String) {
        let archive = dir.path + "/\(scripts.deploymentID).tar.gz"
        try RevisionBundle.pack(revision, into: archive)
        return try sh(scripts.downloadBundle(url: "file://" + archive, appSpec: appSpec))
    }

    func appSpec(_ behavior: FileExistsBehavior? = nil, hooks: [LifecycleEvent: [HookScript]] = [:]) -> ServerAppSpec {
        ServerAppSpec(os: .linux,
                      files: [FileMapping(source: "app", destination: dir.path + "/srv/shop/"),
                              FileMapping(source: "/config/shop.conf", destination: dir.path + "/etc/shop")],
                      fileExistsBehavior: behavior,
                      permissions: [Permission(object: dir.path + "/srv/shop", pattern: "*.py", mode: 0o750, types: [.file]),
                                    Permission(object: dir.path + "/srv/shop", mode: 0o700, types: [.directory])],
                      hooks: hooks)
    }

    @Test func installCopiesWithTheAgentsRulesAndRecordsWhatItPutThere() throws {
        let scripts = InstanceScripts(root: root, groupID: "dg-shop", deploymentID: "d-1")
        let spec = appSpec()
        #expect(try download(try revision("v1", version: "1"), scripts, spec).status == 0)
        let run = try sh(scripts.install(spec))
        #expect(run.status == 0, "\(run.output)")
        // A directory source's contents land in the destination; a file source inside it.
        #expect(read(dir.path + "/srv/shop/server.py") == "print('1')\n")
        #expect(read(dir.path + "/srv/shop/lib/util.py") == "# util\n")
        #expect(read(dir.path + "/etc/shop/shop.conf") == "version=1\n")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/srv/shop/app"))
        // Permissions: "*.py" matches names directly below the object only; directories
        // the deployment created below it (not the object itself) get theirs.
        #expect(try mode(dir.path + "/srv/shop/server.py") == 0o750)
        #expect(try mode(dir.path + "/srv/shop/lib/util.py") != 0o750)
        #expect(try mode(dir.path + "/srv/shop/README") != 0o750)
        #expect(try mode(dir.path + "/srv/shop/lib") == 0o700)
        #expect(try mode(dir.path + "/srv/shop") != 0o700)
        // The cleanup file lists what was created (missing parents too), in order.
        let cleanup = try #require(read(scripts.cleanupFile)).split(separator: "\n").map(String.init)
        #expect(cleanup.contains(dir.path + "/srv"))
        #expect(cleanup.firstIndex(of: dir.path + "/srv/shop")! < cleanup.firstIndex(of: dir.path + "/srv/shop/server.py")!)
        #expect(!cleanup.contains(dir.path))
        #expect(read(scripts.lastSuccessfulInstallFile) == scripts.deploymentDirectory + "\n")
    }

    @Test func fileExistsBehaviorDecidesForFilesTheLastInstallDidNotPutThere() throws {
        let stray = try dir.write("srv/shop/README", "someone else's\n")
        let v1 = try revision("v1", version: "1")

        // DISALLOW (the default): the deployment fails on that instance, saying where.
        let first = InstanceScripts(root: root, groupID: "dg-shop", deploymentID: "d-1")
        #expect(try download(v1, first, appSpec()).status == 0)
        let refused = try sh(first.install(appSpec()))
        #expect(refused.status != 0)
        let outcome = AWSServerExecutor.outcome(of: SSM.Invocation(commandID: "c", instanceID: "i-1", status: "Failed",
                                                                   responseCode: 1, standardOutput: refused.output))
        #expect(outcome.status == .failed && outcome.code == .unknownError)
        #expect(outcome.message.contains("a specified file already exists at this location: \(stray)"), "\(outcome.message)")

        // RETAIN keeps it (and does not list it for cleanup).
        let retained = try sh(first.install(appSpec(.retain)))
        #expect(retained.status == 0, "\(retained.output)")
        #expect(read(stray) == "someone else's\n")
        #expect(!(read(first.cleanupFile) ?? "").contains(stray))

        // OVERWRITE replaces it.
        let overwritten = try sh(first.install(appSpec(.overwrite)))
        #expect(overwritten.status == 0, "\(overwritten.output)")
        #expect(read(stray) == "shop 1\n")

        // The next Install removes what this one put there first: DISALLOW does not
        // trip over the previous revision's own files, and files gone from the
        // revision are gone from the instance.
        let v2 = try revision("v2", version: "2")
        try FileManager.default.removeItem(atPath: v2 + "/app/lib")
        let second = InstanceScripts(root: root, groupID: "dg-shop", deploymentID: "d-2")
        #expect(try download(v2, second, appSpec()).status == 0)
        let again = try sh(second.install(appSpec()))
        #expect(again.status == 0, "\(again.output)")
        #expect(read(dir.path + "/srv/shop/server.py") == "print('2')\n")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/srv/shop/lib"))
    }

    @Test func twoSourcesForOneFileFailTheInstall() throws {
        let scripts = InstanceScripts(root: root, groupID: "dg-shop", deploymentID: "d-1")
        let spec = ServerAppSpec(os: .linux, files: [FileMapping(source: "app/README", destination: dir.path + "/out"),
                                                     FileMapping(source: "app", destination: dir.path + "/out")])
        #expect(try download(try revision("v1", version: "1"), scripts, spec).status == 0)
        let run = try sh(scripts.install(spec))
        #expect(run.status != 0 && run.output.contains("cutover: UnknownError: two files of the appspec go to \(dir.path)/out/README"), "\(run.output)")
    }

    @Test func hooksRunWithTheAgentsVariablesAndStopTypeOnesFromTheLastSuccessfulInstall() throws {
        let env = "#!/bin/sh\necho \"$LIFECYCLE_EVENT $DEPLOYMENT_ID $APPLICATION_NAME $DEPLOYMENT_GROUP_NAME $DEPLOYMENT_GROUP_ID in $(pwd)\"\n"
        let hooks: [LifecycleEvent: [HookScript]] = [.applicationStart: [HookScript(location: "scripts/start.sh", timeout: .seconds(10))],
                                                     .applicationStop: [HookScript(location: "/scripts/stop.sh")]]
        let v1 = try revision("v1", version: "1", hooks: ["start.sh": env, "stop.sh": "#!/bin/sh\necho stopping v1\n"])
        let first = InstanceScripts(root: root, groupID: "dg-shop", deploymentID: "d-1")
        let spec = appSpec(.overwrite, hooks: hooks)

        // First deployment: no previous install, ApplicationStop (before DownloadBundle) is skipped.
        let stop = try sh(first.hookEvent(.applicationStop, application: "shop", groupName: "web"))
        #expect(stop.status == 0 && stop.output.contains("cutover: Skipped: no previous revision"), "\(stop.output)")
        let skipped = AWSServerExecutor.outcome(of: SSM.Invocation(commandID: "c", instanceID: "i", status: "Success", standardOutput: stop.output))
        #expect(skipped.status == .skipped)
        #expect(try download(v1, first, spec).status == 0)
        #expect(try sh(first.install(spec)).status == 0)
        let start = try sh(first.hookEvent(.applicationStart, application: "shop", groupName: "web"))
        #expect(start.status == 0, "\(start.output)")
        #expect(start.output.contains("ApplicationStart d-1 shop web dg-shop in /"), "\(start.output)")
        #expect(read(first.deploymentDirectory + "/logs/scripts.log")?.contains("[d-1] ApplicationStart scripts/start.sh (exit 0)") == true)

        // Second deployment: ApplicationStop runs v1's script (its archive is not there
        // yet), with the new deployment's variables.
        let v2 = try revision("v2", version: "2", hooks: ["start.sh": "#!/bin/sh\necho broken >&2\nexit 3\n", "stop.sh": "#!/bin/sh\necho stopping v2\n"])
        let second = InstanceScripts(root: root, groupID: "dg-shop", deploymentID: "d-2")
        let stopV1 = try sh(second.hookEvent(.applicationStop, application: "shop", groupName: "web"))
        #expect(stopV1.status == 0 && stopV1.output.contains("stopping v1"), "\(stopV1.output)")
        #expect(try download(v2, second, spec).status == 0)
        #expect(try sh(second.install(spec)).status == 0)

        // A failing script: ScriptFailed with the exit status, the output in the message.
        let failed = try sh(second.hookEvent(.applicationStart, application: "shop", groupName: "web"))
        #expect(failed.status != 0)
        let outcome = AWSServerExecutor.outcome(of: SSM.Invocation(commandID: "c", instanceID: "i", status: "Failed", responseCode: 1,
                                                                   standardOutput: failed.output))
        #expect(outcome.code == .scriptFailed)
        #expect(outcome.message.hasPrefix("scripts/start.sh exited with status 3\n"), "\(outcome.message)")
        #expect(outcome.message.contains("broken"))
    }

    @Test func aScriptOverItsTimeoutIsStoppedAndAMissingOneSaysSo() throws {
        let hooks: [LifecycleEvent: [HookScript]] = [
            .validateService: [HookScript(location: "scripts/slow.sh", timeout: .seconds(1))],
            .afterInstall: [HookScript(location: "scripts/absent.sh")],
        ]
        let v1 = try revision("v1", version: "1", hooks: ["slow.sh": "#!/bin/sh\nsleep 30\n"])
        let scripts = InstanceScripts(root: root, groupID: "dg-shop", deploymentID: "d-1")
        #expect(try download(v1, scripts, appSpec(hooks: hooks)).status == 0)
        let started = ContinuousClock.now
        let slow = try sh(scripts.hookEvent(.validateService, application: "shop", groupName: "web"))
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(slow.output.contains("cutover: ScriptTimedOut: scripts/slow.sh ran longer than 1 seconds"), "\(slow.output)")
        let absent = try sh(scripts.hookEvent(.afterInstall, application: "shop", groupName: "web"))
        #expect(absent.output.contains("cutover: ScriptMissing:"), "\(absent.output)")
    }

    @Test func quotingAndGlobs() {
        #expect(InstanceScripts.quote("it's") == #"'it'\''s'"#)
        #expect(InstanceScripts.casePattern("*.py") == "*'.py'")
        #expect(InstanceScripts.casePattern("*") == "*")
        #expect(InstanceScripts.casePattern("a?[b]*") == "'a?[b]'*")
        #expect(InstanceScripts.relative("/") == ".")
        #expect(InstanceScripts.relative("/app/") == "app")
        #expect(InstanceScripts.normalized("/srv//shop/") == "/srv/shop")
    }
}
