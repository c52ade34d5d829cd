import CutoverCore
import Foundation
import Testing
@testable import CutoverLocal

/// Real deployments of the sample shop (examples/shop) to local hosts: a daemon in this
/// process, real hook scripts, real files, real HTTP on 127.0.0.1.
@Suite(.serialized) struct LocalDeploymentTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples").path

    let paths: LocalPaths
    let daemon: LocalDaemon.Running
    let client: ControlClient

    init() throws {
        paths = LocalPaths(root: NSTemporaryDirectory() + "cutover-local-" + UUID().uuidString)
        daemon = try LocalDaemon.start(paths: paths)
        client = ControlClient(port: daemon.port)
    }

    private func hosts(_ n: Int) throws -> [Control.Host] {
        try client.send("POST", "/v1/hosts", Control.CreateHosts(prefix: "shop", count: n, tags: ["app": "shop"]))
    }

    private func deploy(_ revision: String, to hosts: [Control.Host], config: MinimumHealthyHosts,
                        rollback: Bool = false, last: String? = nil, previous: [String: String] = [:]) -> LocalDeployment {
        let spec = DeploymentSpec(
            id: "d-TEST" + revision.suffix(2) + String(Int.random(in: 1000...9999)), application: "shop", group: "shop-prod",
            revision: revision, lastSuccessfulRevision: last,
            configuration: DeploymentConfiguration(name: "test", platform: .server, minimumHealthyHosts: config),
            targets: hosts.map { TargetDescription(id: $0.name, revision: previous[$0.name]) },
            autoRollback: AutoRollbackConfiguration(triggers: rollback ? [.deploymentFailure] : []))
        let d = LocalDeployment(spec: spec, client: client, revisionPath: Self.examples + "/shop/" + revision, groupID: "dg-shop")
        d.run()
        return d
    }

    /// GET over a plain socket (Foundation on Linux has no HTTP without FoundationNetworking).
    private func get(_ port: Int, _ path: String = "/") -> String? {
        guard let (status, body) = try? ControlClient(port: port).request("GET", path, body: nil), status == 200 else { return nil }
        return String(decoding: body, as: UTF8.self)
    }

    @Test func deploysTheShopThenUpdatesItInPlace() throws {
        defer { daemon.stop() }
        let fleet = try hosts(3)
        let v1 = deploy("v1", to: fleet, config: .fleetPercent(0))
        #expect(v1.state.status == .succeeded, "\(v1.state.message)")
        for host in fleet {
            // Files land under the host's root as the appspec says.
            let root = host.directory + "/root"
            #expect(FileManager.default.fileExists(atPath: root + "/srv/shop/server.py"))
            #expect(try String(contentsOfFile: root + "/srv/shop/VERSION", encoding: .utf8) == "v1\n")
            #expect(get(host.port) == "shop v1 on \(host.name)\n")
        }
        let previous = Dictionary(uniqueKeysWithValues: fleet.map { ($0.name, "v1") })
        let v2 = deploy("v2", to: fleet, config: .fleetPercent(50), last: "v1", previous: previous)
        #expect(v2.state.status == .succeeded, "\(v2.state.message)")
        #expect(v2.state.batches.map(\.count) == [1, 1, 1]) // 3 hosts at 50 %: M = 2, one at a time
        for host in fleet { #expect(get(host.port) == "shop v2 on \(host.name)\n") }
        // ApplicationStop ran v1's script this time.
        let stops = v2.log.filter { if case .lifecycleEnded(_, .applicationStop, .succeeded, _, _) = $0.event { true } else { false } }
        #expect(stops.count == 3)
        // Stopping the daemon stops the servers the hooks started.
        daemon.stop()
        for host in fleet { #expect(get(host.port) == nil) }
    }

    @Test func aFailingValidateServiceFailsThatHostAndRollbackRestoresV1() throws {
        defer { daemon.stop() }
        let fleet = try hosts(2)
        let v1 = deploy("v1", to: fleet, config: .fleetPercent(0))
        #expect(v1.state.status == .succeeded, "\(v1.state.message)")
        // A broken v2: its ValidateService fails.
        let broken = NSTemporaryDirectory() + "shop-broken-" + UUID().uuidString
        try FileManager.default.copyItem(atPath: Self.examples + "/shop/v2", toPath: broken)
        try "#!/bin/sh\necho 'health check failed' >&2\nexit 1\n".write(toFile: broken + "/scripts/validate.sh", atomically: true, encoding: .utf8)
        let spec = DeploymentSpec(
            id: "d-TESTBROKEN", application: "shop", group: "shop-prod", revision: "broken", lastSuccessfulRevision: "v1",
            configuration: DeploymentConfiguration(name: "OneAtATime", platform: .server, minimumHealthyHosts: .oneAtATime),
            targets: fleet.map { TargetDescription(id: $0.name, revision: "v1") },
            autoRollback: AutoRollbackConfiguration(triggers: [.deploymentFailure]))
        let d = LocalDeployment(spec: spec, client: client, revisionPath: broken, groupID: "dg-shop")
        d.run()
        #expect(d.state.status == .failed)
        #expect(d.state.targetStatus == [.failed, .skipped])
        let failure = d.log.compactMap { r -> String? in
            if case .lifecycleEnded(_, .validateService, .failed, .scriptFailed, let message) = r.event { return message }
            return nil
        }.first
        #expect(failure?.contains("health check failed") == true)
        #expect(d.rollbackRevision == "v1")
        // The rollback: a new deployment of v1, as CodeDeploy creates one.
        let rollback = deploy("v1", to: fleet, config: .oneAtATime, last: "v1",
                              previous: [fleet[0].name: "v1", fleet[1].name: "v1"])
        #expect(rollback.state.status == .succeeded, "\(rollback.state.message)")
        for host in fleet { #expect(get(host.port) == "shop v1 on \(host.name)\n") }
    }

    /// A bounded client loop through the load balancer sees only successful answers
    /// while HalfAtATime replaces v1 by v2 behind it.
    @Test func noFailedRequestsThroughTheLoadBalancerDuringAnInPlaceDeployment() throws {
        defer { daemon.stop() }
        let fleet = try hosts(4)
        let lb = try client.send("POST", "/v1/load-balancers",
                                 Control.CreateLoadBalancer(name: "shop", port: 0, healthPath: "/health", healthIntervalMilliseconds: 500),
                                 as: Control.LoadBalancer.self)
        func run(_ revision: String, _ rule: MinimumHealthyHosts, previous: String?) -> LocalDeployment {
            let spec = DeploymentSpec(
                id: "d-LB" + revision, application: "shop", group: "shop-prod", revision: revision, lastSuccessfulRevision: previous,
                configuration: DeploymentConfiguration(name: "test", platform: .server, minimumHealthyHosts: rule),
                targets: fleet.map { TargetDescription(id: $0.name, revision: previous) }, loadBalanced: true)
            let d = LocalDeployment(spec: spec, client: client, revisionPath: Self.examples + "/shop/" + revision, groupID: "dg-shop")
            d.local?.loadBalancer = "shop"
            d.run()
            return d
        }
        let v1 = run("v1", .fleetPercent(0), previous: nil)
        #expect(v1.state.status == .succeeded, "\(v1.state.message)")

        // The load: one client, sequential requests, until the deployment ends (at most 20 000).
        final class Tally: @unchecked Sendable {
            let lock = NSLock()
            var ok = 0, failed: [String] = [], versions = Set<String>(), stop = false
        }
        let tally = Tally()
        let done = DispatchSemaphore(value: 0)
        let port = lb.port
        Thread.detachNewThread {
            defer { done.signal() }
            for _ in 0..<20_000 {
                if tally.lock.withLock({ tally.stop }) { return }
                do {
                    let (status, body) = try ControlClient(port: port).request("GET", "/", body: nil)
                    let text = String(decoding: body, as: UTF8.self)
                    tally.lock.withLock {
                        if status == 200 {
                            tally.ok += 1
                            tally.versions.insert(String(text.split(separator: " ").dropFirst().first ?? ""))
                        } else {
                            tally.failed.append("HTTP \(status): \(text)")
                        }
                    }
                } catch {
                    tally.lock.withLock { tally.failed.append("\(error)") }
                }
            }
        }
        let v2 = run("v2", .fleetPercent(50), previous: "v1")
        tally.lock.withLock { tally.stop = true }
        done.wait()
        #expect(v2.state.status == .succeeded, "\(v2.state.message)")
        #expect(v2.state.batches.map(\.count) == [2, 2])
        tally.lock.withLock {
            #expect(tally.failed.isEmpty, "\(tally.failed.prefix(5))")
            #expect(tally.ok > 20)
            #expect(tally.versions == ["v1", "v2"])
        }
    }

    /// Two local clouds with hosts of the same name: stopping one leaves the other's
    /// applications running.
    @Test func stoppingOneCloudLeavesAnothersProcessesAlone() throws {
        defer { daemon.stop() }
        let otherPaths = LocalPaths(root: NSTemporaryDirectory() + "cutover-local-other-" + UUID().uuidString)
        let other = try LocalDaemon.start(paths: otherPaths)
        defer { other.stop() }
        let otherClient = ControlClient(port: other.port)
        let mine = try hosts(1)
        let theirs: [Control.Host] = try otherClient.send("POST", "/v1/hosts",
                                                          Control.CreateHosts(prefix: "shop", count: 1, tags: [:]))
        #expect(mine[0].name == theirs[0].name)
        #expect(deploy("v1", to: mine, config: .fleetPercent(0)).state.status == .succeeded)
        let spec = DeploymentSpec(
            id: "d-OTHER", application: "shop", group: "shop-prod", revision: "v1",
            configuration: DeploymentConfiguration(name: "all", platform: .server, minimumHealthyHosts: .fleetPercent(0)),
            targets: theirs.map { TargetDescription(id: $0.name) })
        let d = LocalDeployment(spec: spec, client: otherClient, revisionPath: Self.examples + "/shop/v1", groupID: "dg-shop")
        d.run()
        #expect(d.state.status == .succeeded)
        daemon.stop()
        #expect(get(mine[0].port) == nil)
        #expect(get(theirs[0].port) == "shop v1 on \(theirs[0].name)\n")
    }
}
