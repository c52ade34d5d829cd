@testable import CutoverAppSpec
import Testing

/// "Did you mean …?" suggestions.
@Suite
struct SpellingTests {
    @Test(arguments: [
        ("destination", "destination", 0), ("deatination", "destination", 1), ("destinatoin", "destination", 1),
        ("hook", "hooks", 1), ("", "os", 2), ("kitten", "sitting", 3),
    ])
    func measuresEditDistance(a: String, b: String, distance: Int) {
        #expect(Spelling.editDistance(a, b) == distance)
    }

    static let serverKeys = ["version", "os", "files", "file_exists_behavior", "permissions", "hooks"]

    @Test(arguments: [
        ("deatination", ["source", "destination"], "destination"),
        ("Hooks", serverKeys, "hooks"),
        ("hook", serverKeys, "hooks"),
        ("premissions", serverKeys, "permissions"),
        ("file_exist_behaviour", serverKeys, "file_exists_behavior"),
        ("OS", serverKeys, "os"),
        ("mod", ["mode", "owner"], "mode"),
    ] as [(String, [String], String)])
    func suggestsTheKnownName(word: String, candidates: [String], meant: String) {
        #expect(Spelling.suggestion(for: word, among: candidates) == meant)
    }

    /// Short names get less slack, or every short key would be a typo of `os`.
    @Test(arguments: ["id", "ts", "<<", "notes", "description"])
    func leavesUnrelatedNamesAlone(word: String) {
        #expect(Spelling.suggestion(for: word, among: Self.serverKeys) == nil)
    }
}
