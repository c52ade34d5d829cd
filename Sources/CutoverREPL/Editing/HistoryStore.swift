#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// The prompt's persistent history: one file, capped, without duplicates (entering
/// an old line again moves it to the end), a multi-line input kept as one entry.
///
/// The file is Cutover's own format (not libedit's, which GNU readline files would
/// confuse): a header line, then one entry a line with `\` escapes for backslash and
/// newline. Each addition re-reads the file, merges and replaces it atomically, so two
/// prompts running at once both keep their lines.
public final class HistoryStore {
    public let path: String
    public let limit: Int
    public private(set) var entries: [String] = []
    static let header = "#cutover-history v1"

    public init(path: String, limit: Int = 1000) {
        self.path = path
        self.limit = limit
        entries = HistoryStore.read(path) ?? []
    }

    /// The default file in the XDG state directory.
    public static var defaultPath: String { XDGPaths.stateDirectory + "/history" }

    /// Adds an entry (ignoring blank ones) and saves. Returns false when saving failed.
    @discardableResult
    public func add(_ entry: String) -> Bool {
        guard !entry.allSatisfy(\.isWhitespace) else { return true }
        // Merge with what other sessions wrote meanwhile; never write over a file we
        // could not read (it may be someone else's).
        if fileExists(path) {
            guard let onDisk = HistoryStore.read(path) else { return false }
            entries = onDisk
        }
        entries.removeAll { $0 == entry }
        entries.append(entry)
        if entries.count > limit { entries.removeFirst(entries.count - limit) }
        return save()
    }

    private func save() -> Bool {
        let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if !directory.isEmpty && !XDGPaths.makeDirectory(directory) { return false }
        var text = HistoryStore.header + "\n"
        for entry in entries { text += HistoryStore.escape(entry) + "\n" }
        let temporary = path + ".tmp.\(getpid())"
        guard let file = fopen(temporary, "w") else { return false }
        fchmod(fileno(file), 0o600)
        let written = fputs(text, file) >= 0
        guard fclose(file) == 0, written else { unlink(temporary); return false }
        return rename(temporary, path) == 0
    }

    /// The entries of a history file; nil when it exists but is not ours or unreadable.
    static func read(_ path: String) -> [String]? {
        guard let file = fopen(path, "r") else { return fileExists(path) ? nil : [] }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first.map(String.init) == header else { return nil }
        return lines.dropFirst().filter { !$0.isEmpty }.map { unescape(String($0)) }
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.append(c)
            }
        }
        return out
    }

    static func unescape(_ s: String) -> String {
        var out = ""
        var escaping = false
        for c in s {
            if escaping {
                out += c == "n" ? "\n" : c == "r" ? "\r" : String(c)
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else {
                out.append(c)
            }
        }
        return out
    }
}

func fileExists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0
}
