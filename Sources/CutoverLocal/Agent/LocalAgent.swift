import CutoverAppSpec
import CutoverCore
import Foundation

/// The agent inside the daemon: runs one lifecycle event on one host, as the CodeDeploy
/// agent does (reference §2, §15).
final class LocalAgent: Sendable {
    let fleet: Fleet
    let hooks = HookRunner()

    init(fleet: Fleet) { self.fleet = fleet }

    func run(_ request: Control.LifecycleRequest, on host: Control.Host) -> Control.LifecycleResult {
        guard let event = LifecycleEvent(rawValue: request.event) else {
            return .init(status: .failed, error: .unknownError, message: "unknown lifecycle event \(request.event)")
        }
        let deploymentRoot = host.directory + "/deployment-root"
        let deploymentDirectory = "\(deploymentRoot)/\(request.groupID)/\(request.deploymentID)"
        switch event {
        case .blockTraffic, .allowTraffic, .allowTestTraffic:
            // Traffic is the load balancer's business (the orchestrator drives it).
            return .init(status: .succeeded, error: .success, message: "")
        case .downloadBundle, .install:
            return .init(status: .failed, error: .unknownError, message: "\(event.rawValue) is not available in this daemon yet")
        default:
            break
        }
        // Hooks: the current archive, or for stop-type events the last successful one (§5.6).
        var archive = deploymentDirectory + "/deployment-archive"
        if event.usesLastSuccessfulRevision && !FileManager.default.fileExists(atPath: archive) {
            let pointer = "\(deploymentRoot)/deployment-instructions/\(request.groupID)_last_successful_install"
            guard let last = try? String(contentsOfFile: pointer, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) else {
                return .init(status: .skipped, error: .success, message: "no previous revision on this host")
            }
            archive = last + "/deployment-archive"
        }
        let appSpec: ServerAppSpec
        switch readAppSpec(archive) {
        case .success(let spec): appSpec = spec
        case .failure(let problem): return .init(status: .failed, error: .unknownError, message: problem.error)
        }
        let scripts = appSpec.hooks[event] ?? []
        if scripts.isEmpty { return .init(status: .succeeded, error: .success, message: "no scripts for \(event.rawValue)") }
        let environment = [
            "LIFECYCLE_EVENT": event.rawValue, "DEPLOYMENT_ID": request.deploymentID,
            "APPLICATION_NAME": request.application, "DEPLOYMENT_GROUP_NAME": request.group,
            "DEPLOYMENT_GROUP_ID": request.groupID,
            "CUTOVER_HOST": host.name, "CUTOVER_HOST_ROOT": host.directory + "/root", "CUTOVER_HOST_PORT": String(host.port),
            "PORT": String(host.port),
        ]
        let outcome = hooks.run(HookInvocation(event: event, scripts: scripts, archive: archive, environment: environment,
                                               workingDirectory: host.directory + "/root",
                                               logPath: deploymentDirectory + "/logs/scripts.log"))
        if !outcome.backgroundGroups.isEmpty {
            _ = try? fleet.update(host.name) { $0.processGroups = Array(Set($0.processGroups + outcome.backgroundGroups)).sorted() }
        }
        return .init(status: outcome.status, error: outcome.error, message: outcome.message, script: outcome.scriptName,
                     logTail: outcome.logTail)
    }

    func readAppSpec(_ archive: String) -> Result<ServerAppSpec, Control.Problem> {
        for name in ["appspec.yml", "appspec.yaml"] {
            let path = archive + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            do {
                let spec = try AppSpecParser.parse(text: String(decoding: data, as: UTF8.self), file: path)
                guard case .server(let server) = spec else {
                    return .failure(Control.Problem("\(path) is a \(spec.platform.rawValue) appspec, not a server one"))
                }
                return .success(server)
            } catch {
                return .failure(Control.Problem("invalid appspec:\n" + error.issues.map(\.description).joined(separator: "\n"),
                                                code: "INVALID_REVISION"))
            }
        }
        return .failure(Control.Problem("no appspec.yml in \(archive)", code: "INVALID_REVISION"))
    }
}
