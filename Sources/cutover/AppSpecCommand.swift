import ArgumentParser
import CutoverAppSpec
import CutoverCore
import CutoverREPL
import Foundation

/// `cutover appspec …`: CodeDeploy appspec files.
struct AppSpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appspec",
        abstract: "Work with CodeDeploy appspec files (server, ECS and Lambda forms).",
        subcommands: [Validate.self]
    )
}

extension AppSpecCommand {
    /// `cutover appspec validate FILE...`: every problem in every file, for people
    /// (`FILE:LINE:COL: error: …`, as compilers print them) or for pipelines (`--json`).
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check appspec files as CodeDeploy would, reporting every problem with its line and column.",
            discussion: """
                Prints `FILE: OK (PLATFORM)` for each valid file, and `FILE:LINE:COL: error: MESSAGE` \
                with a hint for each problem in the others. Exit status: 0 when every file is \
                valid, 2 otherwise (including files that cannot be read).
                """
        )

        @Flag(help: "Print a JSON array with one result per file instead of text.")
        var json = false

        @Argument(help: ArgumentHelp("appspec files, YAML or JSON.", valueName: "file"))
        var files: [String]

        func run() throws {
            let results = files.map(FileCheck.init(checking:))
            Console.write(json ? FileCheck.json(results) : results.map(\.text).joined())
            if results.contains(where: { !$0.isValid }) { throw ExitCode(2) }
        }
    }
}

extension AppSpecCommand.Validate {
    /// What checking one file found.
    struct FileCheck {
        let file: String
        /// The form the file is (or, if invalid, looks like), when it can be told.
        let platform: ComputePlatform?
        let issues: [AppSpecIssue]

        var isValid: Bool { issues.isEmpty }

        init(checking file: String) {
            self.file = file
            guard let text = Self.read(file) else {
                platform = nil
                issues = [Self.unreadable(file)]
                return
            }
            do {
                platform = try AppSpecParser.parse(text: text, file: file).platform
                issues = []
            } catch {
                platform = error.platform
                issues = error.issues
            }
        }

        private static func read(_ file: String) -> String? {
            FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) }
        }

        private static func unreadable(_ file: String) -> AppSpecIssue {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory)
            let (message, hint) =
                !exists ? ("no such file", "check the path")
                : isDirectory.boolValue ? ("is a directory", "name the appspec file itself, such as \(file)/appspec.yml")
                : ("cannot read the file", "check its permissions")
            return AppSpecIssue(location: SourceLocation(file: file), message: message, hint: hint)
        }

        // MARK: - Output

        /// `FILE: OK (server)`, or each issue with its hint.
        var text: String {
            if let platform, isValid { return "\(file): OK (\(platform.rawValue))\n" }
            return issues.map { "\($0)\n" }.joined()
        }

        static func json(_ results: [FileCheck]) -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            guard let data = try? encoder.encode(results.map(JSONResult.init)) else { return "[]\n" }
            return String(decoding: data, as: UTF8.self) + "\n"
        }
    }

    /// One element of `--json` output. Unknown values are written as `null`, not left
    /// out, so that every element has the same keys.
    private struct JSONResult: Encodable {
        let result: FileCheck

        enum CodingKeys: String, CodingKey { case file, valid, platform, errors }
        enum IssueKeys: String, CodingKey { case line, column, message, hint }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(result.file, forKey: .file)
            try container.encode(result.isValid, forKey: .valid)
            try container.encode(result.platform?.rawValue, forKey: .platform)
            var errors = container.nestedUnkeyedContainer(forKey: .errors)
            for issue in result.issues {
                var error = errors.nestedContainer(keyedBy: IssueKeys.self)
                try error.encode(issue.location.line, forKey: .line)
                try error.encode(issue.location.column, forKey: .column)
                try error.encode(issue.message, forKey: .message)
                try error.encode(issue.hint, forKey: .hint)
            }
        }
    }
}
