import Testing
@testable import CutoverCore

@Suite struct DeploymentGroupTests {
    private let oneAtATime = DeploymentConfiguration(name: "CodeDeployDefault.OneAtATime", platform: .server,
                                                     minimumHealthyHosts: .oneAtATime)

    @Test func namesAndPlatformsAreChecked() {
        let good = DeploymentGroup(application: Application(name: "shop"), name: "web-prod",
                                   selection: TargetSelection(explicit: ["i-1"]), configuration: oneAtATime)
        #expect(throws: Never.self) { try good.validate() }
        var badName = good
        badName.name = "web prod"
        #expect(throws: CoreError.invalid("deployment group name \"web prod\": character \" \" is not allowed (use letters, digits and ._+=,@-)")) {
            try badName.validate()
        }
        var lambda = good
        lambda.application.platform = .lambda
        #expect(throws: CoreError.self) { try lambda.validate() }
        var tooManyAlarms = good
        tooManyAlarms.alarms = AlarmConfiguration(names: (1...11).map { "a\($0)" })
        #expect(throws: CoreError.self) { try tooManyAlarms.validate() }
        var duplicateAlarm = good
        duplicateAlarm.alarms = AlarmConfiguration(names: ["a", "a"])
        #expect(throws: CoreError.self) { try duplicateAlarm.validate() }
    }
}
