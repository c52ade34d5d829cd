import Foundation

/// The forms a server revision comes in (reference §2.1, §15.7: `codedeploy-local`
/// accepts the same four).
public enum BundleType: String, Sendable, CaseIterable {
    /// A directory, copied as it is.
    case directory
    case zip
    case tar
    /// A gzip-compressed tar file (`.tgz` or `.tar.gz`).
    case tgz

    /// The type of the revision at `path`: a directory, else told by the file's first
    /// bytes (the agent saves every download as `bundle.tar` whatever it holds, so a name
    /// is not always a guide), else by the file name's extension (old tar files have no
    /// magic). `nil` when it is none of the four.
    static func detect(at path: String) throws(InstallError) -> BundleType? {
        guard let info = try HostFiles.target(of: path) else { throw .revisionNotFound(path: path) }
        if info.kind == .directory { return .directory }
        if let sniffed = try sniff(path) { return sniffed }
        let name = (path as NSString).lastPathComponent.lowercased()
        if name.hasSuffix(".zip") { return .zip }
        if name.hasSuffix(".tgz") || name.hasSuffix(".tar.gz") { return .tgz }
        if name.hasSuffix(".tar") { return .tar }
        return nil
    }

    /// Zip files start `PK\3\4` (`PK\5\6` when empty), gzip `1f 8b`; a POSIX or GNU tar
    /// header has `ustar` at offset 257.
    private static func sniff(_ path: String) throws(InstallError) -> BundleType? {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .fileSystem(operation: "open", path: path, reason: "it cannot be read")
        }
        defer { try? handle.close() }
        let header = [UInt8]((try? handle.read(upToCount: 512)) ?? Data())
        if header.starts(with: [0x50, 0x4B, 0x03, 0x04]) || header.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            return .zip
        }
        if header.starts(with: [0x1F, 0x8B]) { return .tgz }
        if header.count >= 262, Array(header[257..<262]) == Array("ustar".utf8) { return .tar }
        return nil
    }
}
