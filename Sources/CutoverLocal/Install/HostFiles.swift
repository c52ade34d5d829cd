import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The POSIX calls DownloadBundle and Install make, and the one place where their status
/// codes become `InstallError`s.
///
/// Foundation's `FileManager` neither keeps timestamps when it copies nor tells a symlink
/// from its target everywhere, and the agent's copy rules depend on both, so the few calls
/// that matter are made directly. Every path here is a real (host) path.
enum HostFiles {
    /// What kind of thing a path names, as `lstat` sees it.
    enum Kind: Equatable {
        case regular
        case directory
        case symlink
        case other
    }

    /// The parts of `stat` the copy rules use.
    struct Status {
        var kind: Kind
        /// Permission bits, including set-id and sticky bits.
        var permissions: mode_t
        var owner: uid_t
        var group: gid_t
        var accessed: timespec
        var modified: timespec

        var modificationDate: Date {
            Date(timeIntervalSince1970: Double(modified.tv_sec) + Double(modified.tv_nsec) / 1_000_000_000)
        }
    }

    // MARK: - Looking

    /// The entry at `path` itself (a symlink is not followed), or `nil` when there is none.
    static func entry(at path: String) throws(InstallError) -> Status? {
        var buffer = stat()
        guard lstat(path, &buffer) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw failure("inspect", path)
        }
        return status(from: buffer)
    }

    /// What `path` resolves to, following symlinks; `nil` when nothing does (including a
    /// dangling symlink).
    static func target(of path: String) throws(InstallError) -> Status? {
        var buffer = stat()
        guard stat(path, &buffer) == 0 else {
            if errno == ENOENT || errno == ENOTDIR || errno == ELOOP { return nil }
            throw failure("inspect", path)
        }
        return status(from: buffer)
    }

    /// Whether `path` is a directory or a symlink to one.
    static func isDirectory(_ path: String) -> Bool {
        var buffer = stat()
        return stat(path, &buffer) == 0 && kind(of: buffer.st_mode) == .directory
    }

    /// Whether anything, even a dangling symlink, is at `path`.
    static func exists(_ path: String) -> Bool {
        var buffer = stat()
        return lstat(path, &buffer) == 0
    }

    /// The names in a directory, without `.` and `..`, sorted so that plans and listings
    /// do not depend on the order the file system happens to return.
    static func names(in directory: String) throws(InstallError) -> [String] {
        guard let stream = opendir(directory) else { throw failure("list", directory) }
        defer { closedir(stream) }
        var names: [String] = []
        while let record = readdir(stream) {
            let name = withUnsafeBytes(of: record.pointee.d_name) { bytes in
                String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// The canonical absolute path of `path` (symlinks resolved), or `nil` if it does not exist.
    static func resolved(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    static func linkTarget(of path: String) throws(InstallError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { throw failure("read the symlink", path) }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func readText(_ path: String) throws(InstallError) -> String? {
        guard exists(path) else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw InstallError.fileSystem(operation: "read", path: path, reason: "\(error.localizedDescription)")
        }
    }

    // MARK: - Changing

    /// Creates one directory; the umask applies, as it does for the agent's `mkdir`.
    static func makeDirectory(_ path: String) throws(InstallError) {
        guard mkdir(path, 0o777) == 0 else { throw failure("create the directory", path) }
    }

    /// Creates `path` and any missing parents (`mkdir -p`).
    static func makeDirectories(_ path: String) throws(InstallError) {
        if isDirectory(path) { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o777) != 0, errno != EEXIST { throw failure("create the directory", path) }
        guard isDirectory(path) else {
            throw InstallError.fileSystem(operation: "create the directory", path: path, reason: "a file is in the way")
        }
    }

    /// Copies a regular file to a new path, keeping its permission bits, its access and
    /// modification times and, when `keepingOwner`, its owner and group (as Ruby's
    /// `FileUtils.copy(preserve: true)` does for the agent).
    static func copyFile(from source: String, to destination: String, keepingOwner: Bool) throws(InstallError) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw failure("open", source) }
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0 else { throw failure("inspect", source) }

        let output = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw failure("create", destination) }
        defer { close(output) }

        let size = 1 << 16
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(input, buffer, size)
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("read", source)
            }
            if count == 0 { break }
            var written = 0
            while written < count {
                let step = write(output, buffer + written, count - written)
                if step < 0 {
                    if errno == EINTR { continue }
                    throw failure("write", destination)
                }
                written += step
            }
        }
        // Owner first: changing it clears set-id bits, which the mode then restores.
        if keepingOwner { _ = fchown(output, info.st_uid, info.st_gid) }
        guard fchmod(output, info.st_mode & 0o7777) == 0 else { throw failure("set the mode of", destination) }
        var times = [info.st_atim, info.st_mtim]
        guard futimens(output, &times) == 0 else { throw failure("set the times of", destination) }
    }

    /// Recreates the symlink at `source` at `destination`, with the same target text.
    static func copySymlink(from source: String, to destination: String) throws(InstallError) {
        let target = try linkTarget(of: source)
        guard symlink(target, destination) == 0 else { throw failure("create the symlink", destination) }
    }

    /// Copies a directory tree, recreating symlinks and keeping modes and times.
    static func copyTree(from source: String, to destination: String, keepingOwner: Bool) throws(InstallError) {
        guard let info = try entry(at: source) else {
            throw InstallError.fileSystem(operation: "copy", path: source, reason: "it does not exist")
        }
        switch info.kind {
        case .directory:
            try makeDirectory(destination)
            for name in try names(in: source) {
                try copyTree(from: source + "/" + name, to: destination + "/" + name, keepingOwner: keepingOwner)
            }
            guard chmod(destination, info.permissions) == 0 else { throw failure("set the mode of", destination) }
        case .regular:
            try copyFile(from: source, to: destination, keepingOwner: keepingOwner)
        case .symlink:
            try copySymlink(from: source, to: destination)
        case .other:
            throw InstallError.unsupportedFileType(path: source)
        }
    }

    /// Removes a file or symlink; nothing there is not an error.
    static func removeFile(_ path: String) throws(InstallError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw failure("remove", path) }
    }

    /// Removes an empty directory and says whether it did; one that is not empty stays,
    /// because something other than the previous install put files in it.
    static func removeDirectoryIfEmpty(_ path: String) throws(InstallError) -> Bool {
        if rmdir(path) == 0 { return true }
        if errno == ENOTEMPTY || errno == EEXIST || errno == ENOENT { return false }
        throw failure("remove the directory", path)
    }

    /// Removes a whole tree (`rm -rf`); nothing there is not an error.
    static func removeTree(_ path: String) throws(InstallError) {
        guard let info = try entry(at: path) else { return }
        if info.kind == .directory {
            for name in try names(in: path) { try removeTree(path + "/" + name) }
            guard rmdir(path) == 0 else { throw failure("remove the directory", path) }
        } else {
            try removeFile(path)
        }
    }

    static func move(_ source: String, to destination: String) throws(InstallError) {
        guard rename(source, destination) == 0 else { throw failure("move", source) }
    }

    static func changeMode(_ path: String, to mode: Int) throws(InstallError) {
        guard chmod(path, mode_t(mode)) == 0 else { throw failure("set the mode of", path) }
    }

    /// `lchown`, leaving either id unchanged when `nil`. A symlink's own owner changes,
    /// never its target's, which may lie outside the host's root.
    static func changeOwner(_ path: String, user: uid_t?, group: gid_t?) throws(InstallError) {
        guard lchown(path, user ?? uid_t.max, group ?? gid_t.max) == 0 else { throw failure("change the owner of", path) }
    }

    static func setModificationDate(_ path: String, to date: Date) throws(InstallError) {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let stamp = timespec(tv_sec: Int(seconds), tv_nsec: Int((date.timeIntervalSince1970 - seconds) * 1_000_000_000))
        var times = [stamp, stamp]
        guard utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW) == 0 else { throw failure("set the times of", path) }
    }

    /// Replaces a small file's contents in one step (write aside, then rename), so that a
    /// reader never sees half a pointer or half a plan.
    static func writeText(_ text: String, to path: String) throws(InstallError) {
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
            throw InstallError.fileSystem(operation: "write", path: temporary, reason: "the file could not be created")
        }
        try move(temporary, to: path)
    }

    // MARK: - Appending

    /// Opens `path` for appending, emptying it first.
    static func openForAppending(_ path: String) throws(InstallError) -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("create", path) }
        return descriptor
    }

    /// Appends `text` with one `write` per attempt, so that a crash leaves at most a
    /// partial last line (which readers of the cleanup file drop).
    static func append(_ text: String, to descriptor: Int32, path: String) throws(InstallError) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("write", path)
            }
            bytes = bytes.dropFirst(count)
        }
    }

    static func closeFile(_ descriptor: Int32) {
        close(descriptor)
    }

    // MARK: - Users

    /// The user id for a name, as `getpwnam` resolves it for the agent.
    static func userID(named name: String) -> uid_t? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.pw_uid
    }

    static func groupID(named name: String) -> gid_t? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else { return nil }
        return entry.gr_gid
    }

    static var isRoot: Bool { geteuid() == 0 }

    // MARK: - The choke point

    private static func failure(_ operation: String, _ path: String) -> InstallError {
        .fileSystem(operation: operation, path: path, reason: String(cString: strerror(errno)))
    }

    private static func status(from buffer: stat) -> Status {
        Status(
            kind: kind(of: buffer.st_mode), permissions: buffer.st_mode & 0o7777, owner: buffer.st_uid,
            group: buffer.st_gid, accessed: buffer.st_atim, modified: buffer.st_mtim)
    }

    private static func kind(of mode: mode_t) -> Kind {
        switch mode & 0o170000 {
        case 0o100000: .regular
        case 0o040000: .directory
        case 0o120000: .symlink
        default: .other
        }
    }
}
