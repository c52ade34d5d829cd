import CutoverAppSpec
import CutoverCore
import Testing

/// `files` entries (reference §2.3).
@Suite
struct FileMappingTests {
    private func server(_ files: String) -> String {
        "version: 0.0\nos: linux\nfiles:\n" + files
    }

    @Test func requiresASource() {
        let found = issues(server("  - destination: /srv\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == ["appspec.yml:4:5 file mapping has no `source`"])
        #expect(found.first?.hint == "add `source:` with a path in the bundle (`/` for all of it)")
    }

    @Test func requiresADestination() {
        #expect(problems(server("  - source: app\n")) == ["4:5 file mapping has no `destination`"])
    }

    /// A key with no value is `nil` to the agent, as good as missing: reported at the key.
    @Test func aDestinationWithNoValueIsMissing() {
        #expect(problems(server("  - source: app\n    destination:\n")) == ["5:5 file mapping has no `destination`"])
    }

    /// The classic typo is reported once, at the misspelt key, with the key it meant.
    @Test func aMisspeltKeyIsReportedInsteadOfTheMissingOne() {
        let found = issues(server("  - source: app\n    deatination: /srv/app\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:5:5 unknown key `deatination`, so this file mapping has no `destination`"
        ])
        #expect(found.first?.hint == "did you mean `destination`?")
    }

    @Test func rejectsARelativeDestination() {
        #expect(problems(server("  - source: app\n    destination: srv/app\n")) == [
            "5:18 destination `srv/app` is not an absolute path"
        ])
    }

    @Test(arguments: [#"C:\inetpub\app"#, "C:/inetpub/app", #"\\server\share"#])
    func acceptsWindowsAbsoluteDestinations(destination: String) throws {
        _ = try parsed("version: 0.0\nos: windows\nfiles:\n  - source: app\n    destination: '\(destination)'\n")
    }

    @Test func rejectsAFilesSectionThatIsNotAList() {
        #expect(problems(server("  source: app\n  destination: /srv\n")) == ["4:3 `files` must be a list, not a mapping"])
    }

    @Test func rejectsAnEntryThatIsNotAMapping() {
        #expect(problems(server("  - app\n")) == ["4:5 a `files` entry must be a mapping of keys, not a string"])
    }

    @Test func anEmptyFilesSectionCopiesNothing() throws {
        #expect(try parsed(server("")) == .server(ServerAppSpec(os: .linux)))
    }

    @Test func unknownKeysAreIgnored() throws {
        let appSpec = try parsed(server("  - source: app\n    destination: /srv\n    overwrite: true\n"))
        #expect(appSpec == .server(ServerAppSpec(os: .linux, files: [FileMapping(source: "app", destination: "/srv")])))
    }

    // MARK: - Duplicate destinations

    @Test func rejectsTheSameMappingTwice() {
        let found = issues(server("""
              - source: app
                destination: /srv/app
              - source: ./app/
                destination: /srv/app/
            """))
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:7:18 this file mapping installs files in the same place as the one at line 4 (`app` → `/srv/app`)"
        ])
        #expect(found.first?.hint == "remove one of them: the Install event fails when two copies target the same file")
    }

    /// `/` copies the whole bundle, `config` included, to /srv/app/config already.
    @Test func rejectsASourceAlreadyCopiedAsPartOfItsParent() {
        #expect(problems(server("""
              - source: /
                destination: /srv/app
              - source: config
                destination: /srv/app/config
            """)) == [
            "7:18 this file mapping installs files in the same place as the one at line 4 (`/` → `/srv/app`)"
        ])
    }

    /// Different sources into one directory are fine unless the bundle says otherwise.
    @Test func acceptsDifferentSourcesIntoOneDirectory() throws {
        _ = try parsed(server("""
              - source: app
                destination: /srv/app
              - source: config/app.conf
                destination: /srv/app
              - source: config
                destination: /etc/app
            """))
    }
}
