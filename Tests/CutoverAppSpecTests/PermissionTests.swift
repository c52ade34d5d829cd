import CutoverAppSpec
import CutoverCore
import Testing

/// `permissions` entries (reference §2.5).
@Suite
struct PermissionTests {
    private func permissions(_ text: String, os: String = "linux") -> String {
        "version: 0.0\nos: \(os)\npermissions:\n" + text
    }

    private func mode(_ written: String) throws -> Int? {
        guard case .server(let server) = try parsed(permissions("  - object: /srv\n    mode: \(written)\n")) else { return nil }
        return server.permissions.first?.mode
    }

    @Test func defaultsToEverythingOfBothTypes() throws {
        let appSpec = try parsed(permissions("  - object: /srv/app\n"))
        #expect(appSpec == .server(ServerAppSpec(os: .linux, permissions: [Permission(object: "/srv/app")])))
        guard case .server(let server) = appSpec else { return }
        #expect(server.permissions.first?.pattern == "**")
        #expect(server.permissions.first?.types == [.file, .directory])
    }

    @Test func requiresAnObject() {
        let found = issues(permissions("  - owner: app\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == ["appspec.yml:4:5 permission has no `object`"])
        #expect(found.first?.hint == "add `object:` with the installed path the permissions apply to")
    }

    @Test func rejectsPermissionsOnWindows() {
        let found = issues(permissions("  - object: C:/app\n", os: "windows"))
        #expect(found.map { "\($0.location) \($0.message)" } == ["appspec.yml:3:1 permissions are not supported on Windows"])
    }

    // MARK: - mode

    @Test(arguments: [("644", 0o644), (#""0644""#, 0o644), ("'4755'", 0o4755), ("7", 0o7), ("0", 0), ("0007", 0o7)])
    func readsOctalModes(written: String, value: Int) throws {
        #expect(try mode(written) == value)
    }

    @Test func rejectsAModeWithANonOctalDigit() {
        let found = issues(permissions("  - object: /srv\n    mode: 684\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:5:11 mode `684` has a character that is not an octal digit (`8`)"
        ])
        #expect(found.first?.hint.hasPrefix("write 1 to 4 octal digits") == true)
    }

    @Test func rejectsASymbolicMode() {
        #expect(problems(permissions("  - object: /srv\n    mode: u+x\n")) == [
            "5:11 mode `u+x` has a character that is not an octal digit (`u`)"
        ])
    }

    @Test func rejectsAModeLongerThanFourDigits() {
        #expect(problems(permissions("  - object: /srv\n    mode: \"01755\"\n")) == ["5:11 mode `01755` is longer than 4 digits"])
    }

    /// YAML 1.1 reads an unquoted 0644 as octal, i.e. 420, which the agent would apply.
    @Test func rejectsAnUnquotedModeWithALeadingZero() {
        let found = issues(permissions("  - object: /srv\n    mode: 0644\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:5:11 the unquoted mode 0644 is read by YAML as the octal number 420, which the agent applies as mode 420"
        ])
        #expect(found.first?.hint == #"quote it ("0644") or drop the leading zero (644)"#)
    }

    // MARK: - type, except, pattern

    @Test func rejectsAnUnsupportedType() {
        let found = issues(permissions("  - object: /srv\n    type: [file, symlink]\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == ["appspec.yml:5:18 unsupported permission type `symlink`"])
        #expect(found.first?.hint == "use `file` or `directory`")
    }

    /// The agent iterates `type` and `except`; a single string is not a list to it.
    @Test func requiresListsForTypeAndExcept() {
        let found = issues(permissions("  - object: /srv\n    type: file\n    except: '*.log'\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:5:11 `type` must be a list, not a string",
            "appspec.yml:6:13 `except` must be a list, not a string",
        ])
        #expect(found.map(\.hint) == [
            "write `type: [file]`, `type: [directory]` or both", #"write it as a list: `except: ["*.log"]`"#,
        ])
    }

    // MARK: - acls

    @Test(arguments: ["u:deploy:rwx", "deploy:r-x", "user:deploy:7", "g:web:r--", "m::rx", "mask::rwx", "d:u:deploy:rw", "default:g:web:r-x", "d:o::r", "d::rwx"])
    func acceptsWellFormedACLEntries(entry: String) throws {
        _ = try parsed(permissions("  - object: /srv\n    acls: [\"\(entry)\"]\n"))
    }

    @Test func rejectsBaseACLEntries() {
        let found = issues(permissions("  - object: /srv\n    acls:\n      - \"u::rw\"\n      - \"o::r\"\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:6:9 ACL entry `u::rw` sets base permissions (owner, owning group or others)",
            "appspec.yml:7:9 ACL entry `o::r` sets base permissions (owner, owning group or others)",
        ])
        #expect(found.first?.hint == "use `mode` for those; ACL entries name a user or group, or are mask or default entries")
    }

    @Test(arguments: ["rwx", "x:deploy:rw", "d:d:u:bob:r", "a:b:c:d:e", "m:bob:rw"])
    func rejectsMalformedACLEntries(entry: String) {
        #expect(problems(permissions("  - object: /srv\n    acls: [\"\(entry)\"]\n")) == ["5:12 malformed ACL entry `\(entry)`"])
    }

    @Test func rejectsAnInvalidPermissionCharacter() {
        let found = issues(permissions("  - object: /srv\n    acls: [\"u:bob:rwz\"]\n"))
        #expect(found.map(\.message) == ["ACL entry `u:bob:rwz` has an invalid permission character `z`"])
        #expect(found.map(\.hint) == ["use r, w, x and -, or one octal digit"])
    }

    // MARK: - context

    /// The guide's key is `user`; agent 1.8.1 reads `name`. Both are accepted.
    @Test(arguments: ["user", "name"])
    func readsTheSELinuxUserFromEitherKey(key: String) throws {
        let appSpec = try parsed(permissions("  - object: /srv\n    context:\n      \(key): system_u\n      type: t\n"))
        guard case .server(let server) = appSpec else { return }
        #expect(server.permissions.first?.context == SELinuxContext(user: "system_u", type: "t"))
    }

    @Test func requiresAContextType() {
        let found = issues(permissions("  - object: /srv\n    context:\n      user: system_u\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == ["appspec.yml:6:7 SELinux context has no `type`"])
    }

    @Test(arguments: [
        ("s1-s0", "the high sensitivity is below the low one"),
        ("s0:c1024", "category c1024 is above c1023"),
        ("s0:c3.c1", "category range c3.c1 runs backwards"),
        ("s0:c1,c0.c2", "a category is listed twice"),
        ("x0", "`x0` is not a sensitivity (s and a number)"),
        ("s0:", "`s0:` has an empty part"),
    ])
    func rejectsMalformedRanges(range: String, reason: String) {
        let found = issues(permissions("  - object: /srv\n    context:\n      type: t\n      range: \"\(range)\"\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == ["appspec.yml:7:14 malformed SELinux range `\(range)`: \(reason)"])
    }

    @Test(arguments: ["s0", "s0-s15:c0.c1023", "s2:c0,c3.c5,c9"])
    func acceptsWellFormedRanges(range: String) throws {
        _ = try parsed(permissions("  - object: /srv\n    context:\n      type: t\n      range: \(range)\n"))
    }

    // MARK: - Duplicates

    @Test func rejectsTheSameObjectListedTwice() {
        let found = issues(permissions("  - object: /srv/app\n    mode: 755\n  - object: /srv/app/\n    owner: app\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:6:13 permissions for `/srv/app/` are listed twice (first at line 4)"
        ])
        #expect(found.first?.hint == "merge the two entries: the Install event fails when an object's permissions are set twice")
    }

    /// The same object for files in one entry and directories in another never collides,
    /// nor do different patterns (whether they overlap depends on the bundle).
    @Test func acceptsTheSameObjectForDisjointSelections() throws {
        _ = try parsed(permissions("""
              - object: /srv/app
                type: [file]
                mode: 644
              - object: /srv/app
                type: [directory]
                mode: 755
              - object: /srv/app
                pattern: "*.sh"
                type: [file]
                mode: 755
            """))
    }

    @Test func reportsMisspeltPermissionKeys() {
        let found = issues(permissions("  - object: /srv\n    onwer: app\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == ["appspec.yml:5:5 unknown key `onwer`, so this permission has no `owner`"])
        #expect(found.first?.hint == "did you mean `owner`?")
    }
}
