import CutoverAppSpec
import CutoverCore
import Foundation

/// The agent inside the daemon: runs one lifecycle event on one host, as the CodeDeploy
/// agent does (reference §2, §15).
final class LocalAgent: Sendable {
    let fleet: Fleet
    let loadBalancers: LocalLoadBalancers
    let hooks = HookRunner()
    let runs = LifecycleRuns()

    init(fleet: Fleet, loadBalancers: LocalLoadBalancers) {
        self.fleet = fleet
        self.loadBalancers = loadBalancers
    }

    /// Runs the event once: asked again for the same deployment, host and event (an
    /// orchestrator resuming after it was killed), it waits for the run in progress or
    /// answers with the result it had.
    func run(_ request: Control.LifecycleRequest, on host: Control.Host) -> Control.LifecycleResult {
        // (A launch deployment registers a host with each of its load balancers: one
        // AllowTraffic each.)
        runs.once("\(request.deploymentID) \(host.name) \(request.event) \(request.loadBalancer ?? "")") { runEvent(request, on: host) }
    }

    private func runEvent(_ request: Control.LifecycleRequest, on host: Control.Host) -> Control.LifecycleResult {
        guard let event = LifecycleEvent(rawValue: request.event) else {
            return .init(status: .failed, error: .unknownError, message: "unknown lifecycle event \(request.event)")
        }
        let layout = HostLayout(directory: host.directory)
        let group = request.groupID, deployment = request.deploymentID
        switch event {
        case .blockTraffic, .allowTraffic:
            guard let name = request.loadBalancer else {
                return .init(status: .succeeded, error: .success, message: "no load balancer")
            }
            do {
                let message = event == .blockTraffic
                    ? try loadBalancers.block(host: host.port, in: name)
                    : try loadBalancers.allow(host: host.port, in: name)
                return .init(status: .succeeded, error: .success, message: message)
            } catch {
                return .init(status: .failed, error: .unknownError,
                             message: "\(event == .blockTraffic ? "deregistering from" : "registering with") load balancer \(name): \(error)")
            }
        case .allowTestTraffic:
            return .init(status: .succeeded, error: .success, message: "")
        case .downloadBundle:
            do {
                let bundle = try BundleFetcher(layout: layout).fetch(revision: request.revision, groupID: group, deploymentID: deployment)
                return .init(status: .succeeded, error: .success, message: "\(bundle.type) bundle unpacked")
            } catch {
                return .init(status: .failed, error: error.lifecycleErrorCode, message: error.description)
            }
        case .install:
            do {
                let behavior = request.fileExistsBehavior.flatMap { FileExistsBehavior(rawValue: $0) }
                let result = try Installer(layout: layout).install(groupID: group, deploymentID: deployment,
                                                                   fileExistsBehavior: behavior)
                let warnings = result.warnings.map { "\($0)" }.joined(separator: "; ")
                return .init(status: .succeeded, error: .success,
                             message: "\(result.copiedFiles.count) file(s) copied" + (warnings.isEmpty ? "" : "; \(warnings)"))
            } catch {
                return .init(status: .failed, error: error.lifecycleErrorCode, message: error.description)
            }
        default:
            break
        }
        // Hooks: the current archive, or for stop-type events the last successful one (§5.6).
        guard let archiveDirectory = layout.scriptArchive(for: event, groupID: group, deploymentID: deployment) else {
            return .init(status: .skipped, error: .success, message: "no previous revision on this host")
        }
        let appSpec: ServerAppSpec
        do {
            appSpec = try DeploymentArchive.locate(in: archiveDirectory).loadAppSpec()
        } catch {
            return .init(status: .failed, error: error.lifecycleErrorCode, message: error.description)
        }
        let scripts = appSpec.hooks[event] ?? []
        if scripts.isEmpty { return .init(status: .succeeded, error: .success, message: "no scripts for \(event.rawValue)") }
        let environment = [
            "LIFECYCLE_EVENT": event.rawValue, "DEPLOYMENT_ID": deployment,
            "APPLICATION_NAME": request.application, "DEPLOYMENT_GROUP_NAME": request.group,
            "DEPLOYMENT_GROUP_ID": group,
            "CUTOVER_HOST": host.name, "CUTOVER_HOST_ROOT": layout.root, "CUTOVER_HOST_PORT": String(host.port),
            "PORT": String(host.port),
        ]
        let outcome = hooks.run(HookInvocation(event: event, scripts: scripts, archive: archiveDirectory, environment: environment,
                                               workingDirectory: layout.root,
                                               logPath: layout.scriptLog(groupID: group, deploymentID: deployment)))
        if !outcome.backgroundGroups.isEmpty {
            _ = try? fleet.update(host.name) { $0.processGroups = Array(Set($0.processGroups + outcome.backgroundGroups)).sorted() }
        }
        return .init(status: outcome.status, error: outcome.error, message: outcome.message, script: outcome.scriptName,
                     logTail: outcome.logTail)
    }
}

/// Lifecycle events by deployment, host and event: running, or their result. A deployment
/// runs each event once on each host, so a second request is a retry of the first (the
/// orchestrator lost the answer): it must not run the scripts again.
final class LifecycleRuns: @unchecked Sendable {
    private let condition = NSCondition()
    /// nil while running.
    private var results: [String: Control.LifecycleResult?] = [:]
    private var order: [String] = []
    /// Results kept: enough for every event of the deployments of a long session.
    static let capacity = 20_000

    func once(_ key: String, _ body: () -> Control.LifecycleResult) -> Control.LifecycleResult {
        condition.lock()
        while let entry = results[key] {
            if let result = entry {
                condition.unlock()
                return result
            }
            condition.wait()
        }
        results[key] = .some(nil)
        order.append(key)
        condition.unlock()
        let result = body()
        condition.lock()
        results[key] = result
        if order.count > Self.capacity {
            for old in order.prefix(order.count - Self.capacity) { results[old] = nil }
            order.removeFirst(order.count - Self.capacity)
        }
        condition.broadcast()
        condition.unlock()
        return result
    }
}
