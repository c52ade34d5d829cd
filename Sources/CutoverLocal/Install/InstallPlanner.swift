import CutoverCore

/// Turns an appspec's `files` and `permissions` into an `InstallPlan`, checking every
/// conflict before anything is copied (reference §2.3–§2.5).
///
/// Runs after the previous install's files are removed, so only what is still on the
/// instance counts as "already there". Works on instance paths; the disk is consulted
/// through the host layout. The rules are the agent's `Installer` and `CommandBuilder`:
///
/// - a directory source has its contents copied, recursively, into the destination; a
///   file or symlink source goes to `destination/<name>`;
/// - missing ancestors of a destination become `mkdir` instructions; existing
///   directories are reused;
/// - a file already there follows `file_exists_behavior`;
/// - two sources for one destination file, or a file and a directory at one path, fail.
struct InstallPlanner {
    let layout: HostLayout
    let archive: String
    let behavior: FileExistsBehavior

    private(set) var instructions: [InstallInstruction] = []
    /// Copy destinations in plan order, and the source of each.
    private(set) var copies: [String] = []
    private var sources: [String: String] = [:]
    /// Directories the plan creates, in plan order.
    private(set) var directories: [String] = []
    private var directorySet: Set<String> = []
    private var permissionTargets: Set<String> = []
    private(set) var overwritten: [String] = []
    private(set) var retained: [String] = []
    /// Existing directories already checked to lie inside the host's root.
    private var confined: Set<String> = []
    private let resolvedRoot: String

    init(layout: HostLayout, archive: String, behavior: FileExistsBehavior) {
        self.layout = layout
        self.archive = archive
        self.behavior = behavior
        self.resolvedRoot = HostFiles.resolved(layout.root) ?? layout.root
    }

    var plan: InstallPlan { InstallPlan(instructions: instructions) }

    // MARK: - files

    /// Adds the instructions for one `files` entry.
    mutating func add(_ mapping: FileMapping) throws(InstallError) {
        let destination = try HostLayout.normalizedInstancePath(mapping.destination)
        let source = try BundlePath.resolve(mapping.source, in: archive)
        guard let info = try HostFiles.entry(at: source) else {
            throw .sourceMissing(source: mapping.source, archive: archive)
        }
        if info.kind == .directory {
            try makeAncestors(of: destination)
            try copyDirectory(source, to: destination)
        } else {
            let name = source.split(separator: "/").last.map(String.init) ?? source
            let file = Self.join(destination, name)
            try makeAncestors(of: file)
            try copyFile(source, to: file)
        }
    }

    /// Plans `mkdir` for every missing directory above `path`, outermost first.
    private mutating func makeAncestors(of path: String) throws(InstallError) {
        var missing: [String] = []
        var parent = Self.parent(of: path)
        while parent != "/" {
            if HostFiles.exists(layout.hostPath(normalized: parent)) {
                try requireDirectory(parent)
                break
            }
            missing.append(parent)
            parent = Self.parent(of: parent)
        }
        for directory in missing.reversed() { try makeDirectory(directory) }
    }

    private mutating func copyDirectory(_ source: String, to destination: String) throws(InstallError) {
        if HostFiles.exists(layout.hostPath(normalized: destination)) {
            try requireDirectory(destination)
        } else {
            try makeDirectory(destination)
        }
        for name in try HostFiles.names(in: source) {
            let child = source + "/" + name
            let target = Self.join(destination, name)
            if try HostFiles.entry(at: child)?.kind == .directory {
                try copyDirectory(child, to: target)
            } else {
                try copyFile(child, to: target)
            }
        }
    }

    private mutating func makeDirectory(_ path: String) throws(InstallError) {
        if sources[path] != nil { throw .fileAndDirectory(path: path) }
        guard directorySet.insert(path).inserted else { return }
        directories.append(path)
        instructions.append(.makeDirectory(path: path))
    }

