/// The syntax of one `acls` entry, checked as the agent's `AceInfo` checks it.
///
/// The form is `[d[efault]:][u[ser]|g[roup]|m[ask]|o[ther]]:[name]:perms`, where perms
/// are `r`, `w`, `x` and `-` or one octal digit; `u`/`user` may be left out.
enum AccessControlEntry {
    /// Why an entry is rejected.
    enum Problem: Equatable {
        /// Not of the form above.
        case malformed
        /// The owner's, owning group's or others' base entry, which `mode` sets.
        case baseEntry
        /// A permission character other than r, w, x, -.
        case invalidPermission(Character)
    }

    /// What is wrong with `entry`, or `nil` if it is well formed.
    static func problem(in entry: String) -> Problem? {
        // Read right to left, as the agent does: perms, then name, then type, then default.
        let parts = entry.split(separator: ":", omittingEmptySubsequences: false).reversed().map(String.init)
        guard (2...4).contains(parts.count) else { return .malformed }
        var isDefault = false
        var type: String?
        var name = ""
        if parts.count == 4 {
            guard ["d", "default"].contains(parts[3]) else { return .malformed }
            isDefault = true
        }
        if parts.count >= 3 {
            switch parts[2] {
            case "d", "default":
                guard !isDefault else { return .malformed }
                isDefault = true
            case "m", "mask": type = "mask"
            case "o", "other": type = "other"
            case "g", "group": type = "group"
            case "u", "user": type = "user"
            default: return .malformed
            }
        }
        switch parts[1] {
        case "m", "mask", "o", "other":
            let word = parts[1].hasPrefix("m") ? "mask" : "other"
            if type == nil { type = word } else { name = word }
        default:
            if type == nil { type = "user" }
            name = parts[1]
        }
        if type == "mask" || type == "other", !name.isEmpty { return .malformed }
        if !isDefault, type != "mask", name.isEmpty { return .baseEntry }

        let permissions = parts[0]
        if permissions.count == 1, let digit = permissions.first, ("0"..."7").contains(digit) { return nil }
        if let bad = permissions.first(where: { !"rwx-".contains($0) }) { return .invalidPermission(bad) }
        return nil
    }
}
