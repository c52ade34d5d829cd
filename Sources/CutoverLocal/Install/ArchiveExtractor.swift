/// Unpacks zip, tar and tgz bundles with the system's `unzip` and `tar`, as the agent
/// does on Linux (reference §15.6).
enum ArchiveExtractor {
    /// Unpacks `bundle` into the existing, empty `directory`. `revision` names the bundle
    /// as the user gave it, for messages.
    static func extract(_ bundle: String, as type: BundleType, into directory: String, revision: String) throws(InstallError) {
        let tool: String
        let arguments: [String]
        switch type {
        case .directory:
            return
        case .tar, .tgz:
            tool = "tar"
            // Modes are kept (-p); tar itself refuses members with `..` or a leading `/`.
            arguments = ["-x", "-p"] + (type == .tgz ? ["-z"] : []) + ["-f", bundle, "-C", directory]
        case .zip:
            tool = "unzip"
            // -o: replace without asking, as the agent's `unzip -qo`.
            arguments = ["-q", "-o", bundle, "-d", directory]
        }
        guard let executable = InstallTool.locate(tool) else { throw .toolMissing(tool: tool, package: tool) }
        let outcome = try InstallTool.run(executable, arguments)
        // unzip's status 1 means it finished with warnings (such as a stripped `../`).
        let succeeded = outcome.status == 0 || (type == .zip && outcome.status == 1)
        guard succeeded else {
            throw .extractionFailed(
                bundle: revision, command: InstallTool.commandLine(executable, arguments), status: outcome.status,
                output: outcome.output)
        }
    }

    /// Moves the contents of a single top-level directory up to `archive` when the
    /// directory holds a file named like `appspec` (any case), as the agent does for
    /// GitHub tarballs; returns the name of the directory removed.
    static func stripSingleTopLevelDirectory(in archive: String) throws(InstallError) -> String? {
        let names = try HostFiles.names(in: archive)
        guard names.count == 1, let name = names.first else { return nil }
        let top = archive + "/" + name
        guard let info = try HostFiles.entry(at: top), info.kind == .directory,
              try HostFiles.names(in: top).contains(where: { $0.lowercased().contains("appspec") })
        else { return nil }
        let aside = archive + "-temp"
        try HostFiles.removeTree(aside)
        try HostFiles.move(archive, to: aside)
        try HostFiles.move(aside + "/" + name, to: archive)
        _ = try HostFiles.removeDirectoryIfEmpty(aside)
        return name
    }
}
