import CutoverAppSpec
import CutoverCore
import Testing

/// The ECS form (reference §3).
@Suite
struct ECSAppSpecTests {
    /// The guide's example, with every optional part.
    static let complete = """
        version: 0.0
        Resources:
          - TargetService:
              Type: AWS::ECS::Service
              Properties:
                TaskDefinition: "arn:aws:ecs:us-east-1:111122223333:task-definition/web:3"
                LoadBalancerInfo:
                  ContainerName: "web"
                  ContainerPort: 80
                PlatformVersion: "LATEST"
                NetworkConfiguration:
                  AwsvpcConfiguration:
                    Subnets: ["subnet-a", "subnet-b"]
                    SecurityGroups: ["sg-1"]
                    AssignPublicIp: "ENABLED"
                CapacityProviderStrategy:
                  - Base: 1
                    CapacityProvider: "FARGATE_SPOT"
                    Weight: 2
        Hooks:
          - BeforeInstall: "FnBeforeInstall"
          - AfterInstall: "FnAfterInstall"
          - AfterAllowTestTraffic: "FnTest"
          - BeforeAllowTraffic: "FnBefore"
          - AfterAllowTraffic: "FnAfter"
        """

    /// Everything after `Properties:`, for tests of one property.
    private func ecs(properties: String, hooks: String = "") -> String {
        """
        version: 0.0
        Resources:
          - TargetService:
              Type: AWS::ECS::Service
              Properties:

        """ + properties + hooks
    }

    private let minimalProperties = """
                TaskDefinition: td
                LoadBalancerInfo:
                  ContainerName: web
                  ContainerPort: 80

        """

    @Test func readsTheGuidesExample() throws {
        let expected = ECSAppSpec(
            resourceName: "TargetService",
            taskDefinition: "arn:aws:ecs:us-east-1:111122223333:task-definition/web:3",
            containerName: "web", containerPort: 80, platformVersion: "LATEST",
            networkConfiguration: ECSNetworkConfiguration(
                subnets: ["subnet-a", "subnet-b"], securityGroups: ["sg-1"], assignPublicIP: true),
            capacityProviderStrategy: [CapacityProviderStrategyItem(capacityProvider: "FARGATE_SPOT", base: 1, weight: 2)],
            hooks: [
                .beforeInstall: "FnBeforeInstall", .afterInstall: "FnAfterInstall", .afterAllowTestTraffic: "FnTest",
                .beforeAllowTraffic: "FnBefore", .afterAllowTraffic: "FnAfter",
            ])
        #expect(try parsed(Self.complete) == .ecs(expected))
    }

    @Test func readsJSONWithAQuotedPort() throws {
        let appSpec = try parsed("""
            {"version": "0.0",
             "Resources": [{"TargetService": {"Type": "AWS::ECS::Service", "Properties": {
                "TaskDefinition": "td", "LoadBalancerInfo": {"ContainerName": "web", "ContainerPort": "8080"}}}}]}
            """)
        #expect(appSpec == .ecs(ECSAppSpec(taskDefinition: "td", containerName: "web", containerPort: 8080)))
    }

    @Test func requiresTaskDefinitionAndLoadBalancerInfo() {
        let found = issues(ecs(properties: "        PlatformVersion: LATEST\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:6:9 the ECS service has no `TaskDefinition`",
            "appspec.yml:6:9 the ECS service has no `LoadBalancerInfo`",
        ])
    }

