import CutoverAppSpec
import CutoverCore
import Foundation
import Testing

/// The file name every test document is parsed as.
let testFile = "appspec.yml"

/// The appspec in `text`, failing the test (with every issue) if it is invalid.
func parsed(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> AppSpec {
    do {
        return try AppSpecParser.parse(text: text, file: testFile)
    } catch {
        Issue.record("expected a valid appspec, got:\n\(error)", sourceLocation: sourceLocation)
        throw error
    }
}

/// The problems found in `text`, as `LINE:COL message` strings (the file name is always
/// `testFile`), failing the test if the text is valid.
func problems(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [String] {
    issues(text, sourceLocation: sourceLocation).map { "\($0.location.line ?? 0):\($0.location.column ?? 0) \($0.message)" }
}

/// The issues found in `text`, failing the test if the text is valid.
func issues(_ text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [AppSpecIssue] {
    do {
        let appSpec = try AppSpecParser.parse(text: text, file: testFile)
        Issue.record("expected problems, but the appspec is valid: \(appSpec)", sourceLocation: sourceLocation)
        return []
    } catch {
        return error.issues
    }
}

/// An example file from `examples/appspec/`.
func example(_ name: String) throws -> String {
    let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // CutoverAppSpecTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()
    return try String(contentsOf: root.appendingPathComponent("examples/appspec/\(name)"), encoding: .utf8)
}
