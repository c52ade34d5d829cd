import CutoverAWS
import Foundation
import MotoHarness
import Synchronization
import Testing

/// The wire layer against moto 5.2.1 on 127.0.0.1: one server for the suite, reset
/// before each test. Where moto differs from AWS, the test says so.
@Suite(.moto, .serialized)
struct MotoTests {
    let moto: MotoServer
    let client: AWSClient

    init() throws {
        moto = try #require(MotoServer.current, "the suite's .moto trait starts the server")
        try moto.reset()
        client = try Self.client(moto, moto.environment)
    }

    static func client(_ moto: MotoServer, _ environment: [String: String]) throws -> AWSClient {
        // No shared files: only what the environment says.
        let isolated = environment.merging(["AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"]) { $1 }
        // No retries: moto has no throttling, and a 500 from it means an unimplemented
        // operation, which a retry could duplicate (moto.md §3).
        return AWSClient(configuration: try AWSConfiguration.resolve(environment: isolated), retryPolicy: .none)
    }

    // MARK: - Query protocol

    @Test func getCallerIdentity() throws {
        let identity = try STS(client).getCallerIdentity()
        #expect(identity.account == "123456789012")
        #expect(identity.arn == "arn:aws:sts::123456789012:user/moto")
        #expect(!identity.userID.isEmpty)
    }

