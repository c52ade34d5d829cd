@testable import CutoverLocal
import CutoverCore
import Testing

/// The agent's one-level glob and the selection rules built on it (reference §2.5).
@Suite
struct PermissionGlobTests {
    @Test(arguments: [
        ("run.sh", "*.sh", true),
        ("run.sh", "*", true),
        ("run.sh", "run.sh", true),
        ("run.sh", "r*n.*h", true),
        ("run.sh", "**", true),
        ("run.sh.bak", "*.sh", false),
        ("bin/run.sh", "*.sh", false),
        ("bin/run.sh", "*", false),
        ("run.sh", "*.py", false),
        ("aaa", "*a*a*a*", true),
        ("aa", "*a*a*a*", false),
        ("", "*", true),
        ("x", "", false),
    ])
    func matchesLikeTheAgent(name: String, pattern: String, matches: Bool) {
        #expect(PermissionGlob.matches(name, pattern) == matches)
    }

    @Test func selectsOnlyBelowTheObject() {
        let everything = Permission(object: "/srv")
        #expect(everything.selects("/srv/a/b/c", below: "/srv"))
        #expect(!everything.selects("/srv", below: "/srv"))
        #expect(!everything.selects("/srvx/a", below: "/srv"))
        #expect(Permission(object: "/").selects("/etc/x", below: "/"))

        let scripts = Permission(object: "/srv", pattern: "*.sh", except: ["skip.sh"])
        #expect(scripts.selects("/srv/run.sh", below: "/srv"))
        #expect(!scripts.selects("/srv/skip.sh", below: "/srv"))
        #expect(!scripts.selects("/srv/bin/run.sh", below: "/srv"))

        let deep = Permission(object: "/srv", except: ["skip.sh"])
        #expect(!deep.selects("/srv/skip.sh", below: "/srv"))
        #expect(deep.selects("/srv/bin/skip.sh", below: "/srv"))
    }
}
