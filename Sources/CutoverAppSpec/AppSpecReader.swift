import CutoverCore
import Yams

/// Walks a composed appspec document, building the model and collecting every problem
/// with the position of the node it concerns.
///
/// Reading never stops at the first problem: each section is read as far as it can be,
/// so one run of `cutover appspec validate` shows everything to fix. The readers for
/// each form and section are extensions in `AppSpecReader+<Topic>.swift`; this file has
/// the helpers they share.
struct AppSpecReader {
    let file: String
    private(set) var issues: [AppSpecIssue] = []

    init(file: String) {
        self.file = file
    }

    // MARK: - Reporting

    func location(of node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line, column: node.mark?.column)
    }

    mutating func report(_ message: String, at node: Node, hint: String) {
        report(message, at: location(of: node), hint: hint)
    }

    mutating func report(_ message: String, at location: SourceLocation, hint: String) {
        issues.append(AppSpecIssue(location: location, message: message, hint: hint))
    }

    /// Reports a key missing from `fields`, unless a misspelling of it is there: then
    /// `reportMisspellings` says so at the misspelt key, which is the better place.
    mutating func reportMissing(_ key: String, in fields: MappingFields, message: String, hint: String) {
        guard !fields.misspellings.contains(where: { $0.meant == key }) else { return }
        report(message, at: fields.entry(key)?.keyNode ?? fields.node, hint: hint)
    }

    /// Reports each key of `fields` that is not known but close to a known one. Unknown
    /// keys are otherwise ignored, as the agent ignores them; a near miss is worth an
    /// error, because the agent would then silently not see the intended key.
    mutating func reportMisspellings(in fields: MappingFields, of what: String) {
        for (entry, meant) in fields.misspellings {
            let message =
                fields[meant] == nil
                ? "unknown key `\(entry.key)`, so \(what) has no `\(meant)`"
                : "unknown key `\(entry.key)` in \(what) is ignored"
            let caseOnly = entry.key.lowercased() == meant.lowercased()
            report(
                message, at: entry.keyNode,
                hint: "did you mean `\(meant)`?" + (caseOnly ? " (keys are case-sensitive)" : ""))
        }
    }

    // MARK: - Values

    /// The fields of a mapping node, or `nil` after reporting that `node` is not a mapping.
    mutating func fields(
        of node: Node, named what: String, known: [String], caseInsensitive: Bool = false, hint: String
    ) -> MappingFields? {
        guard case .mapping = node else {
            report("\(what) must be a mapping of keys, not \(node.kindDescription)", at: node, hint: hint)
            return nil
        }
        return MappingFields(node, known: known, caseInsensitive: caseInsensitive)
    }

    /// The items of a list node, or `nil` after reporting that `node` is not a list.
    mutating func items(of node: Node, named what: String, hint: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            report("\(what) must be a list, not \(node.kindDescription)", at: node, hint: hint)
            return nil
        }
        return Array(sequence)
    }

    /// The text of a scalar node (numbers and booleans as written), or `nil` after
    /// reporting that it is a list or mapping.
    mutating func string(_ node: Node, named what: String, hint: String) -> String? {
        guard case .scalar = node else {
            report("\(what) must be a single value, not \(node.kindDescription)", at: node, hint: hint)
            return nil
        }
        return node.text ?? ""
    }

    /// A whole number written either bare or quoted (`80` or `"80"`: real ECS files quote
    /// ports, and the agent's `to_i` reads quoted timeouts), or `nil` after reporting
    /// what is wrong with it.
    mutating func integer(_ node: Node, named what: String, hint: String) -> Int? {
        if let text = node.text {
            if !text.isEmpty, text.allSatisfy(\.isASCIIDigit), let value = Int(text) { return value }
            if node.isPlainScalar, node.tagName == .int, let value = node.int { return value }
        }
        let written = node.text.map { "`\($0)`" } ?? node.kindDescription
        report("\(what) must be a whole number, not \(written)", at: node, hint: hint)
        return nil
    }

    // MARK: - Version

    /// Checks `version`, the one key all three forms share; its only value is 0.0.
    ///
    /// Server: the agent compares the parsed value with the *number* 0.0 (Ruby `==`, so
    /// `0.0`, `0` and `0.00` pass) and rejects the string `"0.0"`, although the guide
    /// calls the value a string (reference §2.2 and §17.1). Server appspecs are read by
    /// the agent, so Cutover follows the agent: a quoted version is an error there.
    /// ECS and Lambda appspecs are read by the service, not the agent, and the guide says
    /// "string", so either spelling is accepted for them.
    mutating func checkVersion(in root: MappingFields, platform: ComputePlatform) {
        let hint = "write `version: 0.0` (without quotes), the only version CodeDeploy knows"
        guard let value = root["version"] else {
            reportMissing("version", in: root, message: "the appspec has no `version`", hint: hint)
            return
        }
        let number = value.tagName == .int ? value.int.map(Double.init) : value.tagName == .float ? value.float : nil
        if value.isPlainScalar, number == 0 { return }
        if let text = value.text, !value.isPlainScalar, text == "0.0" || text == "0" {
            if platform != .server { return }
            report(
                "version \"\(text)\" is a string; the CodeDeploy agent only accepts the number 0.0", at: value,
                hint: "remove the quotes: `version: 0.0`")
            return
        }
        report("invalid version \(value.text.map { "`\($0)`" } ?? value.kindDescription)", at: value, hint: hint)
    }
}
