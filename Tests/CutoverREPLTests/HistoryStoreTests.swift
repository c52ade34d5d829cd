import Testing
@testable import CutoverREPL
#if canImport(Glibc)
@preconcurrency import Glibc
#endif

@Suite struct HistoryStoreTests {
    let directory: String

    init() {
        var template = Array("/tmp/cutover-history-XXXXXX".utf8CString)
        directory = String(cString: mkdtemp(&template)!)
    }

    @Test func survivesARestartWithMultiLineEntries() {
        let path = directory + "/state/history"
        let first = HistoryStore(path: path)
        #expect(first.add("1+1"))
        #expect(first.add("function f()\n  return '\\\\'\nend"))
        let second = HistoryStore(path: path)
        #expect(second.entries == ["1+1", "function f()\n  return '\\\\'\nend"])
    }

    @Test func deduplicatesAndCaps() {
        let store = HistoryStore(path: directory + "/h", limit: 3)
        for entry in ["a", "b", "a", "c", "d", "  "] { store.add(entry) }
        #expect(store.entries == ["a", "c", "d"])
        #expect(HistoryStore(path: directory + "/h").entries == ["a", "c", "d"])
    }

    @Test func twoSessionsKeepBothLines() {
        let path = directory + "/shared"
        let one = HistoryStore(path: path)
        let two = HistoryStore(path: path)
        one.add("from one")
        two.add("from two")
        #expect(HistoryStore(path: path).entries == ["from one", "from two"])
    }

    @Test func neverOverwritesAForeignFile() {
        let path = directory + "/foreign"
        let file = fopen(path, "w")!
        fputs("_HiStOrY_V2_\nsomething\n", file)
        fclose(file)
        let store = HistoryStore(path: path)
        #expect(store.entries.isEmpty)
        #expect(!store.add("x"))
        #expect(HistoryStore.read(path) == nil) // still the foreign content
    }
}
