import CutoverAppSpec
import CutoverCore
import Testing

/// The Lambda form (reference §4).
@Suite
struct LambdaAppSpecTests {
    private func lambda(properties: String, hooks: String = "") -> String {
        """
        version: 0.0
        Resources:
          - myFunction:
              Type: AWS::Lambda::Function
              Properties:

        """ + properties + hooks
    }

    @Test func readsTheGuidesExample() throws {
        let appSpec = try parsed("""
            version: 0.0
            Resources:
              - myFunction:
                  Type: AWS::Lambda::Function
                  Properties:
                    Name: "my-function"
                    Alias: "live"
                    CurrentVersion: "3"
                    TargetVersion: "4"
            Hooks:
              - BeforeAllowTraffic: "CodeDeployHook_pre"
              - AfterAllowTraffic: "CodeDeployHook_post"
            """)
        #expect(appSpec == .lambda(LambdaAppSpec(
            resourceName: "myFunction", name: "my-function", alias: "live", currentVersion: 3, targetVersion: 4,
            hooks: [.beforeAllowTraffic: "CodeDeployHook_pre", .afterAllowTraffic: "CodeDeployHook_post"])))
    }

    /// The guide prints this form with lowercase keys; real files capitalise them. Both
    /// are read (whether the service ignores case in general is unverified).
    @Test func readsTheGuidesLowercaseKeys() throws {
        let appSpec = try parsed("""
            version: 0.0
            resources:
              - myFunction:
                  type: AWS::Lambda::Function
                  properties:
                    name: f
                    alias: live
                    currentversion: 1
                    targetversion: 2
            hooks:
              - BeforeAllowTraffic: pre
            """)
        #expect(appSpec == .lambda(LambdaAppSpec(
            resourceName: "myFunction", name: "f", alias: "live", currentVersion: 1, targetVersion: 2,
            hooks: [.beforeAllowTraffic: "pre"])))
    }

    @Test func readsJSON() throws {
        let appSpec = try parsed("""
            {
              "version": 0.0,
              "Resources": [{"fn": {"Type": "AWS::Lambda::Function",
                "Properties": {"Name": "f", "Alias": "a", "CurrentVersion": 1, "TargetVersion": "2"}}}]
            }
            """)
        #expect(appSpec == .lambda(LambdaAppSpec(resourceName: "fn", name: "f", alias: "a", currentVersion: 1, targetVersion: 2)))
    }

    @Test func requiresAllFourProperties() {
        let found = issues(lambda(properties: "        Name: f\n        Alais: live\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:6:9 the Lambda function has no `CurrentVersion`",
            "appspec.yml:6:9 the Lambda function has no `TargetVersion`",
            "appspec.yml:7:9 unknown key `Alais`, so `Properties` has no `Alias`",
        ])
        #expect(found.map(\.hint) == [
            #"add `CurrentVersion:` with the version the alias points to now, such as "3""#,
            #"add `TargetVersion:` with the version to move the alias to, such as "3""#,
            "did you mean `Alias`?",
        ])
    }

    @Test(arguments: [("$LATEST", "`TargetVersion` must be a whole number, not `$LATEST`"), ("0", "`TargetVersion` must be a positive version number, not 0")])
    func rejectsAVersionThatIsNotPublished(version: String, message: String) {
        let found = problems(lambda(properties: """
                    Name: f
                    Alias: live
                    CurrentVersion: 1
                    TargetVersion: "\(version)"

            """))
        #expect(found == ["9:24 \(message)"])
    }

    @Test func deploysOneFunctionOnly() {
        let found = problems("""
            version: 0.0
            Resources:
              - a:
                  Type: AWS::Lambda::Function
                  Properties: {Name: a, Alias: live, CurrentVersion: 1, TargetVersion: 2}
              - b:
                  Type: AWS::Lambda::Function
                  Properties: {Name: b, Alias: live, CurrentVersion: 1, TargetVersion: 2}
            """)
        #expect(found == ["6:5 an appspec deploys exactly one Lambda function, but `Resources` has 2 entries"])
    }

    @Test func rejectsAnECSResourceAfterTheFunction() {
        let found = problems("""
            version: 0.0
            Resources:
              - a:
                  Type: AWS::Lambda::Function
                  Properties: {Name: a, Alias: live, CurrentVersion: 1, TargetVersion: 2}
              - b:
                  Type: AWS::ECS::Service
            """)
        #expect(found == ["6:5 an appspec deploys exactly one Lambda function, but `Resources` has 2 entries"])
    }

    @Test func hasOnlyTheTrafficHooks() {
        let found = issues(lambda(
            properties: "        Name: f\n        Alias: a\n        CurrentVersion: 1\n        TargetVersion: 2\n",
            hooks: "Hooks:\n  - BeforeInstall: f\n  - AllowTraffic: g\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:11:5 `BeforeInstall` is not a lifecycle event of Lambda deployments",
            "appspec.yml:12:5 `AllowTraffic` is run by CodeDeploy itself and cannot have hooks",
        ])
        #expect(found.map(\.hint) == [
            "Lambda hooks are: BeforeAllowTraffic, AfterAllowTraffic",
            "hook the events around it instead: `BeforeAllowTraffic` or `AfterAllowTraffic`",
        ])
    }

    /// ECS and Lambda appspecs are read by the service, and the guide says "string".
    @Test func acceptsAQuotedVersion() throws {
        _ = try parsed(lambda(properties: "        Name: f\n        Alias: a\n        CurrentVersion: 1\n        TargetVersion: 2\n")
            .replacingFirst("version: 0.0", with: "version: \"0.0\""))
    }
}

extension String {
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
