/// The agent's glob for a permission's `pattern` and `except`: `*` matches any run of
/// characters, everything else matches itself, and a name containing `/` never matches
/// (reference §2.5), so a glob only ever selects names directly below the object.
enum PermissionGlob {
    /// Whether `name` (a path relative to the object) matches `pattern`.
    ///
    /// `matches("run.sh", "*.sh")` and `matches("a", "*")` hold;
    /// `matches("bin/run.sh", "*.sh")` and `matches("run.sh.bak", "*.sh")` do not.
    static func matches(_ name: String, _ pattern: String) -> Bool {
        if name.contains("/") { return false }
        let text = Array(name.unicodeScalars)
        let glob = Array(pattern.unicodeScalars)
        // Greedy matching that backtracks to the last `*`: linear for one star, and
        // never exponential.
        var t = 0
        var g = 0
        var star: Int?
        var resume = 0
        while t < text.count {
            if g < glob.count, glob[g] == "*" {
                star = g
                resume = t
                g += 1
            } else if g < glob.count, glob[g] == text[t] {
                t += 1
                g += 1
            } else if let star {
                g = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while g < glob.count, glob[g] == "*" { g += 1 }
        return g == glob.count
    }
}