    /// Plans one file or symlink copy, applying `file_exists_behavior`.
    private mutating func copyFile(_ source: String, to destination: String) throws(InstallError) {
        if let first = sources[destination] {
            throw .duplicateDestination(
                path: destination, firstSource: bundleRelative(first), secondSource: bundleRelative(source))
        }
        if directorySet.contains(destination) { throw .fileAndDirectory(path: destination) }
        var replacing = false
        if let existing = try HostFiles.entry(at: layout.hostPath(normalized: destination)) {
            switch behavior {
            case .disallow:
                throw .fileExists(path: destination)
            case .overwrite:
                if existing.kind == .directory { throw .isADirectory(path: destination) }
                replacing = true
                overwritten.append(destination)
            case .retain:
                // No copy, so not recorded for cleanup and not given permissions: the agent's rule.
                retained.append(destination)
                return
            }
        }
        sources[destination] = source
        copies.append(destination)
        instructions.append(.copy(source: source, destination: destination, replacing: replacing))
    }

    /// Checks that something already at `path` is a directory (or a symlink to one)
    /// inside the host's root, and so can be reused.
    private mutating func requireDirectory(_ path: String) throws(InstallError) {
        if confined.contains(path) { return }
        let host = layout.hostPath(normalized: path)
        guard HostFiles.isDirectory(host) else { throw .notADirectory(path: path) }
        let resolved = HostFiles.resolved(host) ?? host
        guard resolved == resolvedRoot || resolved.hasPrefix(resolvedRoot + "/") else {
            throw .resolvesOutsideRoot(path: path, resolved: resolved)
        }
        confined.insert(path)
    }

    // MARK: - permissions

    /// Adds the instructions for one `permissions` entry, after all `files` entries.
    mutating func add(_ permission: Permission) throws(InstallError) {
        let object = try HostLayout.normalizedInstancePath(permission.object)
        let acl = AccessControlList(entries: permission.acls)
        if sources[object] != nil {
            // A single copied file: only `type: file` entries apply, and then as a whole.
            guard permission.types.contains(.file) else { return }
            guard permission.pattern == Permission.everything else {
                throw .patternOnFile(object: permission.object, pattern: permission.pattern)
            }
            guard permission.except.isEmpty else {
                throw .exceptOnFile(object: permission.object, except: permission.except)
            }
            if acl.hasDefaultEntries { throw .defaultACLOnFile(path: object) }
            try setPermissions(object, permission)
        } else if directorySet.contains(object) || HostFiles.isDirectory(layout.hostPath(normalized: object)) {
            var matches: [String] = []
            if permission.types.contains(.file) {
                for path in copies where permission.selects(path, below: object) {
                    if acl.hasDefaultEntries { throw .defaultACLOnFile(path: path) }
                    matches.append(path)
                }
            }
            if permission.types.contains(.directory) {
                matches += directories.filter { permission.selects($0, below: object) }
            }
            for path in matches { try setPermissions(path, permission) }
        }
        // Anything else (a path this deployment does not install) is ignored, as by the agent.
    }

    /// Mode, ACL, SELinux context, then owner and group: the agent's order.
    private mutating func setPermissions(_ path: String, _ permission: Permission) throws(InstallError) {
        guard permissionTargets.insert(path).inserted else { throw .duplicatePermission(path: path) }
        if let mode = permission.mode { instructions.append(.changeMode(path: path, mode: mode)) }
        if !permission.acls.isEmpty { instructions.append(.setACL(path: path, entries: permission.acls)) }
        if let context = permission.context { instructions.append(.setSELinuxContext(path: path, context: context)) }
        if permission.owner != nil || permission.group != nil {
            instructions.append(.changeOwner(path: path, owner: permission.owner, group: permission.group))
        }
    }

    // MARK: - Paths

    /// A source as the bundle names it: `<archive>/site/index.html` → `site/index.html`.
    private func bundleRelative(_ source: String) -> String {
        source.hasPrefix(archive + "/") ? String(source.dropFirst(archive.count + 1)) : source
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory == "/" ? "/" + name : directory + "/" + name
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
