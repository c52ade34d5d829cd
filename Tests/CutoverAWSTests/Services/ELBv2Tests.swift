@testable import CutoverAWS
import Foundation
import MotoHarness
import Testing

/// ELBv2 against moto: one server for the suite, reset before each test. moto reports
/// every registered target `healthy` (never `initial` or `unhealthy`), deregisters at
/// once (no `draining`) and does not validate weights (moto.md §4.3); what AWS would
/// say differently is noted where a test reads it.
@Suite(.moto, .serialized)
struct ELBv2MotoTests {
    let moto: MotoServer
    let transport = RecordingTransport()
    let client: AWSClient
    let elb: ELBv2

    init() throws {
        moto = try #require(MotoServer.current, "the suite's .moto trait starts the server")
        try moto.reset()
        client = try AWSClient.testing(endpoint: moto.endpoint, transport: transport)
        elb = ELBv2(client)
    }

    /// Two target groups, a load balancer and an HTTP listener forwarding to blue.
    func makeLoadBalancer() throws -> (blue: ELBv2.TargetGroup, green: ELBv2.TargetGroup, balancer: ELBv2.LoadBalancer, listener: ELBv2.Listener) {
        let network = try Network(client)
        let blue = try elb.createTargetGroup(name: "shop-blue", vpcID: network.vpcID, healthCheckPath: "/health")
        let green = try elb.createTargetGroup(name: "shop-green", vpcID: network.vpcID, healthCheckPath: "/health")
        let balancer = try elb.createLoadBalancer(name: "shop", subnets: Array(network.subnets.prefix(2)))
        let listener = try elb.createListener(loadBalancerARN: balancer.arn, port: 80, defaultActions: [.forward(to: blue.arn)])
        return (blue, green, balancer, listener)
    }

    @Test func describesTargetGroupsByNameAndARN() throws {
        let (blue, green, balancer, _) = try makeLoadBalancer()
        #expect(blue.name == "shop-blue" && blue.protocolName == "HTTP" && blue.port == 80 && blue.targetType == "instance")
        #expect(blue.healthCheckPath == "/health")
        #expect(try elb.describeTargetGroups(names: ["shop-blue"]).map(\.arn) == [blue.arn])
        let byARN = try elb.describeTargetGroups(arns: [green.arn])
        #expect(byARN.map(\.name) == ["shop-green"])
        #expect(byARN[0].loadBalancerARNs.isEmpty, "green is not routed to yet")
        // moto lists the load balancer once per listener or rule naming the group: read once.
        #expect(try elb.describeTargetGroups(names: ["shop-blue"]).first?.loadBalancerARNs == [balancer.arn])
        #expect(try elb.describeTargetGroups(loadBalancerARN: balancer.arn).map(\.name) == ["shop-blue"])
        #expect(balancer.name == "shop" && balancer.type == "application" && balancer.dnsName != nil)
    }

