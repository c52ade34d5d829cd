#if canImport(Glibc)
@preconcurrency import Glibc
#endif

/// Where Cutover keeps files, following the XDG base directory specification.
public enum XDGPaths {
    /// `$XDG_STATE_HOME/cutover` (default `~/.local/state/cutover`): history, the
    /// local cloud's state. `CUTOVER_STATE_DIR` moves it.
    public static var stateDirectory: String {
        if let dir = environment("CUTOVER_STATE_DIR") { return dir }
        return (environment("XDG_STATE_HOME") ?? home + "/.local/state") + "/cutover"
    }

    /// `$XDG_CONFIG_HOME/cutover` (default `~/.config/cutover`): `init.lua`.
    public static var configDirectory: String {
        (environment("XDG_CONFIG_HOME") ?? home + "/.config") + "/cutover"
    }

    static var home: String {
        if let home = environment("HOME") { return home }
        if let pw = getpwuid(getuid()), let dir = pw.pointee.pw_dir { return String(cString: dir) }
        return "/tmp"
    }

    /// A non-empty environment variable (the XDG spec ignores empty and relative ones).
    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let s = String(cString: value)
        return s.hasPrefix("/") ? s : nil
    }

    /// Creates a directory and its parents (mode 0700 for new ones).
    static func makeDirectory(_ path: String) -> Bool {
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o700) != 0 && errno != EEXIST { return false }
        }
        return true
    }
}
