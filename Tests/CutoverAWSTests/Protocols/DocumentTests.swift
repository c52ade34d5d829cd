import CutoverAWS
import Testing

@Suite struct XMLTreeTests {
    @Test func readsADescribeInstancesAnswer() throws {
        let tree = try XMLTree.parse(Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
              <requestId>r</requestId>
              <reservationSet><item><instancesSet>
                <item><instanceId>i-1</instanceId><instanceState><code>16</code><name>running</name></instanceState>
                  <tagSet><item><key>env</key><value>prod &amp; co</value></item></tagSet></item>
                <item><instanceId>i-2</instanceId></item>
              </instancesSet></item></reservationSet>
            </DescribeInstancesResponse>
            """.utf8))
        #expect(tree.name == "DescribeInstancesResponse")
        let instances = tree.list("reservationSet").flatMap { $0.list("instancesSet") }
        #expect(instances.map { $0.text("instanceId") } == ["i-1", "i-2"])
        #expect(instances[0].text("instanceState", "name") == "running")
        #expect(instances[0].list("tagSet").first?.text("value") == "prod & co")
        #expect(tree.child("missing") == nil && tree.list("missing").isEmpty)
    }

    @Test func namespacePrefixesAreDropped() throws {
        let tree = try XMLTree.parse(Array(#"<a:Root xmlns:a="urn:x"><a:Child>t</a:Child></a:Root>"#.utf8))
        #expect(tree.name == "Root")
        #expect(tree.text("Child") == "t")
    }

    @Test(arguments: ["<a><b></a>", "<a>", "", "not xml", "<a></a><b></b>"])
    func malformedXMLIsAnError(text: String) {
        #expect(throws: XMLTreeError.self) { try XMLTree.parse(Array(text.utf8)) }
    }
}

@Suite struct JSONTests {
    @Test func roundTripsAWSShapedDocuments() throws {
        let text = #"{"taskSets":[{"createdAt":1795870530.591,"scale":{"unit":"PERCENT","value":10},"stable":true,"x":null}],"name":"caf\u00e9 \ud83d\ude80 \"q\""}"#
        let value = try JSON(parsing: Array(text.utf8))
        #expect(value["taskSets"]?[0]?["createdAt"]?.number == 1795870530.591)
        #expect(value["taskSets"]?[0]?["scale"]?["value"]?.int == 10)
        #expect(value["taskSets"]?[0]?["stable"]?.bool == true)
        #expect(value["taskSets"]?[0]?["x"]?.isNull == true)
        #expect(value["name"]?.string == "café 🚀 \"q\"")
        #expect(try JSON(parsing: value.encoded()) == value)
    }

    @Test func encodesWithSortedKeysAndIntegersAsIntegers() {
        let value: JSON = ["b": 1, "a": [0.25, "x\n"], "c": nil, "d": false]
        #expect(String(decoding: value.encoded(), as: UTF8.self) == #"{"a":[0.25,"x\n"],"b":1,"c":null,"d":false}"#)
    }

    @Test(arguments: ["{", "[1,]", #"{"a" 1}"#, "tru", "01x", #""\ud800""#, "1 2", ""])
    func malformedJSONIsAnError(text: String) {
        #expect(throws: JSONError.self) { try JSON(parsing: Array(text.utf8)) }
    }
}

@Suite struct QueryEncodingTests {
    let tags: QueryValue = [["ResourceType": "instance", "Tag": [["Key": "env", "Value": "prod"], ["Key": "role", "Value": "web"]]]]

    @Test func ec2ListsAreNumberedDirectly() {
        let fields = QueryValue.flatten([("TagSpecification", tags), ("InstanceId", []), ("MinCount", .int(1))], ec2: true)
        #expect(fields.map { "\($0.name)=\($0.value)" } == [
            "TagSpecification.1.ResourceType=instance",
            "TagSpecification.1.Tag.1.Key=env", "TagSpecification.1.Tag.1.Value=prod",
            "TagSpecification.1.Tag.2.Key=role", "TagSpecification.1.Tag.2.Value=web",
            "MinCount=1",
        ])
    }

    @Test func queryListsUseMemberAndEmptyListsAreSent() {
        let fields = QueryValue.flatten([("Names", ["a b", "c"]), ("TargetGroupArns", []),
                                         ("Attributes", .map([("k", "v")]))], ec2: false)
        #expect(fields.map { "\($0.name)=\($0.value)" } == [
            "Names.member.1=a b", "Names.member.2=c", "TargetGroupArns=",
            "Attributes.entry.1.key=k", "Attributes.entry.1.value=v",
        ])
    }

    @Test func formBodiesArePercentEncoded() throws {
        let transport = FakeTransport([FakeTransport.xml(200, "<DescribeTargetGroupsResponse><DescribeTargetGroupsResult/></DescribeTargetGroupsResponse>")])
        let client = AWSClient(configuration: .testing(), transport: transport, retryPolicy: .none)
        _ = try client.query(AWSOperation(.elbv2, "DescribeTargetGroups"), ["Names": ["web blue", "a+b/ü"]])
        let request = transport.requests[0]
        #expect(String(decoding: request.body, as: UTF8.self)
            == "Action=DescribeTargetGroups&Version=2015-12-01&Names.member.1=web%20blue&Names.member.2=a%2Bb%2F%C3%BC")
        #expect(request.headers["Content-Type"] == "application/x-www-form-urlencoded; charset=utf-8")
        #expect(request.url == "https://elasticloadbalancing.us-east-1.amazonaws.com/")
        #expect(request.headers["Authorization"]?.contains("/us-east-1/elasticloadbalancing/aws4_request") == true)
    }

    @Test func jsonRequestsCarryTheTarget() throws {
        let transport = FakeTransport([FakeTransport.json(200, "")])
        let client = AWSClient(configuration: .testing(), transport: transport, retryPolicy: .none)
        #expect(try client.json(AWSOperation(.cloudWatch, "DescribeAlarms"), ["AlarmNames": ["a"]]) == [:])
        let request = transport.requests[0]
        #expect(request.headers["X-Amz-Target"] == "GraniteServiceVersion20100801.DescribeAlarms")
        #expect(request.headers["Content-Type"] == "application/x-amz-json-1.0")
        #expect(request.headers["Authorization"]?.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-target") == true)
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"AlarmNames":["a"]}"#)
    }

    /// S3 addresses buckets by host on AWS, by path on a configured endpoint.
    @Test func s3AddressingStyle() throws {
        let onAWS = FakeTransport([FakeTransport.json(200, "", headers: ["ETag": "\"abc\""])])
        let etag = try S3(AWSClient(configuration: .testing(region: "eu-west-1"), transport: onAWS, retryPolicy: .none))
            .putObject(bucket: "bundles", key: "shop/v2 é.zip", body: [1, 2])
        #expect(etag == "abc")
        #expect(onAWS.requests[0].url == "https://bundles.s3.eu-west-1.amazonaws.com/shop/v2%20%C3%A9.zip")
        #expect(onAWS.requests[0].headers["Content-Type"] == "application/octet-stream")
        #expect(onAWS.requests[0].headers["x-amz-content-sha256"] != nil)

        let local = FakeTransport([FakeTransport.json(200, "")])
        let configuration = AWSConfiguration.testing(environment: ["AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9000"])
        _ = try S3(AWSClient(configuration: configuration, transport: local, retryPolicy: .none)).getObject(bucket: "bundles", key: "a/b")
        #expect(local.requests[0].url == "http://127.0.0.1:9000/bundles/a/b")
        #expect(local.requests[0].headers["Host"] == "127.0.0.1:9000")
    }
}