    @Test func aMissingTargetGroupIsAnAWSError() throws {
        _ = try makeLoadBalancer()
        let byName = #expect(throws: AWSError.self) { try elb.describeTargetGroups(names: ["shop-red"]) }
        #expect(byName?.code == "TargetGroupNotFound")
        #expect(byName?.description.hasPrefix("ELBv2 DescribeTargetGroups: TargetGroupNotFound — One or more target groups not found (request ") == true)
        let byARN = #expect(throws: AWSError.self) {
            try elb.describeTargetGroups(arns: ["arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-red/0123456789abcdef"])
        }
        #expect(byARN?.code == "TargetGroupNotFound")
    }

    @Test func registersTargetsAndReadsTheirHealth() throws {
        let (blue, _, _, _) = try makeLoadBalancer()
        let instances = try EC2(client).runInstances(image: "ami-12c6146b", count: 2)
        try elb.registerTargets(instances.map { ELBv2.Target($0.id, port: 8080) }, in: blue.arn)
        let form = try #require(transport.forms.last)
        #expect(form["Targets.member.2.Id"] == instances[1].id && form["Targets.member.2.Port"] == "8080")

        let health = try elb.describeTargetHealth(of: blue.arn)
        #expect(Set(health.map(\.target)) == Set(instances.map { ELBv2.Target($0.id, port: 8080) }))
        #expect(health.allSatisfy { $0.isHealthy }, "moto: healthy at once (AWS: initial until the checks pass)")

        try elb.deregisterTargets([ELBv2.Target(instances[0].id, port: 8080)], from: blue.arn)
        #expect(try elb.describeTargetHealth(of: blue.arn).map(\.target.id) == [instances[1].id],
                "moto: gone at once (AWS: draining for the deregistration delay)")
        let asked = try elb.describeTargetHealth(of: blue.arn, targets: [ELBv2.Target(instances[0].id, port: 8080)])
        #expect(asked.map(\.state) == ["unused"])
        #expect(asked.first?.reason == "Target.NotRegistered")

        // A stopped instance: the one way moto shows a target that is not healthy.
        _ = try client.query(AWSOperation(.ec2, "StopInstances", idempotent: true), ["InstanceId": [.string(instances[1].id)]])
        let stopped = try elb.describeTargetHealth(of: blue.arn)
        #expect(stopped.map(\.state) == ["unused"] && stopped.first?.reason == "Target.InvalidState")
    }

    /// Blue/green traffic on the listener: 90/10, read back, then everything to green.
    @Test func weighsAListenersForwardAction() throws {
        let (blue, green, balancer, listener) = try makeLoadBalancer()
        #expect(listener.forwardAction?.weights == [blue.arn: 1])
        let modified = try elb.modifyListener(listener.arn, defaultActions: [.forward([(blue.arn, 90), (green.arn, 10)])])
        #expect(modified.forwardAction?.weights == [blue.arn: 90, green.arn: 10])
        let form = try #require(transport.forms.last)
        #expect(form["DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.TargetGroupArn"] == green.arn)
        #expect(form["DefaultActions.member.1.ForwardConfig.TargetGroups.member.2.Weight"] == "10")

        let described = try #require(try elb.describeListeners(loadBalancerARN: balancer.arn).first)
        #expect(described.arn == listener.arn && described.port == 80 && described.protocolName == "HTTP")
        #expect(described.forwardAction?.targetGroups == [.init(blue.arn, weight: 90), .init(green.arn, weight: 10)])

        try elb.setForwardWeights(listener: listener.arn, [(blue.arn, 0), (green.arn, 100)])
        #expect(try elb.describeListeners(arns: [listener.arn]).first?.forwardAction?.weights == [blue.arn: 0, green.arn: 100])
        // AWS now lists the load balancer on green too; moto only counts the listeners
        // and rules a group was created with.
        #expect(try elb.describeTargetGroups(names: ["shop-green"]).first?.loadBalancerARNs == [])
    }

    /// The same on a rule, with group stickiness kept through a reweight.
    @Test func weighsARulesForwardAction() throws {
        let (blue, green, _, listener) = try makeLoadBalancer()
        let rule = try elb.createRule(listenerARN: listener.arn, priority: 10, conditions: [.init("path-pattern", ["/api/*"])],
                                      actions: [.forward([(blue.arn, 100), (green.arn, 0)], stickiness: .init(enabled: true, durationSeconds: 300))])
        #expect(rule.priority == "10" && !rule.isDefault)
        #expect(rule.conditions == [.init("path-pattern", ["/api/*"])])

        try elb.modifyRule(rule.arn, actions: [.forward([(blue.arn, 75), (green.arn, 25)])])
        let rules = try elb.describeRules(listenerARN: listener.arn)
        #expect(rules.map(\.priority) == ["10", "default"])
        #expect(rules[0].forwardAction?.weights == [blue.arn: 75, green.arn: 25])
        #expect(rules[1].isDefault && rules[1].forwardAction?.weights == [blue.arn: 1], "the default rule mirrors the listener")

        try elb.modifyRule(rule.arn, actions: [.forward([(blue.arn, 75), (green.arn, 25)], stickiness: .init(enabled: true, durationSeconds: 300))])
        let sticky = try elb.setForwardWeights(rule: rule.arn, [(blue.arn, 0), (green.arn, 100)])
        #expect(sticky.forwardAction?.weights == [blue.arn: 0, green.arn: 100])
        #expect(sticky.forwardAction?.stickiness == .init(enabled: true, durationSeconds: 300))
        #expect(try elb.describeRules(arns: [rule.arn]).first?.conditions == [.init("path-pattern", ["/api/*"])],
                "conditions are left alone when not given")
    }

    /// moto accepts a weight of 1000 (AWS allows 0 to 999) and reads it back.
    @Test func motoDoesNotValidateWeights() throws {
        let (blue, green, _, listener) = try makeLoadBalancer()
        let modified = try elb.modifyListener(listener.arn, defaultActions: [.forward([(blue.arn, 1000), (green.arn, 0)])])
        #expect(modified.forwardAction?.weights == [blue.arn: 1000, green.arn: 0])
    }
}

