import CutoverCore
import CutoverLoadBalancer
import Foundation
import Testing
@testable import CutoverLocal

/// Requests sent in a loop from a background thread until stopped.
private final class Traffic: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    init(port: Int) {
        Thread.detachNewThread { [self] in
            while lock.withLock({ running }) {
                _ = try? ControlClient(port: port).request("GET", "/", body: nil)
            }
            done.signal()
        }
    }

    func stop() {
        lock.withLock { running = false }
        done.wait()
    }
}

/// Alarms of a real daemon in this process, through the control API, on a real load
/// balancer's traffic.
@Suite(.serialized) struct AlarmDaemonTests {
    let paths = LocalPaths(root: NSTemporaryDirectory() + "cutover-alarm-daemon-" + UUID().uuidString)

    private func start() throws -> (LocalDaemon.Running, ControlClient) {
        let daemon = try LocalDaemon.start(paths: paths)
        return (daemon, ControlClient(port: daemon.port))
    }

    private func balancer(_ client: ControlClient, _ name: String) throws -> Control.LoadBalancer {
        try client.send("POST", "/v1/load-balancers",
                        Control.CreateLoadBalancer(name: name, port: 0, healthPath: "/", healthIntervalMilliseconds: 200))
    }

    /// Polls the alarm until `predicate` holds or `seconds` pass; the last answer.
    private func poll(_ client: ControlClient, _ name: String, within seconds: Double,
                      until predicate: (Control.Alarm) -> Bool) throws -> Control.Alarm {
        let deadline = Date().addingTimeInterval(seconds)
        var alarm: Control.Alarm = try client.get("/v1/alarms/\(name)")
        while !predicate(alarm), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            alarm = try client.get("/v1/alarms/\(name)")
        }
        return alarm
    }

    @Test func fiveHundredsThroughTheLoadBalancerRaiseTheAlarmWithinMPeriods() throws {
        let (daemon, client) = try start()
        defer { daemon.stop() }
        // No target: the balancer answers every request itself with a 503.
        let lb = try balancer(client, "web")
        let created: Control.Alarm = try client.send("PUT", "/v1/alarms/web-5xx", Control.AlarmSpec(
            metric: "target_group_5xx_count", targetGroup: "web", comparison: ">", threshold: 0,
            periodSeconds: 1, evaluationPeriods: 3, datapointsToAlarm: 2, treatMissingData: "notBreaching"))
        #expect(created.state == "INSUFFICIENT_DATA")
        #expect(created.reason == "Unchecked: Initial alarm creation")
        // Without traffic the count is 0: OK after the first period.
        let quiet = try poll(client, "web-5xx", within: 10) { $0.state == "OK" }
        #expect(quiet.state == "OK", "\(quiet.reason)")

        let traffic = Traffic(port: lb.port)
        let began = Date()
        let alarmed = try poll(client, "web-5xx", within: 15) { $0.state == "ALARM" }
        let took = Date().timeIntervalSince(began)
        traffic.stop()
        #expect(alarmed.state == "ALARM", "\(alarmed.reason) \(alarmed.datapoints)")
        // The alarm went off on the second breaching period (M = 2): the transition's
        // datapoints are the last quiet period and two with 5xx.
        let transition = try #require(alarmed.history.last)
        #expect(transition.newState == "ALARM")
        #expect(transition.reason.wholeMatch(of: /Threshold Crossed: 2 out of the last 3 datapoints \[0\.0, [1-9][0-9]*\.0, [1-9][0-9]*\.0\] were greater than the threshold \(0\.0\) \(minimum 2 datapoints for ALARM\)\./) != nil,
                "\(transition.reason)")
        #expect(took < 2 + 3, "ALARM after \(took) s")  // two 1-second periods, and slack for a busy machine
        #expect(alarmed.history.map(\.newState) == ["OK", "ALARM"])

        // Traffic stopped: 0 per period again, back to OK once two of three are 0.
        let cleared = try poll(client, "web-5xx", within: 10) { $0.state == "OK" }
        #expect(cleared.state == "OK", "\(cleared.reason)")
        #expect(cleared.history.map(\.newState) == ["OK", "ALARM", "OK"])
    }

    @Test func aRateClearsWhenAHealthyTargetAnswers() throws {
        let (daemon, client) = try start()
        defer { daemon.stop() }
        let lb = try balancer(client, "shop")
        let _: Control.Alarm = try client.send("PUT", "/v1/alarms/shop-rate", Control.AlarmSpec(
            metric: "target_group_5xx_rate", targetGroup: "shop", comparison: ">=", threshold: 50,
            periodSeconds: 1, evaluationPeriods: 1))
        let traffic = Traffic(port: lb.port)
        defer { traffic.stop() }
        let failing = try poll(client, "shop-rate", within: 10) { $0.state == "ALARM" }
        #expect(failing.state == "ALARM", "\(failing.reason)")
        #expect(failing.datapoints.last == 100)
        // A backend that answers 200 joins the group.
        let backend = try LoopbackServer(answer: "ok")
        defer { backend.close() }
        try daemon.daemon.loadBalancers.balancer.targetGroup(named: "shop")!.register(Target(port: backend.port), initiallyHealthy: true)
        let healthy = try poll(client, "shop-rate", within: 10) { $0.state == "OK" && $0.datapoints.last == 0 }
        #expect(healthy.state == "OK", "\(healthy.reason) \(healthy.datapoints)")
        #expect(healthy.datapoints.last == 0)
    }

    @Test func setStateDescribeDeleteAndTheErrors() throws {
        let (daemon, client) = try start()
        defer { daemon.stop() }
        _ = try balancer(client, "api")
        let spec = Control.AlarmSpec(metric: "target_group_latency", targetGroup: "api", statistic: "p99", comparison: ">",
                                     threshold: 250, periodSeconds: 2, evaluationPeriods: 2, treatMissingData: "notBreaching")
        let _: Control.Alarm = try client.send("PUT", "/v1/alarms/api-p99", spec)
        // SetAlarmState, until the next evaluation.
        let forced: Control.Alarm = try client.send("PUT", "/v1/alarms/api-p99/state", Control.SetAlarmState(state: "ALARM", reason: "drill"))
        #expect(forced.state == "ALARM")
        #expect(forced.reason == "drill")
        let evaluated = try poll(client, "api-p99", within: 10) { $0.state != "ALARM" }
        #expect(evaluated.state == "OK", "\(evaluated.reason)")  // no traffic: no datapoint, not breaching
        #expect(evaluated.history.map(\.reason).first == "drill")

        // Describe: found ones in the order asked, and the missing names.
        let described: Control.AlarmDescriptions = try client.send("POST", "/v1/alarms/describe",
                                                                    Control.DescribeAlarms(names: ["nope", "api-p99", "gone"]))
        #expect(described.alarms.map(\.name) == ["api-p99"])
        #expect(described.missing == ["nope", "gone"])
        #expect(described.alarms.first?.definition == Control.AlarmSpec(
            metric: "target_group_latency", targetGroup: "api", statistic: "p99", comparison: ">", threshold: 250,
            periodSeconds: 2, evaluationPeriods: 2, datapointsToAlarm: 2, treatMissingData: "notBreaching"))
        let all: [Control.Alarm] = try client.get("/v1/alarms")
        #expect(all.map(\.name) == ["api-p99"])

        // Errors: 400 with the reason, 404 for unknown names.
        var bad = spec
        bad.datapointsToAlarm = 5
        let (status, body) = try client.request("PUT", "/v1/alarms/x", body: try JSONEncoder().encode(bad))
        #expect(status == 400)
        let problem = try JSONDecoder().decode(Control.Problem.self, from: body)
        #expect(problem.error == "alarm x: datapoints_to_alarm must be between 1 and evaluation_periods (2), got 5")
        #expect(problem.code == "InvalidParameterValue")
        let (missingField, answer) = try client.request("PUT", "/v1/alarms/x", body: Data(#"{"metric": "target_group_5xx_count", "target_group": "api", "comparison": ">", "period_seconds": 1, "evaluation_periods": 1}"#.utf8))
        #expect(missingField == 400)
        #expect(try JSONDecoder().decode(Control.Problem.self, from: answer).error == "bad request body: threshold is required")
        #expect(try client.request("GET", "/v1/alarms/x", body: nil).0 == 404)
        #expect(try client.request("PUT", "/v1/alarms/x/state", body: try JSONEncoder().encode(Control.SetAlarmState(state: "OK", reason: "r"))).0 == 404)

        let deleted: [String: String] = try client.delete("/v1/alarms/api-p99")
        #expect(deleted == ["deleted": "api-p99"])
        #expect(try client.request("DELETE", "/v1/alarms/api-p99", body: nil).0 == 404)
    }

    @Test func aRestartedDaemonHasTheDefinitions() throws {
        var (daemon, client) = try start()
        let _: Control.Alarm = try client.send("PUT", "/v1/alarms/thumbs%20errors", Control.AlarmSpec(
            metric: "function_error_rate", function: "thumbs", version: "2", comparison: ">", threshold: 1,
            periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 3))
        daemon.stop()
        (daemon, client) = try start()
        defer { daemon.stop() }
        let alarm: Control.Alarm = try client.get("/v1/alarms/thumbs%20errors")
        #expect(alarm.name == "thumbs errors")
        #expect(alarm.state == "INSUFFICIENT_DATA")
        #expect(alarm.definition == Control.AlarmSpec(metric: "function_error_rate", function: "thumbs", version: "2", comparison: ">",
                                                      threshold: 1, periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 3,
                                                      treatMissingData: "missing"))
    }
}
