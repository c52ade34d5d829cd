#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Finds the directory holding Cutover's Lua standard library (`cutover/*.lua`).
///
/// Search order, first match wins:
/// 1. `$CUTOVER_STDLIB`, when set (it must hold `cutover/`; nothing else is tried).
/// 2. A source checkout: walking up from the executable's real location, the first
///    directory with both `Package.swift` and `stdlib/cutover/` (so a binary under
///    `.build/…` uses the checkout's `stdlib/`).
/// 3. An installed layout: `<bin>/../share/cutover/stdlib`.
public enum StdlibLocator {
    public static let environmentVariable = "CUTOVER_STDLIB"

    public static func locate() -> String? {
        if let override = getenv(environmentVariable).map({ String(cString: $0) }), !override.isEmpty {
            return isDirectory(override + "/cutover") ? override : nil
        }
        guard let executable = executablePath() else { return nil }
        var directory = parent(of: executable)
        for _ in 0..<8 {
            if fileExists(directory + "/Package.swift") && isDirectory(directory + "/stdlib/cutover") {
                return directory + "/stdlib"
            }
            if directory == "/" || directory.isEmpty { break }
            directory = parent(of: directory)
        }
        let installed = parent(of: parent(of: executable)) + "/share/cutover/stdlib"
        return isDirectory(installed + "/cutover") ? installed : nil
    }

    /// The real path of the running executable.
    static func executablePath() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
