import CutoverCore
import Testing

/// The events of Auto Scaling's deployments (reference §5.4): a launch deployment has no
/// block-traffic events; a termination deployment is only them and ApplicationStop.
@Suite struct AutoScalingDeploymentOrderTests {
    func spec(_ creator: DeploymentCreator, loadBalanced: Bool) -> DeploymentSpec {
        DeploymentSpec(id: "d-1", application: "shop", group: "web", revision: "v2", lastSuccessfulRevision: "v2",
                       configuration: DeploymentConfiguration(name: "CodeDeployDefault.AllAtOnce", platform: .server,
                                                              minimumHealthyHosts: .hostCount(0)),
                       targets: [TargetDescription(id: "i-1", revision: "v2")], loadBalanced: loadBalanced, creator: creator)
    }

    @Test func launchDeploymentsAllowTrafficWithoutBlockingIt() {
        let order = spec(.autoscaling, loadBalanced: true).lifecycleOrder
        #expect(order.first == .applicationStop && order.last == .afterAllowTraffic)
        #expect(!order.contains(.blockTraffic) && order.contains(.install))
        #expect(!spec(.autoscaling, loadBalanced: false).lifecycleOrder.contains(.allowTraffic))
    }

    @Test func terminationDeploymentsBlockTrafficThenStop() {
        #expect(spec(.autoscalingTermination, loadBalanced: true).lifecycleOrder
                == [.beforeBlockTraffic, .blockTraffic, .afterBlockTraffic, .applicationStop])
        #expect(spec(.autoscalingTermination, loadBalanced: false).lifecycleOrder == [.applicationStop])
    }

    /// A termination deployment runs to its end through the engine, every event
    /// succeeding, and touches nothing else.
    @Test func aTerminationDeploymentRunsThroughTheEngine() {
        var engine = DeploymentEngine(spec: spec(.autoscalingTermination, loadBalanced: true))
        var pending: [EngineInput] = [.start]
        var ran: [LifecycleEvent] = []
        var now: Int64 = 0
        while !pending.isEmpty {
            now += 10
            let (_, commands) = engine.handle(pending.removeFirst(), now: now)
            for case .runLifecycleEvent(let t, let event) in commands {
                ran.append(event)
                pending.append(.lifecycleResult(target: t, event: event, status: .succeeded, error: .success, message: ""))
            }
        }
        #expect(engine.state.status == .succeeded)
        #expect(ran == [.beforeBlockTraffic, .blockTraffic, .afterBlockTraffic, .applicationStop])
    }
}