    @Test func queryErrorsCarryCodeMessageAndRequestID() throws {
        let error = #expect(throws: AWSError.self) {
            try client.query(AWSOperation(.elbv2, "DescribeTargetGroups"), ["Names": ["no-such-group"]])
        }
        #expect(error?.code == "TargetGroupNotFound")
        #expect(error?.status == 400)
        #expect(error?.description.hasPrefix("ELBv2 DescribeTargetGroups: TargetGroupNotFound — ") == true)
    }

    // MARK: - EC2

    /// RunInstances with a tag specification (lists of structures of lists, EC2 style),
    /// then DescribeInstances by tag.
    @Test func runsInstancesWithTagsAndFindsThemByTag() throws {
        let ec2 = EC2(client)
        let image = "ami-12c6146b"  // one of moto's default AMIs
        let web = try ec2.runInstances(image: image, count: 2, tags: ["env": "prod", "role": "web", "note": "a b&c=d é"])
        _ = try ec2.runInstances(image: image, tags: ["env": "staging"])
        #expect(web.count == 2)

        let found = try ec2.describeInstances(filters: [.tag("env", "prod")])
        #expect(Set(found.map(\.id)) == Set(web.map(\.id)))
        #expect(found.allSatisfy { $0.tags == ["env": "prod", "role": "web", "note": "a b&c=d é"] })
        #expect(found.allSatisfy { $0.state == "running" })

        let byID = try ec2.describeInstances(ids: [web[0].id])
        #expect(byID.map(\.id) == [web[0].id])
        #expect(try ec2.describeInstances(filters: [.tag("env", "prod", "staging"), EC2.Filter("instance-state-name", ["running"])]).count == 3)
    }

    @Test func ec2ErrorsComeFromTheirOwnShape() throws {
        let error = #expect(throws: AWSError.self) { try EC2(client).describeInstances(ids: ["i-0123456789abcdef0"]) }
        #expect(error?.code == "InvalidInstanceID.NotFound")
        #expect(error?.message.contains("i-0123456789abcdef0") == true)
    }

    // MARK: - S3 (REST-XML)

    @Test func s3RoundTripsBinaryBodiesUnderAwkwardKeys() throws {
        let s3 = S3(client)
        try s3.createBucket("cutover-bundles")
        let body = (0..<3).flatMap { _ in (0...255).map(UInt8.init) }
        for key in ["releases/shop v2/ünïcödé ☃.bin", "a+b=c&d/~tilde's (1).zip", "plain.zip"] {
            let etag = try s3.putObject(bucket: "cutover-bundles", key: key, body: body)
            #expect(etag?.count == 32, "the ETag of a single-part upload is the body's MD5 in hex")
            #expect(try s3.getObject(bucket: "cutover-bundles", key: key) == body, "\(key)")
        }
        let error = #expect(throws: AWSError.self) { try s3.getObject(bucket: "cutover-bundles", key: "missing key") }
        #expect(error?.code == "NoSuchKey")
        #expect(error?.status == 404)
    }

    // MARK: - JSON 1.1, JSON 1.0, REST-JSON

    @Test func ecsSpeaksJSON11() throws {
        let created = try client.json(AWSOperation(.ecs, "CreateCluster"), ["clusterName": "blue-green"])
        #expect(created["cluster"]?["status"]?.string == "ACTIVE")
        let described = try client.json(AWSOperation(.ecs, "DescribeClusters"), ["clusters": ["blue-green"]])
        #expect(described["clusters"]?[0]?["clusterName"]?.string == "blue-green")

        let error = #expect(throws: AWSError.self) {
            try client.json(AWSOperation(.ecs, "DescribeServices"), ["cluster": "nope", "services": ["web"]])
        }
        #expect(error?.code == "ClusterNotFoundException")
    }

    @Test func cloudWatchSpeaksJSON10() throws {
        let alarm: JSON = ["AlarmName": "web 5xx", "MetricName": "HTTPCode_Target_5XX_Count", "Namespace": "AWS/ApplicationELB",
                           "Statistic": "Sum", "Period": 60, "EvaluationPeriods": 1, "Threshold": 5,
                           "ComparisonOperator": "GreaterThanThreshold"]
        _ = try client.json(AWSOperation(.cloudWatch, "PutMetricAlarm", idempotent: true), alarm)
        _ = try client.json(AWSOperation(.cloudWatch, "SetAlarmState", idempotent: true),
                            ["AlarmName": "web 5xx", "StateValue": "ALARM", "StateReason": "test"])
        let alarms = try client.json(AWSOperation(.cloudWatch, "DescribeAlarms"), ["AlarmNames": ["web 5xx"]])
        #expect(alarms["MetricAlarms"]?[0]?["StateValue"]?.string == "ALARM")
        let error = #expect(throws: AWSError.self) {
            try client.json(AWSOperation(.cloudWatch, "SetAlarmState", idempotent: true),
                            ["AlarmName": "missing", "StateValue": "ALARM", "StateReason": "x"])
        }
        #expect(error?.code == "ResourceNotFound")
    }

    /// A function ARN in the path: its colons are encoded on the wire (%3A) and, in the
    /// signature, encoded again (%253A).
    @Test func lambdaSpeaksRESTJSON() throws {
        let functions = try client.restJSON(AWSOperation(.lambda, "ListFunctions"), method: "GET", path: "/2015-03-31/functions/")
        #expect(functions["Functions"]?.array == [])
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:checkout"
        let error = #expect(throws: AWSError.self) {
            try client.restJSON(AWSOperation(.lambda, "GetAlias"), method: "GET",
                                path: URIEncoding.path("2015-03-31", "functions", arn, "aliases", "live"))
        }
        #expect(error?.code == "ResourceNotFoundException")
        #expect(error?.status == 404)
        #expect(error?.message == "Function not found: \(arn)")

        // moto routes Lambda paths with a regular expression: a name with a space gets
        // Flask's HTML 404 page (AWS would refuse the name with a ValidationException).
        let unrouted = #expect(throws: AWSError.self) {
            try client.restJSON(AWSOperation(.lambda, "GetAlias"), method: "GET",
                                path: URIEncoding.path("2015-03-31", "functions", "no such fn", "aliases", "live"))
        }
        #expect(unrouted?.code == nil)
        #expect(unrouted?.description == "Lambda GetAlias: HTTP 404 — HTTP 404 with an HTML page instead of an AWS error")
    }

    // MARK: - Signatures checked by moto

    /// moto's auth mode recomputes SigV4 (with botocore) for keys of IAM users it
    /// knows: the whole path — signing, the headers libcurl sends, the body — must agree.
    /// moto cannot check Lambda GETs, EC2 GETs or escaped S3 keys this way (moto.md §5).
    @Test func motoAcceptsOurSignaturesWhenItChecksThem() throws {
        let iam = client
        _ = try iam.query(AWSOperation(.iam, "CreateUser"), ["UserName": "deployer"])
        let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
        _ = try iam.query(AWSOperation(.iam, "PutUserPolicy"), ["UserName": "deployer", "PolicyName": "all", "PolicyDocument": .string(policy)])
        let key = try iam.query(AWSOperation(.iam, "CreateAccessKey"), ["UserName": "deployer"]).at("AccessKey")
        let keyID = try #require(key?.text("AccessKeyId"))
        let secret = try #require(key?.text("SecretAccessKey"))

        try moto.call("POST", "/moto-api/reset-auth", body: "0")
        defer { _ = try? moto.call("POST", "/moto-api/reset-auth", body: "inf") }

        var environment = moto.environment
        environment["AWS_ACCESS_KEY_ID"] = keyID
        environment["AWS_SECRET_ACCESS_KEY"] = secret
        let signed = try Self.client(moto, environment)
        #expect(try STS(signed).getCallerIdentity().arn.hasSuffix(":user/deployer"))
        _ = try EC2(signed).describeInstances(filters: [.tag("env", "prod")])
        _ = try signed.json(AWSOperation(.ecs, "ListClusters"))
        _ = try signed.json(AWSOperation(.ssm, "DescribeParameters"))
        _ = try signed.json(AWSOperation(.cloudWatch, "DescribeAlarms"))
        try S3(signed).createBucket("signed-bucket")
        try S3(signed).putObject(bucket: "signed-bucket", key: "bundle.zip", body: Array("zip".utf8), contentType: "application/zip")

        environment["AWS_SECRET_ACCESS_KEY"] = secret + "x"
        let wrong = try Self.client(moto, environment)
        let error = #expect(throws: AWSError.self) { try STS(wrong).getCallerIdentity() }
        #expect(error?.code == "SignatureDoesNotMatch")
        #expect(error?.isAccessDenied == true)
    }

    // MARK: - Threads

    /// One client used from many threads at once: each call takes its own libcurl handle.
    @Test func oneClientServesManyThreads() throws {
        let sts = STS(client)
        let accounts = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            let account = (try? sts.getCallerIdentity().account) ?? "failed"
            accounts.withLock { $0.append(account) }
        }
        #expect(accounts.withLock { $0 } == Array(repeating: "123456789012", count: 16))
    }

    // MARK: - Measurements

    /// A signed round trip to moto (one connection each: moto closes every one).
    @Test func roundTripTime() throws {
        let sts = STS(client)
        _ = try sts.getCallerIdentity()  // the backend loads lazily
        let clock = ContinuousClock()
        let count = 20
        let elapsed = try clock.measure { for _ in 0..<count { _ = try sts.getCallerIdentity() } }
        let each = elapsed / count
        print("moto round trip (STS GetCallerIdentity, signed, new connection): \(each) on average over \(count)")
        #expect(each < .seconds(1))
    }
}
