import Foundation
import Testing

/// `cutover appspec validate` as CI runs it: files in, one line per result or problem
/// out, exit status 0 only when every file is valid.
@Suite(.timeLimit(.minutes(5)))
struct AppSpecCommandTests {
    /// A sandbox holding copies of examples/appspec/, so output names them as given.
    private func sandboxWithExamples() throws -> Sandbox {
        let sandbox = try Sandbox()
        let examples = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/appspec")
        for name in ["server.yml", "ecs.yaml", "lambda.json", "invalid.yml"] {
            let text = try String(contentsOf: examples.appendingPathComponent(name), encoding: .utf8)
            try sandbox.write(text, to: name)
        }
        return sandbox
    }

    @Test func reportsEachValidExampleWithItsPlatform() throws {
        let sandbox = try sandboxWithExamples()
        let result = try Pipes.run(sandbox.cutover(["appspec", "validate", "server.yml", "ecs.yaml", "lambda.json"]))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "server.yml: OK (server)\necs.yaml: OK (ecs)\nlambda.json: OK (lambda)\n", "\(result)")
        #expect(result.stderr == "", "\(result)")
    }

    @Test func reportsEveryProblemWithItsPositionAndHint() throws {
        let sandbox = try Sandbox()
        try sandbox.write(
            """
            version: 0.0
            os: linux
            files:
              - source: app
                deatination: /srv/app
            hooks:
              Install:
                - location: install.sh
            """, to: "appspec.yml")
        let result = try Pipes.run(sandbox.cutover(["appspec", "validate", "appspec.yml"]))
        #expect(result.status == 2, "\(result)")
        #expect(
            result.stdout == """
                appspec.yml:5:5: error: unknown key `deatination`, so this file mapping has no `destination`
                  hint: did you mean `destination`?
                appspec.yml:7:3: error: `Install` is run by CodeDeploy itself and cannot have hooks
                  hint: hook the events around it instead: `BeforeInstall` or `AfterInstall`

                """, "\(result)")
    }

    /// The example of mistakes has nine, each reported once.
    @Test func reportsTheInvalidExample() throws {
        let sandbox = try sandboxWithExamples()
        let result = try Pipes.run(sandbox.cutover(["appspec", "validate", "invalid.yml"]))
        #expect(result.status == 2, "\(result)")
        let errors = result.stdout.split(separator: "\n").filter { $0.hasPrefix("invalid.yml:") && $0.contains(": error: ") }
        #expect(errors.count == 9, "\(result)")
        #expect(result.stdout.hasPrefix("invalid.yml:5:10: error: version \"0.0\" is a string"), "\(result)")
    }

    @Test func oneInvalidFileFailsTheRunButEveryFileIsChecked() throws {
        let sandbox = try sandboxWithExamples()
        let result = try Pipes.run(sandbox.cutover(["appspec", "validate", "invalid.yml", "server.yml"]))
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.hasSuffix("server.yml: OK (server)\n"), "\(result)")
    }

    @Test func aMissingFileIsAnError() throws {
        let sandbox = try sandboxWithExamples()
        let result = try Pipes.run(sandbox.cutover(["appspec", "validate", "server.yml", "missing.yml"]))
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout == "server.yml: OK (server)\nmissing.yml: error: no such file\n  hint: check the path\n", "\(result)")
    }

    @Test func printsJSONForPipelines() throws {
        let sandbox = try sandboxWithExamples()
        let result = try Pipes.run(
            sandbox.cutover(["appspec", "validate", "--json", "lambda.json", "invalid.yml", "missing.yml"]))
        #expect(result.status == 2, "\(result)")
        let parsed = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        let files = try #require(parsed as? [[String: Any]], "\(result)")
        #expect(files.map { $0["file"] as? String } == ["lambda.json", "invalid.yml", "missing.yml"])
        #expect(files.map { $0["valid"] as? Bool } == [true, false, false])
        #expect(files[0]["platform"] as? String == "lambda")
        #expect((files[0]["errors"] as? [Any])?.isEmpty == true)

        #expect(files[1]["platform"] as? String == "server")
        let errors = try #require(files[1]["errors"] as? [[String: Any]])
        #expect(errors.count == 9)
        #expect(errors.first?["line"] as? Int == 5)
        #expect(errors.first?["column"] as? Int == 10)
        #expect(errors.first?["hint"] as? String == "remove the quotes: `version: 0.0`")

        // Unknown values are null, not left out.
        #expect(files[2]["platform"] is NSNull)
        let missing = try #require((files[2]["errors"] as? [[String: Any]])?.first)
        #expect(missing["line"] is NSNull)
        #expect(missing["message"] as? String == "no such file")
    }

    @Test func requiresAtLeastOneFile() throws {
        let result = try Pipes.run(Sandbox().cutover(["appspec", "validate"]))
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("<file>"), "\(result)")
    }
}
