import CutoverCore
import CutoverLocal
import Foundation
import Testing

/// A temporary directory holding one local host (`host/`) and whatever a test builds
/// beside it (`src/`, bundles), removed when the test ends.
final class Sandbox {
    let path: String
    let layout: HostLayout

    init() throws {
        var temporary = NSTemporaryDirectory()
        while temporary.hasSuffix("/") { temporary.removeLast() }
        var template = Array((temporary + "/cutover-install-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let path = try #require(made.map { String(cString: $0) })
        self.path = path
        self.layout = HostLayout(directory: path + "/host")
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    // MARK: - Building files

    /// Writes a file below the sandbox, creating its parents.
    func write(_ relative: String, _ contents: String = "", mode: Int? = nil) throws {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: file))
        if let mode { try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file) }
    }

    func makeDirectory(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/" + relative, withIntermediateDirectories: true)
    }

    func symlink(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path + "/" + relative, withDestinationPath: target)
    }

    func read(_ relative: String) -> String? {
        try? String(contentsOfFile: path + "/" + relative, encoding: .utf8)
    }

    func exists(_ relative: String) -> Bool {
        var buffer = stat()
        return lstat(path + "/" + relative, &buffer) == 0
    }

    /// Permission bits of a path below the sandbox.
    func mode(_ relative: String) throws -> Int {
        var buffer = stat()
        #expect(lstat(path + "/" + relative, &buffer) == 0)
        return Int(buffer.st_mode & 0o7777)
    }

    func modified(_ relative: String) throws -> Date {
        let attributes = try FileManager.default.attributesOfItem(atPath: path + "/" + relative)
        return try #require(attributes[.modificationDate] as? Date)
    }

    func setModified(_ relative: String, _ date: Date) throws {
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path + "/" + relative)
    }

    /// Every path below `relative`, sorted: directories end in `/`, symlinks show
    /// `-> target`, files are bare.
    func tree(_ relative: String) throws -> [String] {
        let base = path + "/" + relative
        var result: [String] = []
        func walk(_ directory: String, _ prefix: String) throws {
            for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() {
                let full = directory + "/" + name
                let attributes = try FileManager.default.attributesOfItem(atPath: full)
                switch attributes[.type] as? FileAttributeType {
                case .typeSymbolicLink?:
                    result.append(prefix + name + " -> " + (try FileManager.default.destinationOfSymbolicLink(atPath: full)))
                case .typeDirectory?:
                    result.append(prefix + name + "/")
                    try walk(full, prefix + name + "/")
                default:
                    result.append(prefix + name)
                }
            }
        }
        try walk(base, "")
        return result
    }

    /// The instance's files, as `tree` lists them.
    func instanceTree() throws -> [String] {
        try tree("host/root")
    }

    /// A path on the instance, relative to the sandbox: `/var/x` → `host/root/var/x`.
    func onHost(_ instancePath: String) -> String {
        "host/root" + instancePath
    }

    // MARK: - Tools

    /// Runs a system tool in `directory` (below the sandbox) and expects it to succeed.
    func run(_ tool: String, _ arguments: [String], in directory: String = "") throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.locate(tool))
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: path + "/" + directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(tool) \(arguments.joined(separator: " ")) failed")
    }

    static func locate(_ tool: String) throws -> String {
        let found = ["/usr/bin/", "/bin/", "/usr/local/bin/"].map { $0 + tool }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
        return try #require(found, "\(tool) is not installed; scripts/bootstrap should install it")
    }

    static func has(_ tool: String) -> Bool {
        (try? locate(tool)) != nil
    }

    // MARK: - Deploying

    /// Writes a bundle directory `src/<name>` with an appspec and files.
    @discardableResult
    func bundle(_ name: String = "rev", appSpec: String, files: [String: String] = [:]) throws -> String {
        try write("src/\(name)/appspec.yml", appSpec)
        for (file, contents) in files { try write("src/\(name)/\(file)", contents) }
        return path + "/src/" + name
    }

    /// Fetches and installs the bundle directory `src/<name>` as one deployment.
    @discardableResult
    func deploy(
        _ name: String = "rev", deploymentID: String, groupID: String = "g-1",
        fileExistsBehavior: FileExistsBehavior? = nil, installer: Installer? = nil
    ) throws -> InstallResult {
        try BundleFetcher(layout: layout).fetch(
            revision: path + "/src/" + name, groupID: groupID, deploymentID: deploymentID)
        return try (installer ?? Installer(layout: layout))
            .install(groupID: groupID, deploymentID: deploymentID, fileExistsBehavior: fileExistsBehavior)
    }

    /// The lines of the group's cleanup file.
    func cleanupLines(groupID: String = "g-1") -> [String]? {
        guard let text = try? String(contentsOfFile: layout.cleanupFile(groupID: groupID), encoding: .utf8) else {
            return nil
        }
        return text.split(separator: "\n").map(String.init)
    }
}
