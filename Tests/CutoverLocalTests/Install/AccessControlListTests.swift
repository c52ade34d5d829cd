@testable import CutoverLocal
import Testing

/// The full ACL handed to `setfacl --set`: the appspec's entries plus the base entries
/// the mode implies, as the agent builds it.
@Suite
struct AccessControlListTests {
    @Test(arguments: [
        (["u:deploy:rwx"], 0o750, ["u:deploy:rwx", "u::7", "g::5", "o::0", "m::5"]),
        (["m::r", "g:web:r-x"], 0o640, ["m::r", "g:web:r-x", "u::6", "g::4", "o::0"]),
        (["d:u:deploy:rwx"], 0o755,
         ["d:u:deploy:rwx", "u::7", "g::5", "o::5", "d:u::7", "d:g::5", "d:o::5", "d:m::5"]),
        (["default:group::r-x", "d:g:web:rwx"], 0o700,
         ["default:group::r-x", "d:g:web:rwx", "u::7", "g::0", "o::0", "d:u::7", "d:o::0", "d:m::r-x"]),
    ])
    func addsTheBaseEntries(entries: [String], mode: Int, full: [String]) {
        #expect(AccessControlList(entries: entries).fullEntries(mode: mode) == full)
    }

    @Test func parsesEntriesRightToLeft() {
        #expect(AccessControlList.parse("deploy:rw") == AccessControlList.Entry(isDefault: false, tag: .user, name: "deploy", permissions: "rw"))
        #expect(AccessControlList.parse("d:g:web:5") == AccessControlList.Entry(isDefault: true, tag: .group, name: "web", permissions: "5"))
        #expect(AccessControlList.parse("default:mask::rwx") == AccessControlList.Entry(isDefault: true, tag: .mask, name: "", permissions: "rwx"))
        #expect(AccessControlList.parse("o::r") == AccessControlList.Entry(isDefault: false, tag: .other, name: "", permissions: "r"))
        #expect(AccessControlList.parse("x:y:z:w:v") == nil)
        #expect(AccessControlList(entries: ["d:u:a:r"]).hasDefaultEntries)
        #expect(!AccessControlList(entries: ["u:a:r"]).hasDefaultEntries)
    }
}
