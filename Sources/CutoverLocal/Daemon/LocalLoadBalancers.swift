import CutoverLoadBalancer
import Foundation

/// The daemon's load balancers: one listener and one target group each, on
/// 127.0.0.1. Hosts are the targets (their application port). BlockTraffic drains a
/// host out; AllowTraffic registers it and waits until it is healthy, as CodeDeploy
/// waits behind an ELB (reference §5.2).
final class LocalLoadBalancers: @unchecked Sendable {
    struct Definition: Codable, Sendable, Equatable {
        var name: String
        var port: Int
        var healthPath: String
        var healthIntervalMilliseconds: Int
    }

    let balancer = LoadBalancer(threads: 1)
    private let lock = NSLock()
    private var definitions: [Definition] = []
    private let file: String
    /// How long AllowTraffic waits for a host to turn healthy, and a drain lasts.
    var healthTimeout: Duration = .seconds(60)
    var drainTimeout: Duration = .seconds(30)

    init(paths: LocalPaths) {
        file = paths.root + "/load-balancers.json"
    }

    /// Re-creates the load balancers of an earlier run (same names and ports).
    func restore() {
        guard let data = FileManager.default.contents(atPath: file),
              let saved = try? JSONDecoder().decode([Definition].self, from: data) else { return }
        for definition in saved { _ = try? create(definition) }
    }

    func list() -> [Control.LoadBalancer] {
        lock.withLock { definitions }.map(describe)
    }

    func describe(_ d: Definition) -> Control.LoadBalancer {
        let targets = balancer.targetGroup(named: d.name)?.targetHealth().map {
            Control.LoadBalancerTarget(port: $0.target.port, state: "\($0.state)")
        } ?? []
        return Control.LoadBalancer(name: d.name, port: d.port, url: "http://127.0.0.1:\(d.port)", healthPath: d.healthPath,
                                    targets: targets)
    }

    /// Creates a load balancer, or returns the one of that name.
    func create(_ request: Definition) throws -> Control.LoadBalancer {
        if let existing = lock.withLock({ definitions.first { $0.name == request.name } }) { return describe(existing) }
        let health = HealthCheck(path: request.healthPath, interval: .milliseconds(request.healthIntervalMilliseconds),
                                 timeout: .seconds(2), healthyThreshold: 2, unhealthyThreshold: 2)
        let group: TargetGroup
        do {
            group = try balancer.createTargetGroup(name: request.name, healthCheck: health)
        } catch {
            throw Control.Problem("load balancer \(request.name): \(error)", code: "ELASTIC_LOAD_BALANCING_INVALID")
        }
        let balancer = self.balancer
        let listener: Listener
        do {
            listener = try blocking { try await balancer.createListener(port: request.port, action: .forward(group)) }
        } catch {
            try? blocking { try await balancer.deleteTargetGroup(named: request.name) }
            throw Control.Problem("load balancer \(request.name): \(error)", code: "ELASTIC_LOAD_BALANCING_INVALID")
        }
        var definition = request
        definition.port = listener.port
        lock.withLock { definitions.append(definition) }
        save()
        return describe(definition)
    }

    /// BlockTraffic: no new requests to the host; in-flight ones finish.
    func block(host port: Int, in name: String) throws -> String {
        guard let group = balancer.targetGroup(named: name) else { throw Control.Problem("no load balancer named \(name)", code: "MISSING_ELB_INFORMATION") }
        let target = Target(port: port)
        guard group.health(of: target) != nil else { return "not registered" }
        let timeout = drainTimeout
        let outcome = try blocking { try await group.deregister(target, drainTimeout: timeout) }
        return "deregistered (\(outcome))"
    }

    /// AllowTraffic: registers the host and waits until the health checks pass.
    func allow(host port: Int, in name: String) throws -> String {
        guard let group = balancer.targetGroup(named: name) else { throw Control.Problem("no load balancer named \(name)", code: "MISSING_ELB_INFORMATION") }
        let target = Target(port: port)
        if group.health(of: target) == nil { try group.register(target) }
        let timeout = healthTimeout
        try blocking { try await group.waitUntilHealthy(target, timeout: timeout) }
        return "registered and healthy"
    }

    func shutdown() {
        let balancer = self.balancer
        try? blocking { await balancer.shutdown(gracePeriod: .seconds(2)) }
    }

    private func save() {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try? encoder.encode(lock.withLock { definitions }).write(to: URL(fileURLWithPath: file), options: .atomic)
    }
}
