/// "Did you mean …?": finds the known name a mistyped one was probably meant to be.
enum Spelling {
    /// The name in `candidates` closest to `word`, if it is close enough to be a typo:
    /// the same but for letter case, or within 1 edit of a name of up to 4 letters or 2
    /// edits of a longer one (an edit is an insertion, deletion, substitution or swap of
    /// neighbours), and the edits change at most a third of the longer word. Short names
    /// get less slack, or every two-letter key would "mean" `os`.
    ///
    ///     suggestion(for: "deatination", among: ["source", "destination"]) == "destination"
    ///     suggestion(for: "Hooks", among: ["hooks"]) == "hooks"
    ///     suggestion(for: "mod", among: ["mode"]) == "mode"
    ///     suggestion(for: "id", among: ["os"]) == nil
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        let lowered = word.lowercased()
        guard lowered != "<<" else { return nil }  // a YAML merge key, never a typo
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            let allowed = candidate.count <= 4 ? 1 : 2
            guard distance <= allowed, distance * 3 <= max(word.count, candidate.count),
                  distance < (best?.distance ?? .max)
            else { continue }
            best = (candidate, distance)
        }
        return best?.name
    }

    /// The optimal-string-alignment distance: Levenshtein plus swaps of two neighbours,
    /// the commonest typing mistake.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
