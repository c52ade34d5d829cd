import CutoverAppSpec
import CutoverCore

/// An unpacked revision on a host (`…/<deployment-id>/deployment-archive`) and the appspec
/// at its root.
public struct DeploymentArchive: Sendable, Hashable {
    /// What the deployment names when it does not say (the agent's `AppSpecFilename` default).
    public static let defaultAppSpecFilename = "appspec.yml"

    /// The host path of the unpacked revision; `files` sources and hook locations are relative to it.
    public var directory: String
    /// The host path of the appspec file found in it.
    public var appSpecFile: String

    public init(directory: String, appSpecFile: String) {
        self.directory = directory
        self.appSpecFile = appSpecFile
    }

    /// The names tried, in order: the deployment's name, then `appspec.yaml`, then
    /// `appspec.yml`, as the agent tries them (reference §2.1).
    public static func candidateNames(for appSpecFilename: String) -> [String] {
        var names: [String] = []
        for name in [appSpecFilename, "appspec.yaml", "appspec.yml"] where !names.contains(name) {
            names.append(name)
        }
        return names
    }

    /// Finds the appspec in `directory`. `bundle` names the revision in the error when
    /// there is none (it defaults to the directory).
    public static func locate(
        in directory: String, appSpecFilename: String = defaultAppSpecFilename, bundle: String? = nil
    ) throws(InstallError) -> DeploymentArchive {
        guard HostFiles.isDirectory(directory) else { throw .archiveMissing(path: directory) }
        let names = candidateNames(for: appSpecFilename)
        for name in names {
            let path = try BundlePath.resolve(name, in: directory)
            if let info = try HostFiles.target(of: path), info.kind == .regular {
                return DeploymentArchive(directory: directory, appSpecFile: path)
            }
        }
        throw .appSpecMissing(bundle: bundle ?? directory, names: names)
    }

    /// Reads and checks the appspec: it must parse, be a server appspec and be for Linux.
    /// Parse errors keep their `file:line:col` positions, naming `appSpecFile`.
    public func loadAppSpec() throws(InstallError) -> ServerAppSpec {
        let text: String?
        do {
            text = try HostFiles.readText(appSpecFile)
        } catch {
            throw .appSpecUnreadable(path: appSpecFile, reason: Self.reason(error))
        }
        guard let text else { throw .appSpecUnreadable(path: appSpecFile, reason: "it does not exist") }
        let appSpec: AppSpec
        do {
            appSpec = try AppSpecParser.parse(text: text, file: appSpecFile)
        } catch {
            throw .invalidAppSpec(error)
        }
        guard case .server(let server) = appSpec else {
            throw .notServerAppSpec(path: appSpecFile, platform: appSpec.platform)
        }
        guard server.os == .linux else {
            throw .unsupportedOperatingSystem(path: appSpecFile, os: server.os.rawValue)
        }
        return server
    }

    private static func reason(_ error: InstallError) -> String {
        switch error {
        case .fileSystem(_, _, let reason): reason
        default: error.description
        }
    }
}
