import CutoverAppSpec
import CutoverCore
import Testing

/// The files in examples/appspec/ are what they claim to be.
@Suite
struct ExampleTests {
    @Test(arguments: [("server.yml", ComputePlatform.server), ("ecs.yaml", .ecs), ("lambda.json", .lambda)])
    func validExamplesParse(name: String, platform: ComputePlatform) throws {
        #expect(try AppSpecParser.parse(text: example(name), file: name).platform == platform)
    }

    /// Every mistake the file's comment lists is reported, in file order.
    @Test func invalidExampleReportsEveryMistake() throws {
        let found = problems(try example("invalid.yml"))
        #expect(found == [
            #"5:10 version "0.0" is a string; the CodeDeploy agent only accepts the number 0.0"#,
            "9:5 unknown key `deatination`, so this file mapping has no `destination`",
            "11:18 destination `etc/app` is not an absolute path",
            "14:11 the unquoted mode 0644 is read by YAML as the octal number 420, which the agent applies as mode 420",
            "16:3 `Install` is run by CodeDeploy itself and cannot have hooks",
            "18:3 `AfterAllowTestTraffic` is not a lifecycle event of server deployments",
            "21:7 script has no `location`",
            "24:16 timeout must be more than 0 seconds, not 0",
            "25:1 unknown key `Hooks` in the appspec is ignored",
        ])
    }
}
