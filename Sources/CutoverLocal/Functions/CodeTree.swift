import Foundation

/// A function's code on disk: where it comes from, how it is copied, what it hashes to.
///
/// The rule (see `Control.CreateFunction`): a lone handler file is copied alone, under
/// its own name; with a code directory, the whole directory is copied and the handler
/// is a file inside it. Either way the handler ends up at `handler` relative to the
/// code directory, which is the handler's working directory when it runs.
struct CodeTree {
    /// What to copy: a file or a directory.
    let source: String
    let sourceIsDirectory: Bool
    /// The handler's path relative to the copied code ("handler.sh", "bin/handler.py").
    let handler: String

    var runtime: Runtime { handler.hasSuffix(".lua") ? .lua : .executable }

    enum Runtime: String, Codable {
        case executable
        case lua
    }

    /// Checks a create request's `handler` and `code` (see the rule above).
    static func resolve(handler: String, code: String?) throws(FunctionProblem) -> CodeTree {
        let fm = FileManager.default
        let tree: CodeTree
        if let code {
            guard code.hasPrefix("/") else { throw .invalid("code must be an absolute directory path, not '\(code)'") }
            let directory = (code as NSString).standardizingPath
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw .invalid("code directory \(directory) does not exist")
            }
            let full = handler.hasPrefix("/") ? (handler as NSString).standardizingPath
                : ((directory + "/" + handler) as NSString).standardizingPath
            guard full.hasPrefix(directory + "/") else {
                throw .invalid("handler \(handler) is not inside the code directory \(directory)")
            }
            tree = CodeTree(source: directory, sourceIsDirectory: true, handler: String(full.dropFirst(directory.count + 1)))
        } else {
            guard handler.hasPrefix("/") else {
                throw .invalid("handler must be an absolute file path, not '\(handler)' (or give `code`, a directory, with the handler inside it)")
            }
            let file = (handler as NSString).resolvingSymlinksInPath
            tree = CodeTree(source: file, sourceIsDirectory: false, handler: (handler as NSString).lastPathComponent)
        }
        let file = tree.sourceIsDirectory ? tree.source + "/" + tree.handler : tree.source
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw .invalid("handler \(file) does not exist or is not a file")
        }
        if tree.runtime == .executable && !fm.isExecutableFile(atPath: file) {
            throw .invalid("handler \(file) is not executable: chmod +x it (a script needs a #! line), or give a .lua file")
        }
        return tree
    }

    /// Copies the code to `destination` (which must not exist).
    func copy(to destination: String) throws(FunctionProblem) {
        let fm = FileManager.default
        do {
            if sourceIsDirectory {
                try fm.copyItem(atPath: source, toPath: destination)
            } else {
                try fm.createDirectory(atPath: destination, withIntermediateDirectories: true)
                try fm.copyItem(atPath: source, toPath: destination + "/" + handler)
            }
        } catch {
            throw .storage("cannot copy the code from \(source): \(error.localizedDescription)")
        }
    }

    /// SHA-256 (hex) of a code directory: every entry in path order, each as its kind,
    /// relative path, executable bit and contents (a symbolic link: its target). Equal
    /// trees hash equal wherever they live.
    static func sha256(of directory: String) -> String {
        var hasher = SHA256()
        let fm = FileManager.default
        let entries = (fm.enumerator(atPath: directory)?.allObjects as? [String] ?? []).sorted()
        for relative in entries {
            let path = directory + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            let kind = info.st_mode & S_IFMT
            let executable = info.st_mode & 0o100 != 0 ? "x" : "-"
            if kind == S_IFDIR {
                hasher.update("d \(relative)\0")
            } else if kind == S_IFLNK {
                let target = (try? fm.destinationOfSymbolicLink(atPath: path)) ?? ""
                hasher.update("l \(relative)\0\(target)\0")
            } else if kind == S_IFREG {
                let contents = fm.contents(atPath: path) ?? Data()
                hasher.update("f \(relative)\0\(executable)\0\(contents.count)\0")
                hasher.update(contents)
            }
        }
        return hasher.hexDigest()
    }
}
