/// The full ACL `setfacl --set` is given for a permission's `acls` entries.
///
/// `--set` replaces the whole ACL, so the agent adds the base entries a file's mode
/// implies (owner, group, other) and a mask when there are named entries, and likewise
/// for default entries; without them `setfacl` refuses the set. The appspec parser has
/// already rejected malformed and base entries.
struct AccessControlList {
    enum Tag: Equatable {
        case user, group, mask, other
    }

    /// One parsed entry, `[d[efault]:][u[ser]|g[roup]|m[ask]|o[ther]]:[name]:perms`.
    struct Entry: Equatable {
        var isDefault: Bool
        var tag: Tag
        /// Empty for a base entry.
        var name: String
        var permissions: String
    }

    /// The entries as written in the appspec.
    var entries: [String]

    /// Whether any entry is a default (`d:`) entry, which only directories can have.
    var hasDefaultEntries: Bool {
        entries.contains { Self.parse($0)?.isDefault == true }
    }

    /// The entries followed by the ones `mode` implies, as the agent builds them: for
    /// mode 0o750 and `["u:deploy:rwx"]`, `u:deploy:rwx,u::7,g::5,o::0,m::5`.
    func fullEntries(mode: Int) -> [String] {
        let owner = String((mode >> 6) & 7)
        let group = String((mode >> 3) & 7)
        let other = String(mode & 7)
        let parsed = entries.compactMap(Self.parse)
        var result = entries + ["u::\(owner)", "g::\(group)", "o::\(other)"]
        let access = parsed.filter { !$0.isDefault }
        let named = access.contains { ($0.tag == .user || $0.tag == .group) && !$0.name.isEmpty }
        if named, !access.contains(where: { $0.tag == .mask }) { result.append("m::\(group)") }

        let defaults = parsed.filter(\.isDefault)
        guard !defaults.isEmpty else { return result }
        func base(_ tag: Tag) -> Entry? { defaults.first { $0.tag == tag && $0.name.isEmpty } }
        if base(.user) == nil { result.append("d:u::\(owner)") }
        if base(.group) == nil { result.append("d:g::\(group)") }
        if base(.other) == nil { result.append("d:o::\(other)") }
        let defaultNamed = defaults.contains { ($0.tag == .user || $0.tag == .group) && !$0.name.isEmpty }
        if defaultNamed, base(.mask) == nil {
            result.append("d:m::\(base(.group)?.permissions ?? group)")
        }
        return result
    }

    /// Reads an entry right to left, as the agent does: perms, then name, then tag, then
    /// the default marker; `nil` if it is not of the form.
    static func parse(_ entry: String) -> Entry? {
        let parts = entry.split(separator: ":", omittingEmptySubsequences: false).reversed().map(String.init)
        guard (2...4).contains(parts.count) else { return nil }
        var isDefault = false
        var tag: Tag?
        var name = ""
        if parts.count == 4 {
            guard ["d", "default"].contains(parts[3]) else { return nil }
            isDefault = true
        }
        if parts.count >= 3 {
            switch parts[2] {
            case "d", "default":
                guard !isDefault else { return nil }
                isDefault = true
            case "u", "user": tag = .user
            case "g", "group": tag = .group
            case "m", "mask": tag = .mask
            case "o", "other": tag = .other
            default: return nil
            }
        }
        switch parts[1] {
        case "m", "mask", "o", "other":
            let word: Tag = parts[1].hasPrefix("m") ? .mask : .other
            if tag == nil { tag = word } else { name = parts[1] }
        default:
            if tag == nil { tag = .user }
            name = parts[1]
        }
        guard let tag else { return nil }
        return Entry(isDefault: isDefault, tag: tag, name: name, permissions: parts[0])
    }
}
