import CutoverCore
import CutoverLocal
import Foundation

/// Orchestration overhead on the local cloud: a OneAtATime deployment to `hosts` hosts of
/// a revision whose five hooks each sleep `hookMilliseconds`; its wall time against the
/// critical path (hosts × hooks × the sleep). Everything else — the daemon round trips,
/// bundles, installs, process spawns — is overhead.
func localOverheadBench(hosts: Int, hookMilliseconds: Int) throws {
    let fm = FileManager.default
    let root = NSTemporaryDirectory() + "cutover-overhead-" + UUID().uuidString
    let revision = root + "/revision"
    try fm.createDirectory(atPath: revision + "/scripts", withIntermediateDirectories: true)
    let events = ["ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService"]
    var appspec = "version: 0.0\nos: linux\nhooks:\n"
    let seconds = String(format: "%.3f", Double(hookMilliseconds) / 1000)
    for event in events {
        let path = revision + "/scripts/\(event).sh"
        try "#!/bin/sh\nsleep \(seconds)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        appspec += "  \(event):\n    - location: scripts/\(event).sh\n"
    }
    try appspec.write(toFile: revision + "/appspec.yml", atomically: true, encoding: .utf8)
    let daemon = try LocalDaemon.start(paths: LocalPaths(root: root + "/state"))
    defer {
        daemon.stop()
        try? fm.removeItem(atPath: root)
    }
    let client = ControlClient(port: daemon.port)
    let fleet: [Control.Host] = try client.send("POST", "/v1/hosts", Control.CreateHosts(prefix: "bench", count: hosts, tags: [:]))
    var hooksRun = 0
    var wall = 0.0
    // Twice: the second deployment also runs ApplicationStop (from the first revision).
    for round in 1...2 {
        let spec = DeploymentSpec(
            id: "d-BENCH\(round)", application: "bench", group: "bench", revision: "r\(round)",
            lastSuccessfulRevision: round == 1 ? nil : "r1",
            configuration: DeploymentConfiguration(name: "OneAtATime", platform: .server, minimumHealthyHosts: .oneAtATime),
            targets: fleet.map { TargetDescription(id: $0.name, revision: round == 1 ? nil : "r1") })
        let start = Date()
        let d = LocalDeployment(spec: spec, client: client, revisionPath: revision, groupID: "dg-bench")
        d.run()
        guard d.state.status == .succeeded else { fatalError("bench deployment ended \(d.state.status): \(d.state.message)") }
        if round == 2 {
            wall = Date().timeIntervalSince(start)
            hooksRun = hosts * events.count
        }
    }
    let critical = Double(hooksRun * hookMilliseconds) / 1000
    print(String(format: "local: OneAtATime over %d hosts, %d hooks of %d ms: wall %.2f s, critical path %.2f s, overhead %.2f s (%.0f ms per lifecycle event), ratio %.2f",
                 hosts, hooksRun, hookMilliseconds, wall, critical, wall - critical,
                 (wall - critical) * 1000 / Double(hosts * LifecycleEvent.serverInPlace.count), wall / critical))
}
