import CutoverAppSpec
import CutoverCore

/// Why DownloadBundle or Install failed on a host.
///
/// Every case names the file or path at fault, so that the description alone can be the
/// message of a failed lifecycle event (`lifecycleErrorCode`, which is `UnknownError` for
/// all of them, as it is for the agent's copy and unpack failures). Paths on the instance
/// (`/var/www/app/index.html`) are given as the appspec names them; paths of the agent's
/// own files (bundles, archives) are host paths.
public enum InstallError: Error, Sendable, Equatable, CustomStringConvertible {
    // MARK: - Inputs

    /// A deployment group or deployment id that cannot be one directory name.
    case invalidIdentifier(kind: String, value: String)
    /// An instance path that is not absolute.
    case notAbsolute(path: String)
    /// An instance path whose `..` climbs above `/`, i.e. out of the host's root directory.
    case outsideRoot(path: String)
    /// An existing directory on the instance that resolves (through a symlink) outside the
    /// host's root directory, where installing would write to the real machine.
    case resolvesOutsideRoot(path: String, resolved: String)
    /// A `files` source (or the appspec name) whose `..` climbs out of the bundle.
    case outsideBundle(path: String)

    // MARK: - DownloadBundle

    case revisionNotFound(path: String)
    /// Not a directory and not recognisably a zip, tar or gzip-compressed tar file.
    case unsupportedBundle(path: String)
    /// `tar` or `unzip` is not installed.
    case toolMissing(tool: String, package: String)
    case extractionFailed(bundle: String, command: String, status: Int32, output: String)
    case appSpecMissing(bundle: String, names: [String])

    // MARK: - Install

    /// Install ran before DownloadBundle produced the archive.
    case archiveMissing(path: String)
    case appSpecUnreadable(path: String, reason: String)
    case invalidAppSpec(AppSpecError)
    /// An ECS or Lambda appspec given to a server host.
    case notServerAppSpec(path: String, platform: ComputePlatform)
    /// `os: windows` given to this (Linux-like) agent.
    case unsupportedOperatingSystem(path: String, os: String)
    case sourceMissing(source: String, archive: String)
    /// `file_exists_behavior: DISALLOW` and the file is there.
    case fileExists(path: String)
    /// Two sources install the same destination file.
    case duplicateDestination(path: String, firstSource: String, secondSource: String)
    /// The appspec both copies a file to `path` and creates a directory there.
    case fileAndDirectory(path: String)
    /// A file (or dangling symlink) already on the instance where a directory must go.
    case notADirectory(path: String)
    /// A directory already on the instance where `OVERWRITE` must put a file.
    case isADirectory(path: String)
    /// The same object selected by two `permissions` entries.
    case duplicatePermission(path: String)
    /// A `permissions` entry for a single file that has a `pattern`.
    case patternOnFile(object: String, pattern: String)
    /// A `permissions` entry for a single file that has `except`.
    case exceptOnFile(object: String, except: [String])
    /// A default (`d:`) ACL entry selected for a file.
    case defaultACLOnFile(path: String)
    case unknownUser(name: String, path: String)
    case unknownGroup(name: String, path: String)
    case aclFailed(path: String, command: String, status: Int32, output: String)
    /// A socket, FIFO or device in the bundle.
    case unsupportedFileType(path: String)
    /// A system call failed; `reason` is `strerror`'s text.
    case fileSystem(operation: String, path: String, reason: String)

    /// The code a failed DownloadBundle or Install event reports.
    public var lifecycleErrorCode: LifecycleErrorCode { .unknownError }

