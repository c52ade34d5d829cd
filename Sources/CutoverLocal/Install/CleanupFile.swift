/// The `<group-id>-cleanup` file: everything one Install created, so that the next
/// Install can remove it first (reference §15.4).
///
/// One instance path a line, in creation order, written as each file or directory is
/// created, so that an Install that fails halfway still leaves an accurate list. Lines
/// are instance paths rather than host paths so that removal goes through the host
/// layout's mapping and can never reach outside the host's root. Files that hook
/// scripts create are never listed, so they survive redeployments.
final class CleanupFile {
    let path: String
    private let descriptor: Int32

    /// Starts a new, empty cleanup file at `path`.
    init(creating path: String) throws(InstallError) {
        self.path = path
        self.descriptor = try HostFiles.openForAppending(path)
    }

    deinit {
        HostFiles.closeFile(descriptor)
    }

    /// Appends one created path.
    func record(_ instancePath: String) throws(InstallError) {
        try HostFiles.append(instancePath + "\n", to: descriptor, path: path)
    }

    // MARK: - Undoing the previous install

    /// The paths listed in `text`, dropping an unfinished last line (one without its
    /// newline, from an install that was killed while writing it).
    static func entries(in text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The piece after the last newline: empty when the file ends properly.
        lines.removeLast()
        return lines.filter { !$0.isEmpty }
    }

    /// Removes what the cleanup file at `path` lists, last created first, then deletes the
    /// file; returns the instance paths removed. Files and symlinks go; directories go
    /// only when empty; paths already gone are skipped. SELinux lines (`semanage\0…`, from
    /// the real agent) are skipped, as contexts are never set here.
    static func undo(at path: String, layout: HostLayout) throws(InstallError) -> [String] {
        guard let text = try HostFiles.readText(path) else { return [] }
        var removed: [String] = []
        for entry in entries(in: text).reversed() where !entry.hasPrefix("semanage\0") {
            // A line that does not map into the root is not ours to remove.
            guard let normalized = try? HostLayout.normalizedInstancePath(entry), normalized != "/" else { continue }
            let host = layout.hostPath(normalized: normalized)
            guard let info = try HostFiles.entry(at: host) else { continue }
            if info.kind == .directory {
                if try HostFiles.removeDirectoryIfEmpty(host) { removed.append(normalized) }
            } else {
                try HostFiles.removeFile(host)
                removed.append(normalized)
            }
        }
        try HostFiles.removeFile(path)
        return removed
    }
}
