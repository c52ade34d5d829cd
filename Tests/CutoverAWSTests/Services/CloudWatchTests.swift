@testable import CutoverAWS
import Foundation
import MotoHarness
import Testing

// MARK: - Answers and requests, without a server

@Suite struct CloudWatchParsingTests {
    static func metricAlarm(_ name: String, _ state: String = "OK") -> String {
        #"{"AlarmName": "\#(name)", "AlarmArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:\#(name)", "StateValue": "\#(state)", "StateReason": "Threshold Crossed: 1 datapoint [7.0] was greater than the threshold (5.0).", "StateUpdatedTimestamp": 1795894218.632, "MetricName": "Errors", "Namespace": "AWS/Lambda"}"#
    }

    @Test func followsNextTokenAndReadsBothKindsOfAlarm() throws {
        let transport = FakeTransport([
            FakeTransport.json(200, #"{"MetricAlarms": [\#(Self.metricAlarm("a-errors", "ALARM"))], "CompositeAlarms": [], "NextToken": "t/2=="}"#),
            FakeTransport.json(200, #"{"MetricAlarms": [\#(Self.metricAlarm("b-latency", "INSUFFICIENT_DATA"))], "CompositeAlarms": [{"AlarmName": "c-any", "StateValue": "OK", "StateUpdatedTimestamp": "2026-11-28T19:30:00.240Z"}]}"#),
        ])
        let cloudWatch = CloudWatch(AWSClient(configuration: .testing(), transport: transport, retryPolicy: .none))
        let alarms = try cloudWatch.describeAlarms(names: ["a-errors", "b-latency", "c-any"], pageSize: 1)
        #expect(alarms.map(\.name) == ["a-errors", "b-latency", "c-any"])
        #expect(alarms.map(\.state) == [.alarm, .insufficientData, .ok])
        #expect(alarms.map(\.kind) == [.metric, .metric, .composite])
        #expect(alarms[0].reason.hasPrefix("Threshold Crossed"))
        #expect(alarms[0].updated == Date(timeIntervalSince1970: 1795894218.632))
        #expect(alarms[2].updated == Date(timeIntervalSince1970: 1795894200.240))

        let bodies = try transport.requests.map { try JSON(parsing: $0.body) }
        #expect(bodies[0]["NextToken"] == nil && bodies[1]["NextToken"]?.string == "t/2==")
        #expect(bodies.allSatisfy { $0["MaxRecords"]?.int == 1 && $0["AlarmNames"]?.array?.count == 3 })
        #expect(bodies[0]["AlarmTypes"] == ["MetricAlarm", "CompositeAlarm"])
        #expect(transport.requests[0].headers["X-Amz-Target"] == "GraniteServiceVersion20100801.DescribeAlarms")
        #expect(transport.requests[0].headers["Content-Type"] == "application/x-amz-json-1.0")
    }

    @Test func asksAHundredNamesAtATime() throws {
        let empty = FakeTransport.json(200, #"{"MetricAlarms": [], "CompositeAlarms": []}"#)
        let transport = FakeTransport([empty, empty])
        _ = try CloudWatch(AWSClient(configuration: .testing(), transport: transport, retryPolicy: .none))
            .describeAlarms(names: (1...150).map { "alarm-\($0)" })
        #expect(try transport.requests.map { try JSON(parsing: $0.body)["AlarmNames"]?.array?.count } == [100, 50])
    }

    /// DescribeAlarms leaves out what does not exist; `alarms(named:)` says so, for all of them.
    @Test func missingAlarmsAreNamedWithTheRegion() throws {
        let transport = FakeTransport([FakeTransport.json(200, #"{"MetricAlarms": [\#(Self.metricAlarm("web-5xx"))]}"#)])
        let cloudWatch = CloudWatch(AWSClient(configuration: .testing(region: "eu-west-1"), transport: transport, retryPolicy: .none))
        let error = #expect(throws: AWSError.self) { try cloudWatch.alarms(named: ["web-5xx", "web-latency", "web-errors"]) }
        #expect(error?.code == "ResourceNotFound")
        #expect(error?.description.hasPrefix("CloudWatch DescribeAlarms: ResourceNotFound — no alarm named 'web-latency', 'web-errors' in eu-west-1") == true,
                "\(error?.description ?? "")")
    }

    @Test func alarmsNamedKeepTheOrderAsked() throws {
        let transport = FakeTransport([FakeTransport.json(200, #"{"MetricAlarms": [\#(Self.metricAlarm("a")), \#(Self.metricAlarm("b"))]}"#)])
        let cloudWatch = CloudWatch(AWSClient(configuration: .testing(), transport: transport, retryPolicy: .none))
        #expect(try cloudWatch.alarms(named: ["b", "a"]).map(\.name) == ["b", "a"])
    }

    @Test func anUnknownStateIsUnreadable() {
        let error = #expect(throws: AWSError.self) { try CloudWatch.alarm(["AlarmName": "x", "StateValue": "PANIC"], kind: .metric) }
        #expect(error?.kind == .malformedResponse)
        #expect(error?.message == "alarm x has the unknown state 'PANIC'")
    }
}

// MARK: - Against moto

/// Alarms against moto 5.2.1 (one server for the suite, reset before each test). moto
/// never evaluates an alarm against its metric (moto.md §4.6): SetAlarmState is how the
/// tests raise one, as they will to trigger a rollback.
@Suite(.moto, .serialized)
struct CloudWatchMotoTests {
    let moto: MotoServer
    let cloudWatch: CloudWatch

    init() throws {
        moto = try #require(MotoServer.current, "the suite's .moto trait starts the server")
        try moto.reset()
        cloudWatch = CloudWatch(try MotoTests.client(moto, moto.environment))
    }

    @Test func anAlarmGoesToAlarmAndBack() throws {
        try cloudWatch.putMetricAlarm("checkout-v2-errors", namespace: "AWS/Lambda", metric: "Errors",
                                      dimensions: ["FunctionName": "checkout", "Resource": "checkout:live"], threshold: 1)
        let created = try #require(try cloudWatch.alarms(named: ["checkout-v2-errors"]).first)
        #expect(created.state == .ok, "moto starts alarms OK (AWS: INSUFFICIENT_DATA)")
        #expect(created.kind == .metric && created.arn == "arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-v2-errors")

        let before = Date()
        try cloudWatch.setAlarmState("checkout-v2-errors", state: .alarm, reason: "test: 7 errors in 1 minute")
        let raised = try #require(try cloudWatch.alarms(named: ["checkout-v2-errors"]).first)
        #expect(raised.state == .alarm)
        #expect(raised.reason == "test: 7 errors in 1 minute")
        let updated = try #require(raised.updated)
        #expect(updated.timeIntervalSince(before) > -1 && updated.timeIntervalSince(before) < 60)

        try cloudWatch.setAlarmState("checkout-v2-errors", state: .ok, reason: "test: recovered")
        let cleared = try #require(try cloudWatch.alarms(named: ["checkout-v2-errors"]).first)
        #expect(cleared.state == .ok && cleared.reason == "test: recovered")
        let clearedAt = try #require(cleared.updated)
        #expect(clearedAt >= updated)
    }

    @Test func aMissingAlarmIsAClearError() throws {
        try cloudWatch.putMetricAlarm("web-5xx", namespace: "AWS/ApplicationELB", metric: "HTTPCode_Target_5XX_Count", threshold: 5)
        #expect(try cloudWatch.describeAlarms(names: ["web-5xx-typo"]).isEmpty, "DescribeAlarms itself just answers nothing")

        let error = #expect(throws: AWSError.self) { try cloudWatch.alarms(named: ["web-5xx", "web-5xx-typo"]) }
        #expect(error?.code == "ResourceNotFound")
        #expect(error?.message.hasPrefix("no alarm named 'web-5xx-typo' in us-east-1") == true)

        let set = #expect(throws: AWSError.self) { try cloudWatch.setAlarmState("web-5xx-typo", state: .alarm, reason: "x") }
        #expect(set?.code == "ResourceNotFound")
        #expect(set?.description.hasPrefix("CloudWatch SetAlarmState: ResourceNotFound") == true)
    }

    /// What a deployment's alarm poll costs: one DescribeAlarms for its alarms.
    @Test func measuresAnAlarmPoll() throws {
        let names = (1...5).map { "alarm-\($0)" }
        for name in names { try cloudWatch.putMetricAlarm(name, namespace: "Cutover", metric: "Errors", threshold: 1) }
        let clock = ContinuousClock()
        let count = 20
        var found: [CloudWatch.Alarm] = []
        let elapsed = try clock.measure { for _ in 0..<count { found = try cloudWatch.alarms(named: names) } }
        #expect(found.map(\.name) == names)
        print("moto CloudWatch alarm poll (DescribeAlarms of 5): \(elapsed / count) on average over \(count)")
        #expect(elapsed / count < .seconds(1))
    }
}
