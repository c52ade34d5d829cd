import CutoverAppSpec
import CutoverCore
import Testing

/// The document as a whole: empty files, YAML syntax, JSON, and telling the form.
@Suite
struct DocumentTests {
    @Test(arguments: ["", "\n\n", "# nothing yet\n", "---\n", "~\n"])
    func rejectsAnEmptyFile(text: String) {
        let found = issues(text)
        #expect(found.map { "\($0.location) \($0.message)" } == ["appspec.yml:1:1 the appspec file is empty"])
    }

    @Test func rejectsADocumentThatIsNotAMapping() {
        #expect(problems("- version: 0.0\n") == ["1:1 an appspec must be a mapping of keys (version, os, hooks…), not a list"])
    }

    @Test func reportsYAMLSyntaxErrorsWhereLibyamlFindsThem() {
        let found = issues("version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: a.sh\n   timeout: 3\n")
        #expect(found.count == 1)
        #expect(found.first?.location == SourceLocation(file: testFile, line: 6, column: 4))
        #expect(found.first?.message.hasPrefix("invalid YAML: ") == true)
    }

    @Test func explainsTabIndentation() {
        let found = issues("version: 0.0\nos: linux\nfiles:\n\t- source: a\n")
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:4:1 invalid YAML: found character that cannot start any token (while scanning for the next token)"
        ])
        #expect(found.first?.hint == "YAML does not allow tabs for indentation: indent with spaces")
    }

    @Test func reportsADuplicatedKey() {
        let found = issues("version: 0.0\nos: linux\nos: windows\n")
        #expect(found.map { "\($0.location) \($0.message)" } == ["appspec.yml:2:1 key `os` appears more than once in the same mapping"])
    }

    /// JSON indented with tabs: libyaml takes tabs inside the braces, but not before the
    /// first one or on a blank line after the last; positions stay exact.
    @Test func toleratesTabsAroundJSON() {
        let text = "\t{\n\t\"version\": 0.0,\n\t\"os\": \"beos\"\n}\n\t\n"
        #expect(problems(text) == ["3:8 unsupported operating system `beos`"])
    }

    @Test func readsTabIndentedJSON() throws {
        let text = "{\n\t\"version\": 0.0,\n\t\"os\": \"linux\",\n\t\"hooks\": {\n\t\t\"ApplicationStart\": [\n\t\t\t{\"location\": \"s.sh\"}\n\t\t]\n\t}\n}\n\t\n"
        #expect(try parsed(text) == .server(ServerAppSpec(os: .linux, hooks: [.applicationStart: [HookScript(location: "s.sh")]])))
    }

    @Test func reportsJSONErrorsAtTheirPosition() {
        let found = issues("{\n  \"version\": 0.0,\n  \"os\": \"linux\"\n  \"files\": []\n}\n")
        #expect(found.count == 1)
        #expect(found.first?.location.line == 4)
    }

    // MARK: - Telling the form

    @Test func anUnknownResourceTypeWithoutOSIsReported() {
        let found = issues("version: 0.0\nResources:\n  - fn:\n      Type: AWS::Lambda::Fuction\n")
        #expect(found.map { "\($0.location) \($0.message)" } == ["appspec.yml:4:13 unknown resource type `AWS::Lambda::Fuction`"])
        #expect(found.first?.hint == "use AWS::ECS::Service or AWS::Lambda::Function; a server appspec has `os` instead of `Resources`")
    }

    @Test func resourcesInAServerAppSpecAreIgnored() throws {
        let appSpec = try parsed("version: 0.0\nos: linux\nResources:\n  - x:\n      Type: AWS::S3::Bucket\n")
        #expect(appSpec.platform == .server)
    }

    /// Hooks of a server appspec are `hooks`; `Hooks` is the ECS/Lambda spelling.
    @Test func aCapitalisedServerKeyIsATypo() {
        let found = issues("version: 0.0\nos: linux\nHooks:\n  ApplicationStart:\n    - location: a.sh\nfile:\n  - source: a\n")
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:3:1 unknown key `Hooks`, so the appspec has no `hooks`",
            "appspec.yml:6:1 unknown key `file`, so the appspec has no `files`",
        ])
        #expect(found.map(\.hint) == ["did you mean `hooks`? (keys are case-sensitive)", "did you mean `files`?"])
    }

    /// Keys far from any known key are ignored, as the agent ignores them.
    @Test func unknownKeysAreIgnored() throws {
        _ = try parsed("version: 0.0\nos: linux\nnotes: deployed by CI\nid: 7\n")
    }

    @Test func theErrorNamesTheFileAndForm() {
        do {
            _ = try AppSpecParser.parse(text: "version: 0.0\nos: linux\nfiles: 3\n", file: "deploy/appspec.yml")
            Issue.record("expected an error")
        } catch {
            #expect(error.platform == .server)
            #expect(error.description == """
                deploy/appspec.yml:3:8: error: `files` must be a list, not a number
                  hint: write each entry as `- source: PATH` with `destination: PATH` below it
                """)
        }
    }
}
