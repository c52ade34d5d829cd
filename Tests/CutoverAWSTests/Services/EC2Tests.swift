@testable import CutoverAWS
import Foundation
import MotoHarness
import Testing

/// EC2 target discovery against moto: one server for the suite, reset before each test.
@Suite(.moto, .serialized)
struct EC2MotoTests {
    let moto: MotoServer
    let transport = RecordingTransport()
    let ec2: EC2

    init() throws {
        moto = try #require(MotoServer.current, "the suite's .moto trait starts the server")
        try moto.reset()
        ec2 = EC2(try AWSClient.testing(endpoint: moto.endpoint, transport: transport))
    }

    /// Seven prod instances launched one call each (seven reservations) come back
    /// across two pages of five: moto, like EC2, pages by reservation.
    @Test func findsTaggedInstancesAcrossPages() throws {
        let started = Date()
        var prod: [EC2.Instance] = []
        for i in 0..<7 {
            prod += try ec2.runInstances(image: "ami-12c6146b", tags: ["env": "prod", "role": i.isMultiple(of: 2) ? "web" : "api"])
        }
        _ = try ec2.runInstances(image: "ami-12c6146b", count: 2, tags: ["env": "staging"])
        let before = transport.requests.count

        var found: [EC2.Instance] = []
        let elapsed = try ContinuousClock().measure { found = try ec2.describeInstances(filters: [.tag("env", "prod")], pageSize: 5) }
        print("moto DescribeInstances by tag, 7 instances in 2 pages: \(elapsed)")
        #expect(transport.requests.count - before == 2, "two pages")
        #expect(transport.forms.last?["NextToken"] != nil, "the second page asked with the first page's token")
        #expect(found.map(\.id).sorted() == prod.map(\.id).sorted())
        for instance in found {
            #expect(instance.state == "running")
            #expect(instance.isRunning)
            #expect(instance.privateIP?.split(separator: ".").count == 4)
            #expect(instance.tags["env"] == "prod" && instance.tags["role"] != nil)
            #expect(instance.availabilityZone?.hasPrefix("us-east-1") == true)
            #expect(instance.subnetID?.hasPrefix("subnet-") == true)
            #expect(instance.imageID == "ami-12c6146b")
            let launched = try #require(instance.launchTime)
            // EC2 writes whole seconds (`…:07.000Z`).
            #expect(launched.timeIntervalSince(started) > -2 && launched.timeIntervalSinceNow < 2)
        }
        let web = try ec2.describeInstances(filters: [.tag("env", "prod"), .tag("role", "web")])
        #expect(web.count == 4)
        #expect(try ec2.describeInstances(filters: [.tag("env", "nowhere")]).isEmpty)
    }

    /// A terminated instance leaves the running ones and stays listed as terminated
    /// (moto shows the final state at once; EC2 shows shutting-down for a while).
    @Test func terminatedInstancesShowTheirState() throws {
        let launched = try ec2.runInstances(image: "ami-12c6146b", count: 3, tags: ["env": "prod"])
        let states = try ec2.terminateInstances(ids: [launched[0].id])
        #expect(states == [launched[0].id: "shutting-down"])
        let running = try ec2.describeInstances(filters: [.tag("env", "prod"), EC2.Filter("instance-state-name", ["running"])])
        #expect(Set(running.map(\.id)) == Set(launched.dropFirst().map(\.id)))
        #expect(try ec2.describeInstances(ids: [launched[0].id]).first?.state == "terminated")
        #expect(try ec2.terminateInstances(ids: []).isEmpty, "nothing to terminate sends nothing")
    }

    @Test func createsALaunchTemplate() throws {
        let template = try ec2.createLaunchTemplate(name: "web-template", image: "ami-12c6146b", tags: ["env": "prod"],
                                                    clientToken: "cutover-test-1")
        #expect(template.id.hasPrefix("lt-"))
        #expect(template.name == "web-template")
        #expect(template.defaultVersion == 1 && template.latestVersion == 1)
        let form = try #require(transport.forms.last)
        #expect(form["LaunchTemplateData.ImageId"] == "ami-12c6146b")
        #expect(form["LaunchTemplateData.TagSpecification.1.Tag.1.Key"] == "env")
    }
}

