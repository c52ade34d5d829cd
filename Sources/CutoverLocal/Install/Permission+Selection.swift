import CutoverCore

/// Which installed paths a `permissions` entry selects below its object (reference §2.5).
extension Permission {
    /// Whether the instance path `path` (normalised) is selected by this entry, whose
    /// object normalises to `object`.
    ///
    /// `path` must lie strictly below `object` (the object itself is never selected). With
    /// the default pattern `**` any depth matches; any other pattern is matched against the
    /// path relative to `object`, so only direct children can match. `except` globs exclude
    /// direct children the same way, also under `**`. This is the agent's reading; the
    /// guide's "any level" is not what runs (reference §17 item 10).
    func selects(_ path: String, below object: String) -> Bool {
        let prefix = object == "/" ? "/" : object + "/"
        guard path.count > prefix.count, path.hasPrefix(prefix) else { return false }
        let relative = String(path.dropFirst(prefix.count))
        let included = pattern == Permission.everything || PermissionGlob.matches(relative, pattern)
        return included && !except.contains { PermissionGlob.matches(relative, $0) }
    }
}
