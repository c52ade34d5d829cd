import Yams

/// The scalar keys of one YAML mapping, looked up by name, with their nodes kept for
/// error positions.
///
/// The agent reads server appspecs with Ruby hash lookups, so those keys are
/// case-sensitive. The guide prints the ECS and Lambda forms with lowercase keys while
/// real files capitalise them, so those forms match keys case-insensitively.
struct MappingFields {
    /// One key and its value.
    struct Entry {
        let key: String
        let keyNode: Node
        let value: Node
    }

    /// The mapping itself: where a missing key is reported.
    let node: Node
    let entries: [Entry]
    /// The keys this mapping may have; any other key is ignored, unless it looks like a
    /// misspelling of one of these.
    let known: [String]
    let caseInsensitive: Bool

    init(_ node: Node, known: [String], caseInsensitive: Bool = false) {
        self.node = node
        self.known = known
        self.caseInsensitive = caseInsensitive
        var entries: [Entry] = []
        if case .mapping(let mapping) = node {
            for (key, value) in mapping {
                if let name = key.text { entries.append(Entry(key: name, keyNode: key, value: value)) }
            }
        }
        self.entries = entries
    }

    /// The entry for `key`, if present.
    func entry(_ key: String) -> Entry? {
        entries.first { matches($0.key, key) }
    }

    /// The value of `key` if present and not null: a key written with no value counts as
    /// absent, as a Ruby `nil` does for the agent.
    subscript(_ key: String) -> Node? {
        guard let value = entry(key)?.value, !value.isNull else { return nil }
        return value
    }

    /// Keys that are not known but look like a misspelling of a known key, with the key
    /// they probably meant.
    var misspellings: [(entry: Entry, meant: String)] {
        entries.compactMap { entry in
            guard !known.contains(where: { matches(entry.key, $0) }),
                  let meant = Spelling.suggestion(for: entry.key, among: known)
            else { return nil }
            return (entry, meant)
        }
    }

    private func matches(_ key: String, _ name: String) -> Bool {
        caseInsensitive ? key.lowercased() == name.lowercased() : key == name
    }
}