    @Test func requiresContainerNameAndPort() {
        let found = problems(ecs(properties: "        TaskDefinition: td\n        LoadBalancerInfo:\n          ContainerNme: web\n"))
        #expect(found == [
            "8:11 `LoadBalancerInfo` has no `ContainerPort`",
            "8:11 unknown key `ContainerNme`, so `LoadBalancerInfo` has no `ContainerName`",
        ])
    }

    @Test(arguments: ["0", "70000", "http", "-1"])
    func rejectsABadContainerPort(port: String) {
        let found = problems(ecs(properties: """
                    TaskDefinition: td
                    LoadBalancerInfo:
                      ContainerName: web
                      ContainerPort: \(port)

            """))
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("9:26 `ContainerPort`") == true, "\(found)")
    }

    /// Network settings are all or nothing.
    @Test func requiresEveryNetworkSetting() {
        let found = issues(ecs(properties: minimalProperties + """
                    NetworkConfiguration:
                      AwsvpcConfiguration:
                        Subnets: []
                        AssignPublicIp: YES_PLEASE

            """))
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:12:13 `AwsvpcConfiguration` has no `SecurityGroups`",
            "appspec.yml:12:22 `Subnets` is empty",
            "appspec.yml:13:29 invalid `AssignPublicIp` value `YES_PLEASE`",
        ])
        #expect(found.last?.hint == "write `AssignPublicIp: ENABLED` or `DISABLED`")
    }

    @Test func allowsOnlyOneBaseAndNeedsAWeight() {
        let found = problems(ecs(properties: minimalProperties + """
                    CapacityProviderStrategy:
                      - CapacityProvider: FARGATE
                        Base: 1
                      - CapacityProvider: FARGATE_SPOT
                        Base: 2

            """))
        #expect(found == [
            "11:11 with several capacity providers, at least one needs a `Weight` above 0",
            "14:19 only one capacity provider may have a `Base` (another has one at line 12)",
        ])
    }

    @Test func requiresExactlyOneResource() {
        let found = issues("""
            version: 0.0
            Resources:
              - TargetService:
                  Type: AWS::ECS::Service
                  Properties: {TaskDefinition: td, LoadBalancerInfo: {ContainerName: web, ContainerPort: 80}}
              - OtherService:
                  Type: AWS::ECS::Service
            """)
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:6:5 an appspec deploys exactly one ECS service, but `Resources` has 2 entries"
        ])
    }

    @Test func reportsAResourceWithoutAName() {
        let found = issues("""
            version: 0.0
            Resources:
              - Type: AWS::ECS::Service
                Properties: {}
            """)
        #expect(found.map { "\($0.location) \($0.message)" } == ["appspec.yml:3:5 the resource has no name"])
        #expect(found.first?.hint == "indent `Type` and `Properties` under a name: write `- TargetService:` with `Type: AWS::ECS::Service` and `Properties:` indented below it")
    }

    // MARK: - Hooks

    @Test func rejectsEventsThatAreNotECSHooks() {
        let found = issues(ecs(properties: minimalProperties, hooks: """
            Hooks:
              - AllowTestTraffic: f1
              - ApplicationStart: f2
              - AfterAllowTestTrafic: f3

            """))
        #expect(found.map { "\($0.location) \($0.message)" } == [
            "appspec.yml:11:5 `AllowTestTraffic` is run by CodeDeploy itself and cannot have hooks",
            "appspec.yml:12:5 `ApplicationStart` is not a lifecycle event of ECS deployments",
            "appspec.yml:13:5 unknown lifecycle event `AfterAllowTestTrafic`",
        ])
        #expect(found.map(\.hint) == [
            "hook the events around it instead: `AfterInstall` or `AfterAllowTestTraffic`",
            "ECS hooks are: BeforeInstall, AfterInstall, AfterAllowTestTraffic, BeforeAllowTraffic, AfterAllowTraffic",
            "did you mean `AfterAllowTestTraffic`?",
        ])
    }

    @Test func rejectsAnEventHookedTwiceOrWithoutAFunction() {
        let found = problems(ecs(properties: minimalProperties, hooks: """
            Hooks:
              - BeforeInstall: f1
              - BeforeInstall: f2
              - AfterInstall:

            """))
        #expect(found == [
            "12:5 `BeforeInstall` is hooked twice (first at line 11)",
            "13:5 hook `AfterInstall` names no function",
        ])
    }

    @Test func requiresHooksAsAList() {
        let found = issues(ecs(properties: minimalProperties, hooks: "Hooks:\n  BeforeInstall: f1\n"))
        #expect(found.map { "\($0.location) \($0.message)" } == ["appspec.yml:11:3 `Hooks` must be a list, not a mapping"])
        #expect(found.first?.hint == "write each hook as a list entry: `- AfterAllowTestTraffic: MyHookFunction`")
    }
}