    public var description: String {
        switch self {
        case .invalidIdentifier(let kind, let value):
            "invalid \(kind) `\(value)`: it must be one non-empty directory name without `/` "
                + "(and not `.`, `..`, deployment-instructions or deployment-logs)"
        case .notAbsolute(let path):
            "`\(path)` is not an absolute path; destinations and permission objects must be fully qualified, "
                + "such as /var/www/app"
        case .outsideRoot(let path):
            "`\(path)` climbs above `/` with `..`; write the path without `..`"
        case .resolvesOutsideRoot(let path, let resolved):
            "\(path) is a symlink to \(resolved), outside this host's root directory; "
                + "installing through it would write to the real machine"
        case .outsideBundle(let path):
            "`\(path)` climbs out of the bundle with `..`; sources are paths inside the bundle"
        case .revisionNotFound(let path):
            "the revision \(path) does not exist"
        case .unsupportedBundle(let path):
            "the revision \(path) is not a directory, zip, tar or tgz bundle"
        case .toolMissing(let tool, let package):
            "`\(tool)` is needed to unpack this bundle but is not installed; install the Debian package \(package)"
        case .extractionFailed(let bundle, let command, let status, let output):
            "could not unpack the bundle \(bundle): `\(command)` exited with status \(status)"
                + (output.isEmpty ? "" : ": \(output)")
        case .appSpecMissing(let bundle, let names):
            "the bundle \(bundle) has no \(names.joined(separator: " or ")) at its root; "
                + "put the appspec file at the top of the revision"
        case .archiveMissing(let path):
            "the deployment archive \(path) does not exist; DownloadBundle must run before Install"
        case .appSpecUnreadable(let path, let reason):
            "could not read the appspec \(path): \(reason)"
        case .invalidAppSpec(let error):
            error.description
        case .notServerAppSpec(let path, let platform):
            "\(path) is \(platform == .ecs ? "an" : "a") \(platform.rawValue) appspec; a host needs a server appspec "
                + "with `os` and `files`"
        case .unsupportedOperatingSystem(let path, let os):
            "\(path) is for `os: \(os)`; this host runs linux"
        case .sourceMissing(let source, let archive):
            "the source `\(source)` named in the appspec's files section is not in the bundle (\(archive))"
        case .fileExists(let path):
            "The deployment failed because a specified file already exists at this location: \(path) "
                + "(it was not installed by the previous deployment; set file_exists_behavior to OVERWRITE or RETAIN, "
                + "or remove the file)"
        case .duplicateDestination(let path, let firstSource, let secondSource):
            "the appspec installs two source files, \(firstSource) and \(secondSource), at the same destination "
                + "\(path); remove one of them from the files section"
        case .fileAndDirectory(let path):
            "the appspec installs a file at \(path) and also needs a directory there; "
                + "change the destinations in the files section"
        case .notADirectory(let path):
            "\(path) is a file on the instance, but the appspec needs a directory there"
        case .isADirectory(let path):
            "\(path) is a directory on the instance, so OVERWRITE cannot replace it with a file"
        case .duplicatePermission(let path):
            "the permissions for \(path) are set by more than one permissions entry; "
                + "merge the entries or narrow them with pattern and except"
        case .patternOnFile(let object, let pattern):
            "the permissions entry for \(object) has pattern `\(pattern)`, but \(object) is a file; "
                + "remove the pattern or name the directory above it"
        case .exceptOnFile(let object, let except):
            "the permissions entry for \(object) has except \(except), but \(object) is a file; remove `except`"
        case .defaultACLOnFile(let path):
            "a default (d:) ACL entry would be set on the file \(path); default ACLs apply to directories only"
        case .unknownUser(let name, let path):
            "cannot set the owner of \(path): there is no user `\(name)`"
        case .unknownGroup(let name, let path):
            "cannot set the group of \(path): there is no group `\(name)`"
        case .aclFailed(let path, let command, let status, let output):
            "could not set the ACL of \(path): `\(command)` exited with status \(status)"
                + (output.isEmpty ? "" : ": \(output)")
        case .unsupportedFileType(let path):
            "\(path) is not a regular file, directory or symlink, so it cannot be installed"
        case .fileSystem(let operation, let path, let reason):
            "could not \(operation) \(path): \(reason)"
        }
    }
}
