import CutoverCore
import Yams

/// Reads appspec files as CodeDeploy does, reporting every problem with its position.
///
/// YAML and JSON are both accepted (JSON is YAML, as long as tabs stay inside the braces;
/// see `compose`). The form is told from the content, as CodeDeploy tells it from the
/// deployment group's platform: a `Resources` entry of type `AWS::ECS::Service` makes an
/// ECS appspec, `AWS::Lambda::Function` a Lambda appspec, anything else a server one.
public enum AppSpecParser {
    /// The appspec in `text`, or an error listing everything wrong with it. `file` is
    /// only used to name the file in error locations.
    public static func parse(text: String, file: String) throws(AppSpecError) -> AppSpec {
        let root: Node
        switch compose(text, file: file) {
        case .success(let node?):
            root = node
        case .success(nil):
            throw AppSpecError(platform: nil, issues: [emptyFileIssue(file)])
        case .failure(let error):
            throw error
        }
        if root.isNull { throw AppSpecError(platform: nil, issues: [emptyFileIssue(file)]) }

        var reader = AppSpecReader(file: file)
        guard case .mapping = root else {
            reader.report(
                "an appspec must be a mapping of keys (version, os, hooks…), not \(root.kindDescription)", at: root,
                hint: "start the file with `version: 0.0`")
            throw AppSpecError(platform: nil, issues: reader.issues)
        }

        let platform: ComputePlatform
        switch detectForm(root) {
        case .platform(let detected):
            platform = detected
        case .unknownResourceType(let node):
            reader.report(
                "unknown resource type \(node.text.map { "`\($0)`" } ?? "")", at: node,
                hint: "use AWS::ECS::Service or AWS::Lambda::Function; a server appspec has `os` instead of `Resources`")
            throw AppSpecError(platform: nil, issues: reader.issues)
        }

        let appSpec: AppSpec?
        switch platform {
        case .server:
            let fields = MappingFields(root, known: AppSpecReader.serverKeys)
            appSpec = reader.readServer(fields).map(AppSpec.server)
        case .ecs:
            let fields = MappingFields(root, known: AppSpecReader.resourceFormKeys, caseInsensitive: true)
            appSpec = reader.readECS(fields).map(AppSpec.ecs)
        case .lambda:
            let fields = MappingFields(root, known: AppSpecReader.resourceFormKeys, caseInsensitive: true)
            appSpec = reader.readLambda(fields).map(AppSpec.lambda)
        }
        guard reader.issues.isEmpty, let appSpec else {
            let issues = reader.issues.enumerated()
                .sorted { ($0.element.location, $0.offset) < ($1.element.location, $1.offset) }
                .map(\.element)
            throw AppSpecError(platform: platform, issues: issues)
        }
        return appSpec
    }

    // MARK: - Reading the document

    /// The document's root node (`nil` for a file with no content).
    ///
    /// libyaml accepts tabs between tokens inside JSON's braces, but not before the
    /// opening one or on blank lines after the closing one, where YAML's block rules
    /// apply; editors indenting JSON with tabs produce both. So when a document that
    /// starts with `{` fails to parse, it is tried again with each tab replaced by one
    /// space: outside strings (where JSON forbids raw tabs anyway) a tab is only
    /// whitespace, and one character for one keeps every line and column where it was.
    static func compose(_ text: String, file: String) -> Result<Node?, AppSpecError> {
        do {
            return .success(try Yams.compose(yaml: text))
        } catch {
            let looksLikeJSON = text.drop { $0.isWhitespace || $0 == "\u{FEFF}" }.first == "{"
            if looksLikeJSON, text.contains("\t"),
               let node = try? Yams.compose(yaml: String(text.map { $0 == "\t" ? " " : $0 })) {
                return .success(node)
            }
            guard let error = error as? YamlError else {
                let issue = AppSpecIssue(
                    location: SourceLocation(file: file), message: "cannot read the file: \(error)",
                    hint: "check that it is a YAML or JSON appspec")
                return .failure(AppSpecError(platform: nil, issues: [issue]))
            }
            return .failure(AppSpecError(platform: nil, issues: [error.issue(in: file, text: text)]))
        }
    }

    private static func emptyFileIssue(_ file: String) -> AppSpecIssue {
        AppSpecIssue(
            location: SourceLocation(file: file, line: 1, column: 1), message: "the appspec file is empty",
            hint: "start it with `version: 0.0`; see examples/appspec/ for each form")
    }

    // MARK: - Telling the form

    private enum Form {
        case platform(ComputePlatform)
        /// `Resources` without `os`, whose resource type is neither ECS nor Lambda.
        case unknownResourceType(Node)
    }

    private static func detectForm(_ root: Node) -> Form {
        let fields = MappingFields(root, known: [], caseInsensitive: true)
        guard case .sequence(let resources)? = fields["Resources"] else { return .platform(.server) }
        var typeNodes: [Node] = []
        for resource in resources {
            // The resource's body is under its name; look at the entry itself too, for
            // files that leave the name out (reported later as such).
            let bodies = [resource] + MappingFields(resource, known: []).entries.map(\.value)
            for body in bodies {
                guard let type = MappingFields(body, known: [], caseInsensitive: true)["Type"] else { continue }
                switch type.text {
                case AppSpecReader.resourceType(of: .ecs)?: return .platform(.ecs)
                case AppSpecReader.resourceType(of: .lambda)?: return .platform(.lambda)
                default: typeNodes.append(type)
                }
            }
        }
        if fields["os"] == nil, let type = typeNodes.first { return .unknownResourceType(type) }
        return .platform(.server)
    }
}
