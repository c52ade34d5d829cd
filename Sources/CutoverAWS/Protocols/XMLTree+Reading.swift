import Foundation

/// Typed reads of query and EC2 answers, and an answer's structure sent back as a
/// request parameter.
extension XMLTree {
    /// The integer at `path`, or nil when it is absent or not an integer.
    func integer(_ path: String...) -> Int? {
        path.reduce(Optional(self)) { $0?.child($1) }.flatMap { Int($0.text.trimmingLeadingWhitespace().trimmingTrailingWhitespace()) }
    }

    /// The boolean at `path` (`true`/`false`), or nil.
    func boolean(_ path: String...) -> Bool? {
        switch path.reduce(Optional(self), { $0?.child($1) })?.text.lowercased() {
        case "true"?: return true
        case "false"?: return false
        default: return nil
        }
    }

    /// The instant at `path` (ISO 8601), or nil.
    func timestamp(_ path: String...) -> Date? {
        path.reduce(Optional(self)) { $0?.child($1) }.flatMap { WireTimestamp.parse($0.text) }
    }

    /// The text at `path`, nil when it is absent or empty (moto writes `<Reason/>` for "none").
    func nonEmptyText(_ path: String...) -> String? {
        guard let text = path.reduce(Optional(self), { $0?.child($1) })?.text, !text.isEmpty else { return nil }
        return text
    }

    /// The texts of the list `name` (`<Name><member>a</member>…</Name>`).
    func strings(_ name: String) -> [String] {
        list(name).map(\.text)
    }

    /// This element as a request parameter again, for settings Cutover does not model
    /// but must carry over unchanged (a mixed instances policy, a redirect action): a
    /// list for `<member>`/`<item>` children, a structure for named children, text for
    /// a leaf. Empty leaves are dropped: an answer writes `<X/>` for an absent value.
    ///
    /// This holds for query-protocol shapes that are the same in input and output,
    /// which is how Auto Scaling and ELBv2 define the ones it is used for.
    var queryValue: QueryValue? {
        if children.isEmpty { return text.isEmpty ? nil : .string(text) }
        if children.allSatisfy({ $0.name == "member" || $0.name == "item" }) {
            return .list(children.compactMap(\.queryValue))
        }
        let members = children.compactMap { child in child.queryValue.map { (child.name, $0) } }
        return members.isEmpty ? nil : .structure(members)
    }
}