/// DescribeInstances answers read from sample bodies.
@Suite struct EC2ParsingTests {
    @Test func readsInstancesWithAndWithoutOptionalFields() throws {
        let page = try XMLTree.parse(Array("""
            <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
              <requestId>8f7724cf-496f-496e-8fe3-example</requestId>
              <reservationSet>
                <item><reservationId>r-1</reservationId><instancesSet>
                  <item><instanceId>i-1</instanceId><imageId>ami-1</imageId>
                    <instanceState><code>16</code><name>running</name></instanceState>
                    <instanceType>t3.micro</instanceType><launchTime>2026-11-28T19:30:07.000Z</launchTime>
                    <placement><availabilityZone>eu-west-1b</availabilityZone></placement>
                    <subnetId>subnet-1</subnetId><privateIpAddress>10.0.1.12</privateIpAddress>
                    <tagSet><item><key>env</key><value>prod</value></item><item><key>empty</key><value/></item></tagSet>
                  </item>
                </instancesSet></item>
                <item><reservationId>r-2</reservationId><instancesSet>
                  <item><instanceId>i-2</instanceId><instanceState><code>0</code><name>pending</name></instanceState></item>
                </instancesSet></item>
              </reservationSet>
              <nextToken>eyJ2IjoiMiJ9</nextToken>
            </DescribeInstancesResponse>
            """.utf8))
        let instances = EC2.instances(page)
        #expect(instances.count == 2)
        #expect(instances[0] == EC2.Instance(id: "i-1", state: "running", privateIP: "10.0.1.12", tags: ["env": "prod", "empty": ""],
                                             launchTime: Date(timeIntervalSince1970: 1_795_894_207), availabilityZone: "eu-west-1b",
                                             subnetID: "subnet-1", imageID: "ami-1", instanceType: "t3.micro"))
        // A pending instance has no address yet, no tags and no placement in this answer.
        #expect(instances[1] == EC2.Instance(id: "i-2", state: "pending"))
        #expect(page.nonEmptyText("nextToken") == "eyJ2IjoiMiJ9")
    }

    @Test func anEmptyPageHasNoInstancesAndNoToken() throws {
        let page = try XMLTree.parse(Array("""
            <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><reservationSet/><nextToken/></DescribeInstancesResponse>
            """.utf8))
        #expect(EC2.instances(page).isEmpty)
        #expect(page.nonEmptyText("nextToken") == nil)
    }

    /// Pages are followed until the token runs out; a token that comes back twice is
    /// an error instead of an endless loop.
    @Test func followsTokensAndStopsOnARepeatedOne() throws {
        func page(_ id: String, token: String?) -> Result<HTTPResponse, TransportFailure> {
            FakeTransport.xml(200, """
                <DescribeInstancesResponse><reservationSet><item><instancesSet><item><instanceId>\(id)</instanceId></item></instancesSet></item></reservationSet>\(token.map { "<nextToken>\($0)</nextToken>" } ?? "")</DescribeInstancesResponse>
                """)
        }
        let transport = FakeTransport([page("i-1", token: "a"), page("i-2", token: "b"), page("i-3", token: nil)])
        let ec2 = EC2(AWSClient(configuration: .testing(), transport: transport, retryPolicy: .none))
        #expect(try ec2.describeInstances(pageSize: 5).map(\.id) == ["i-1", "i-2", "i-3"])
        #expect(transport.requests.map { Form.fields($0.body)["NextToken"] } == [nil, "a", "b"])
        #expect(transport.requests.allSatisfy { Form.fields($0.body)["MaxResults"] == "5" })

        let looping = FakeTransport([page("i-1", token: "a"), page("i-2", token: "a")])
        let error = #expect(throws: AWSError.self) {
            try EC2(AWSClient(configuration: .testing(), transport: looping, retryPolicy: .none)).describeInstances()
        }
        #expect(error?.kind == .malformedResponse)
        #expect(error?.description == "EC2 DescribeInstances: unreadable response (HTTP ?): the page token a came back twice")
    }
}
