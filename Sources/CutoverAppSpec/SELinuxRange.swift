/// The syntax of an SELinux MLS/MCS range, checked as the agent's `RangeInfo` checks it:
/// `s<N>[-s<N>][:c<N>[.c<N>][,c<N>[.c<N>]]…]`, the high sensitivity not below the low
/// one, categories at most c1023, none listed twice.
enum SELinuxRange {
    /// Why `range` is rejected, in a few words, or `nil` if it is well formed.
    static func problem(in range: String) -> String? {
        do {
            let parts = try split(range, at: ":")
            let sensitivities = try split(parts[0], at: "-")
            let low = try number(sensitivities[0], prefix: "s", what: "sensitivity")
            if sensitivities.count == 2 {
                let high = try number(sensitivities[1], prefix: "s", what: "sensitivity")
                if high < low { return "the high sensitivity is below the low one" }
            }
            if parts.count == 2 {
                var categories: [Int] = []
                var pieces = parts[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                while pieces.last == "" { pieces.removeLast() }  // Ruby's split drops trailing empties
                for piece in pieces {
                    if piece.contains(".") {
                        let bounds = try split(piece, at: ".")
                        let first = try category(bounds[0])
                        let last = try category(bounds[1])
                        if last < first { return "category range \(piece) runs backwards" }
                        categories += Array(first...last)
                    } else {
                        categories.append(try category(piece))
                    }
                }
                if Set(categories).count != categories.count { return "a category is listed twice" }
            }
            return nil
        } catch {
            return error.reason
        }
    }

    private struct Invalid: Error {
        let reason: String
    }

    /// One part, or the two parts either side of the first `separator`; none empty.
    private static func split(_ text: String, at separator: Character) throws(Invalid) -> [String] {
        let parts = text.split(separator: separator, maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard !parts.contains(where: \.isEmpty) else { throw Invalid(reason: "`\(text)` has an empty part") }
        return parts
    }

    private static func category(_ text: String) throws(Invalid) -> Int {
        let value = try number(text, prefix: "c", what: "category")
        guard value <= 1023 else { throw Invalid(reason: "category \(text) is above c1023") }
        return value
    }

    private static func number(_ text: String, prefix: Character, what: String) throws(Invalid) -> Int {
        let digits = text.dropFirst()
        guard text.first == prefix, !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let value = Int(digits)
        else { throw Invalid(reason: "`\(text)` is not a \(what) (\(prefix) and a number)") }
        return value
    }
}