/// ELBv2 answers read from sample bodies, and actions written back.
@Suite struct ELBv2ParsingTests {
    @Test func readsListenersWithWeightedAndOtherActions() throws {
        let result = try XMLTree.parse(Array("""
            <DescribeListenersResult><Listeners>
              <member><ListenerArn>arn:l1</ListenerArn><LoadBalancerArn>arn:lb</LoadBalancerArn><Port>443</Port><Protocol>HTTPS</Protocol>
                <DefaultActions>
                  <member><Type>authenticate-oidc</Type><Order>1</Order>
                    <AuthenticateOidcConfig><Issuer>https://idp</Issuer><ClientId>c</ClientId><Scope>openid</Scope></AuthenticateOidcConfig></member>
                  <member><Type>forward</Type><Order>2</Order><ForwardConfig>
                    <TargetGroups><member><TargetGroupArn>arn:blue</TargetGroupArn><Weight>80</Weight></member>
                      <member><TargetGroupArn>arn:green</TargetGroupArn><Weight>20</Weight></member></TargetGroups>
                    <TargetGroupStickinessConfig><Enabled>false</Enabled></TargetGroupStickinessConfig></ForwardConfig></member>
                </DefaultActions></member>
              <member><ListenerArn>arn:l2</ListenerArn><LoadBalancerArn>arn:lb</LoadBalancerArn>
                <DefaultActions><member><Type>redirect</Type><RedirectConfig><Protocol>HTTPS</Protocol><Port>443</Port><StatusCode>HTTP_301</StatusCode></RedirectConfig></member></DefaultActions></member>
            </Listeners><NextMarker>m-2</NextMarker></DescribeListenersResult>
            """.utf8))
        let listeners = result.list("Listeners").map(ELBv2.listener)
        #expect(listeners.count == 2 && result.nonEmptyText("NextMarker") == "m-2")
        #expect(listeners[0].port == 443)
        #expect(listeners[0].forwardAction?.targetGroups == [.init("arn:blue", weight: 80), .init("arn:green", weight: 20)])
        #expect(listeners[0].forwardAction?.stickiness == .init(enabled: false))
        #expect(listeners[1].port == nil && listeners[1].forwardAction == nil)

        // Reweighting keeps the authentication in front of the forward, unchanged.
        let actions = ELBv2.reweighted(listeners[0].defaultActions, [("arn:blue", 0), ("arn:green", 100)])
        let fields = Dictionary(uniqueKeysWithValues: QueryValue.flatten([("DefaultActions", ELBv2.actionList(actions))], ec2: false)
            .map { ($0.name, $0.value) })
        #expect(fields == [
            "DefaultActions.member.1.Type": "authenticate-oidc", "DefaultActions.member.1.Order": "1",
            "DefaultActions.member.1.AuthenticateOidcConfig.Issuer": "https://idp",
            "DefaultActions.member.1.AuthenticateOidcConfig.ClientId": "c",
            "DefaultActions.member.1.AuthenticateOidcConfig.Scope": "openid",
            "DefaultActions.member.2.Type": "forward", "DefaultActions.member.2.Order": "2",
            "DefaultActions.member.2.ForwardConfig.TargetGroups.member.1.TargetGroupArn": "arn:blue",
            "DefaultActions.member.2.ForwardConfig.TargetGroups.member.1.Weight": "0",
            "DefaultActions.member.2.ForwardConfig.TargetGroups.member.2.TargetGroupArn": "arn:green",
            "DefaultActions.member.2.ForwardConfig.TargetGroups.member.2.Weight": "100",
            "DefaultActions.member.2.ForwardConfig.TargetGroupStickinessConfig.Enabled": "false",
        ])
        // A redirect alone gets a forward added after it.
        #expect(ELBv2.reweighted(listeners[1].defaultActions, [("arn:blue", 1)]).map(\.type) == ["redirect", "forward"])
    }

    @Test func aForwardToOneGroupIsSentInTheShortForm() {
        let fields = QueryValue.flatten([("Actions", ELBv2.actionList([.forward(to: "arn:blue")]))], ec2: false)
        #expect(fields == [QueryItem("Actions.member.1.Type", "forward"), QueryItem("Actions.member.1.TargetGroupArn", "arn:blue")])
    }

    @Test func readsTargetHealthAndRules() throws {
        let health = try XMLTree.parse(Array("""
            <DescribeTargetHealthResult><TargetHealthDescriptions>
              <member><Target><Id>i-1</Id><Port>80</Port></Target><HealthCheckPort>80</HealthCheckPort>
                <TargetHealth><State>unhealthy</State><Reason>Target.ResponseCodeMismatch</Reason><Description>Health checks failed with these codes: [502]</Description></TargetHealth></member>
              <member><Target><Id>10.0.0.7</Id><Port>8080</Port><AvailabilityZone>all</AvailabilityZone></Target><TargetHealth><State>initial</State><Reason>Elb.RegistrationInProgress</Reason></TargetHealth></member>
              <member><Target><Id>i-3</Id></Target><TargetHealth><State>healthy</State></TargetHealth></member>
            </TargetHealthDescriptions></DescribeTargetHealthResult>
            """.utf8)).list("TargetHealthDescriptions").map(ELBv2.targetHealth)
        #expect(health == [
            .init(target: .init("i-1", port: 80), state: "unhealthy", reason: "Target.ResponseCodeMismatch",
                  description: "Health checks failed with these codes: [502]"),
            .init(target: .init("10.0.0.7", port: 8080, availabilityZone: "all"), state: "initial", reason: "Elb.RegistrationInProgress"),
            .init(target: .init("i-3"), state: "healthy"),
        ])

        let rule = ELBv2.rule(try XMLTree.parse(Array("""
            <member><RuleArn>arn:r</RuleArn><Priority>5</Priority><IsDefault>false</IsDefault>
              <Conditions><member><Field>host-header</Field><HostHeaderConfig><Values><member>shop.example.com</member></Values></HostHeaderConfig></member></Conditions>
              <Actions><member><Type>fixed-response</Type><FixedResponseConfig><StatusCode>503</StatusCode><ContentType>text/plain</ContentType></FixedResponseConfig></member></Actions>
            </member>
            """.utf8)))
        #expect(rule.conditions == [.init("host-header", ["shop.example.com"])])
        #expect(rule.forwardAction == nil && rule.actions.first?.type == "fixed-response")
    }

    /// moto ignores PageSize (every group in one page), so the markers are played here.
    @Test func followsNextMarkers() throws {
        func page(_ name: String, next: String?) -> Result<HTTPResponse, TransportFailure> {
            FakeTransport.xml(200, """
                <DescribeTargetGroupsResponse><DescribeTargetGroupsResult><TargetGroups><member><TargetGroupArn>arn:\(name)</TargetGroupArn><TargetGroupName>\(name)</TargetGroupName></member></TargetGroups>\(next.map { "<NextMarker>\($0)</NextMarker>" } ?? "")</DescribeTargetGroupsResult></DescribeTargetGroupsResponse>
                """)
        }
        let transport = FakeTransport([page("blue", next: "m1"), page("green", next: nil)])
        let groups = try ELBv2(AWSClient(configuration: .testing(), transport: transport, retryPolicy: .none)).describeTargetGroups(pageSize: 1)
        #expect(groups.map(\.name) == ["blue", "green"])
        #expect(transport.requests.map { Form.fields($0.body)["Marker"] } == [nil, "m1"])
        #expect(transport.requests.allSatisfy { Form.fields($0.body)["PageSize"] == "1" })
    }

    @Test func targetGroupsWithoutOptionalFields() throws {
        let group = ELBv2.targetGroup(try XMLTree.parse(Array("""
            <member><TargetGroupArn>arn:tg</TargetGroupArn><TargetGroupName>fn</TargetGroupName><TargetType>lambda</TargetType><LoadBalancerArns/></member>
            """.utf8)))
        #expect(group == .init(arn: "arn:tg", name: "fn", targetType: "lambda"))
    }
}
