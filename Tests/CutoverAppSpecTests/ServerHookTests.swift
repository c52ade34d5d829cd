import CutoverAppSpec
import CutoverCore
import Testing

/// `hooks` of a server appspec (reference §2.6 and §5.5).
@Suite
struct ServerHookTests {
    private func hooks(_ text: String) -> String {
        "version: 0.0\nos: linux\nhooks:\n" + text
    }

    @Test(arguments: LifecycleEvent.hookable(on: .server))
    func acceptsEveryHookableEvent(event: LifecycleEvent) throws {
        let appSpec = try parsed(hooks("  \(event.rawValue):\n    - location: run.sh\n"))
        #expect(appSpec == .server(ServerAppSpec(os: .linux, hooks: [event: [HookScript(location: "run.sh")]])))
    }

    @Test(arguments: [
        ("Install", "`BeforeInstall` or `AfterInstall`"),
        ("DownloadBundle", "`ApplicationStop` or `BeforeInstall`"),
        ("BlockTraffic", "`BeforeBlockTraffic` or `AfterBlockTraffic`"),
        ("AllowTraffic", "`BeforeAllowTraffic` or `AfterAllowTraffic`"),
    ])
    func rejectsReservedEvents(event: String, around: String) {
        let found = issues(hooks("  \(event):\n    - location: run.sh\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:4:3 `\(event)` is run by CodeDeploy itself and cannot have hooks"
        ])
        #expect(found.first?.hint == "hook the events around it instead: \(around)")
    }

    @Test(arguments: ["AllowTestTraffic", "AfterAllowTestTraffic"])
    func rejectsECSEvents(event: String) {
        let found = issues(hooks("  \(event):\n    - location: run.sh\n"))
        #expect(found.map(\.message) == ["`\(event)` is not a lifecycle event of server deployments"])
        #expect(found.first?.hint.hasPrefix("server hooks are: BeforeBlockTraffic, AfterBlockTraffic, ApplicationStop") == true)
    }

    @Test func suggestsTheEventAMisspeltNameMeant() {
        let found = issues(hooks("  AfterInstal:\n    - location: run.sh\n  applicationstart:\n    - location: go.sh\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:4:3 unknown lifecycle event `AfterInstal`",
            "appspec.yml:6:3 unknown lifecycle event `applicationstart`",
        ])
        #expect(found.map(\.hint) == ["did you mean `AfterInstall`?", "did you mean `ApplicationStart`?"])
    }

    @Test func listsTheEventsForAnUnrecognisableName() {
        let found = issues(hooks("  Deploy:\n    - location: run.sh\n"))
        #expect(found.map(\.hint) == [
            "server hooks are: BeforeBlockTraffic, AfterBlockTraffic, ApplicationStop, BeforeInstall, AfterInstall, "
                + "ApplicationStart, ValidateService, BeforeAllowTraffic, AfterAllowTraffic"
        ])
    }

    // MARK: - Scripts

    @Test func requiresALocation() {
        let found = issues(hooks("  ApplicationStart:\n    - timeout: 10\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == ["appspec.yml:5:7 script has no `location`"])
        #expect(found.first?.hint == "add `location:` with the script's path in the bundle")
    }

    @Test func rejectsAnEmptyLocation() {
        #expect(problems(hooks("  ApplicationStart:\n    - location: '  '\n")) == ["5:17 script has an empty `location`"])
    }

    @Test func aMisspeltLocationIsReportedAtTheTypo() {
        let found = issues(hooks("  ApplicationStart:\n    - locaton: start.sh\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:5:7 unknown key `locaton`, so this script has no `location`"
        ])
        #expect(found.first?.hint == "did you mean `location`?")
    }

    @Test func aMisspeltOptionalKeyIsReported() {
        let found = issues(hooks("  ApplicationStart:\n    - location: start.sh\n      timout: 10\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:6:7 unknown key `timout`, so this script has no `timeout`"
        ])
    }

    /// The agent's `to_i` reads a quoted timeout; the guide's default is an hour.
    @Test func readsTimeouts() throws {
        let appSpec = try parsed(hooks("""
              ApplicationStart:
                - location: a.sh
                  timeout: "90"
                - location: b.sh
                  timeout:
            """))
        #expect(appSpec == .server(ServerAppSpec(os: .linux, hooks: [
            .applicationStart: [
                HookScript(location: "a.sh", timeout: .seconds(90)), HookScript(location: "b.sh", timeout: .seconds(3600)),
            ]
        ])))
    }

    @Test(arguments: [("0", "timeout must be more than 0 seconds, not 0"), ("-5", "timeout must be more than 0 seconds, not -5")])
    func rejectsANonPositiveTimeout(timeout: String, message: String) {
        #expect(problems(hooks("  ApplicationStart:\n    - location: a.sh\n      timeout: \(timeout)\n")) == ["6:16 \(message)"])
    }

    @Test(arguments: ["soon", "1.5", "[10]"])
    func rejectsATimeoutThatIsNotAWholeNumber(timeout: String) {
        let found = problems(hooks("  ApplicationStart:\n    - location: a.sh\n      timeout: \(timeout)\n"))
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("6:16 `timeout` must be a whole number, not") == true, "\(found)")
    }

    @Test func rejectsABareScriptPath() {
        let found = issues(hooks("  ApplicationStart:\n    - scripts/start.sh\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:5:7 a script must be a mapping with a `location`, not a string"
        ])
        #expect(found.first?.hint == "write `- location: scripts/start.sh`")
    }

    /// The agent calls `each` on the value: `nil` and a mapping both fail.
    @Test func rejectsAnEventWithNoScriptList() {
        #expect(problems(hooks("  ApplicationStart:\n  AfterInstall:\n    location: a.sh\n")) == [
            "4:3 `ApplicationStart` has no scripts",
            "6:5 the scripts of `AfterInstall` must be a list, not a mapping",
        ])
    }

    @Test func rejectsHooksThatAreNotAMapping() {
        #expect(problems(hooks("  - ApplicationStart\n")) == [
            "4:3 `hooks` must be a mapping of lifecycle events to scripts, not a list"
        ])
    }

    @Test func rejectsASudoThatIsNotABoolean() {
        #expect(problems(hooks("  ApplicationStart:\n    - location: a.sh\n      sudo: maybe\n")) == [
            "6:13 `sudo` must be true or false"
        ])
    }

    @Test func dropsAnEmptyRunas() throws {
        let appSpec = try parsed(hooks("  ApplicationStart:\n    - location: a.sh\n      runas: ' '\n"))
        #expect(appSpec == .server(ServerAppSpec(os: .linux, hooks: [.applicationStart: [HookScript(location: "a.sh")]])))
    }
}
