import CutoverAppSpec
import CutoverCore
import Testing

/// The server form's top level: version, os, file_exists_behavior, and the whole model.
@Suite
struct ServerAppSpecTests {
    @Test func readsEverySectionIntoTheModel() throws {
        let appSpec = try parsed("""
            version: 0.0
            os: linux
            files:
              - source: /
                destination: /srv/app
            file_exists_behavior: RETAIN
            permissions:
              - object: /srv/app
                pattern: "*.sh"
                except: [skip.sh]
                owner: app
                group: web
                mode: 750
                acls: ["u:deploy:rwx", "d:g:web:r-x"]
                context:
                  user: system_u
                  type: httpd_sys_content_t
                  range: s0-s1:c0.c3
                type: [file]
            hooks:
              BeforeInstall:
                - location: scripts/stop.sh
                  timeout: 30
                  runas: app
                - location: scripts/clean.sh
                  sudo: true
              ApplicationStart: []
            """)
        let expected = ServerAppSpec(
            os: .linux,
            files: [FileMapping(source: "/", destination: "/srv/app")],
            fileExistsBehavior: .retain,
            permissions: [
                Permission(
                    object: "/srv/app", pattern: "*.sh", except: ["skip.sh"], owner: "app", group: "web", mode: 0o750,
                    acls: ["u:deploy:rwx", "d:g:web:r-x"],
                    context: SELinuxContext(user: "system_u", type: "httpd_sys_content_t", range: "s0-s1:c0.c3"),
                    types: [.file])
            ],
            hooks: [
                .beforeInstall: [
                    HookScript(location: "scripts/stop.sh", timeout: .seconds(30), runas: "app"),
                    HookScript(location: "scripts/clean.sh", sudo: true),
                ],
                .applicationStart: [],
            ])
        #expect(appSpec == .server(expected))
    }

    @Test func theSmallestServerAppSpecHasDefaults() throws {
        let appSpec = try parsed("version: 0.0\nos: windows\n")
        #expect(appSpec == .server(ServerAppSpec(os: .windows)))
        guard case .server(let server) = appSpec else { return }
        #expect(server.fileExistsBehavior == nil)
    }

    @Test func readsJSON() throws {
        let appSpec = try parsed("""
            {
              "version": 0.0,
              "os": "linux",
              "files": [{"source": "app", "destination": "/srv/app"}],
              "hooks": {"ApplicationStart": [{"location": "start.sh", "timeout": 60}]}
            }
            """)
        #expect(appSpec == .server(ServerAppSpec(
            os: .linux, files: [FileMapping(source: "app", destination: "/srv/app")],
            hooks: [.applicationStart: [HookScript(location: "start.sh", timeout: .seconds(60))]])))
    }

    // MARK: - version

    /// The agent compares with the number 0.0, so any plain zero passes (reference §2.2).
    @Test(arguments: ["0.0", "0", "0.00", "00"])
    func acceptsANumericZeroVersion(version: String) throws {
        _ = try parsed("version: \(version)\nos: linux\n")
    }

    /// Agent 1.8.1 rejects the string "0.0" although the guide calls it a string.
    @Test(arguments: [#""0.0""#, "'0.0'"])
    func rejectsAQuotedVersionForServer(version: String) {
        let found = issues("version: \(version)\nos: linux\n")
        #expect(found.map(\.message) == ["version \"0.0\" is a string; the CodeDeploy agent only accepts the number 0.0"])
        #expect(found.first?.location == SourceLocation(file: testFile, line: 1, column: 10))
        #expect(found.first?.hint == "remove the quotes: `version: 0.0`")
    }

    @Test(arguments: ["1", "1.0", "0.1", "latest", "[0.0]"])
    func rejectsOtherVersions(version: String) {
        let found = problems("os: linux\nversion: \(version)\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("2:10 invalid version") == true, "\(found)")
    }

    @Test func requiresAVersion() {
        #expect(problems("os: linux\nhooks:\n") == ["1:1 the appspec has no `version`"])
    }

    @Test func aVersionWithNoValueIsMissing() {
        #expect(problems("version:\nos: linux\n") == ["1:1 the appspec has no `version`"])
    }

    // MARK: - os

    @Test func requiresAnOperatingSystem() {
        #expect(problems("version: 0.0\n") == ["1:1 the appspec has no `os`"])
    }

    @Test func rejectsAnUnsupportedOperatingSystem() {
        let found = issues("version: 0.0\nos: macos\n")
        #expect(found.map(\.message) == ["unsupported operating system `macos`"])
        #expect(found.first?.location.description == "appspec.yml:2:5")
        #expect(found.first?.hint == "use `linux` or `windows`")
    }

    @Test func suggestsTheLowerCaseOperatingSystem() {
        #expect(issues("version: 0.0\nos: Linux\n").map(\.hint) == ["did you mean `linux`? (lower case)"])
    }

    // MARK: - file_exists_behavior

    @Test(arguments: FileExistsBehavior.allCases)
    func readsEachFileExistsBehavior(behavior: FileExistsBehavior) throws {
        let appSpec = try parsed("version: 0.0\nos: linux\nfile_exists_behavior: \(behavior.rawValue)\n")
        #expect(appSpec == .server(ServerAppSpec(os: .linux, fileExistsBehavior: behavior)))
    }

    @Test func rejectsAnUnknownFileExistsBehavior() {
        let found = issues("version: 0.0\nos: linux\nfile_exists_behavior: REPLACE\n")
        #expect(found.map { "\($0.location)" } == ["appspec.yml:3:23"])
        #expect(found.map(\.message) == ["invalid file_exists_behavior `REPLACE`"])
        #expect(found.map(\.hint) == ["use DISALLOW, OVERWRITE or RETAIN"])
    }

    @Test func suggestsTheUpperCaseFileExistsBehavior() {
        let found = issues("version: 0.0\nos: linux\nfile_exists_behavior: overwrite\n")
        #expect(found.map(\.hint) == ["did you mean `OVERWRITE`? (upper case)"])
    }

    // MARK: - Collecting

    /// One run shows everything, in file order, whatever order the checks run in.
    @Test func collectsEveryProblemInFileOrder() {
        let found = problems("""
            hooks:
              Install:
                - location: a.sh
            files:
              - source: a
            version: 2
            os: solaris
            """)
        #expect(found == [
            "2:3 `Install` is run by CodeDeploy itself and cannot have hooks",
            "5:5 file mapping has no `destination`",
            "6:10 invalid version `2`",
            "7:5 unsupported operating system `solaris`",
        ])
    }

    @Test func rendersIssuesAsCompilersDo() {
        let found = issues("version: 0.0\nos: linux\nfiles:\n  - source: a\n")
        #expect(found.map(\.description) == [
            """
            appspec.yml:4:5: error: file mapping has no `destination`
              hint: add `destination:` with the absolute path to copy to
            """
        ])
    }
}
