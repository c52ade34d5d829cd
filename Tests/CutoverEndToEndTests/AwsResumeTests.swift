import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MotoHarness
import Testing

/// `cutover resume` of AWS deployments whose process was killed (SIGKILL), from the
/// built binary against moto: a server deployment killed while an SSM command ran (the
/// SSM stub of `AwsServerTests` holds the command), and a Lambda canary killed in its
/// bake.
@Suite(.motoServer, .serialized, .timeLimit(.minutes(5)))
struct AwsResumeTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    let moto: MotoServer

    init() throws {
        moto = try #require(MotoServer.current)
        try moto.reset()
    }

    /// Starts the binary in the background with `arguments` against `moto`, its output to
    /// `output` (standard error to OUTPUT.err).
    static func start(_ sandbox: Sandbox, _ arguments: [String], moto: MotoServer, extra: [String: String] = [:],
                      output: String) throws -> Process {
        FileManager.default.createFile(atPath: output, contents: nil)
        let invocation = try sandbox.cutover(arguments)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: invocation.executable)
        process.arguments = invocation.arguments
        process.environment = invocation.environment.merging(moto.environment) { $1 }.merging(extra) { $1 }
        process.currentDirectoryURL = URL(fileURLWithPath: sandbox.home)
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: output + ".err")
        try process.run()
        return process
    }

    /// Waits (up to a minute) until `file` holds `text` (on one line with `other`, when
    /// given); its contents.
    static func waitFor(_ text: String, and other: String? = nil, in file: String) throws -> String {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let contents = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
            if contents.split(separator: "\n").contains(where: { $0.contains(text) && other.map($0.contains) ?? true }) { return contents }
            usleep(20_000)
        }
        throw Failure(description: "\(file) never said \(text)")
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    func run(_ sandbox: Sandbox, _ arguments: [String], extra: [String: String]) throws -> Pipes.Output {
        try Self.run(sandbox, arguments, moto: moto, extra: extra)
    }

    static func run(_ sandbox: Sandbox, _ arguments: [String], moto: MotoServer, extra: [String: String] = [:]) throws -> Pipes.Output {
        var invocation = try sandbox.cutover(arguments)
        invocation.environment.merge(moto.environment) { $1 }
        invocation.environment.merge(extra) { $1 }
        return try Pipes.run(invocation, timeout: .seconds(180))
    }

    /// The newest deployment's key in the sandbox's history.
    static func newest(_ sandbox: Sandbox, moto: MotoServer) throws -> String? {
        let listing = try run(sandbox, ["history", "--json", "--limit", "1"], moto: moto)
        let json = try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [String: Any]
        return (json?["deployments"] as? [[String: Any]])?.first?["key"] as? String
    }

    /// The deployment is killed while the first instance's Install runs (the stub keeps
    /// it InProgress); the command then finishes. `cutover resume` finds that command by
    /// its comment instead of sending Install again, and finishes the deployment: every
    /// instance got each scripted event once, and is back in the target group.
    @Test func aServerDeploymentKilledMidCommandIsResumedWithoutRunningItTwice() throws {
        let setup = try AwsServerTests.python(moto, """
            import boto3, json
            kw = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
            ec2, elb, s3 = boto3.client("ec2", **kw), boto3.client("elbv2", **kw), boto3.client("s3", **kw)
            spec = [{"ResourceType": "instance", "Tags": [{"Key": "app", "Value": "shop"}, {"Key": "env", "Value": "prod"}]}]
            prod = sorted(i["InstanceId"] for i in ec2.run_instances(ImageId="ami-12c6146b", MinCount=4, MaxCount=4, TagSpecifications=spec)["Instances"])
            vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
            tg = elb.create_target_group(Name="shop-web", Protocol="HTTP", Port=8080, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
            elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": i} for i in prod])
            s3.create_bucket(Bucket="cutover-revisions")
            print(json.dumps(prod))
            """)
        let prod = try JSONDecoder().decode([String].self, from: Data(setup.utf8))
        let sandbox = try Sandbox()
        let log = sandbox.home + "/commands.jsonl"
        let (stub, port) = try AwsServerTests.startSSMStub(sandbox, failing: 0, on: [], log: log, hold: "Install:\(prod[0])")
        defer { AwsServerTests.stop(stub) }
        let extra = ["AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:\(port)", "CUTOVER_AWS_POLL": "0.05"]
        let example = Self.root + "/examples/aws-server-inplace.lua"

        let output = sandbox.home + "/first.txt"
        let first = try Self.start(sandbox, ["--provider", "aws", example, "cutover-revisions", "shop-web", "prod"], moto: moto, extra: extra, output: output)
        // The held command: the first instance's Install, whichever batch it is in.
        _ = try Self.waitFor(#""event": "Install", "deployment": "#, and: #""instance": "\#(prod[0])""#, in: log)
        let held = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(first.terminationReason == .uncaughtSignal)
        #expect(!held.contains("Succeeded"), "\(held)")
        // The command finishes while nobody watches.
        FileManager.default.createFile(atPath: log + ".release", contents: Data())

        let key = try #require(try Self.newest(sandbox, moto: moto))
        let resumed = try run(sandbox, ["resume", key], extra: extra)
        #expect(resumed.status == 0, "\(resumed)")
        #expect(resumed.stdout.contains(": Succeeded"), "\(resumed)")
        // The recorded events come first, then a line marks where this process took over.
        let marker = try #require(resumed.stdout.range(of: "── resumed here"), "\(resumed)")
        #expect(resumed.stdout[..<marker.lowerBound].contains("DownloadBundle ✓"), "\(resumed)")
        #expect(resumed.stdout[marker.upperBound...].contains("Install ✓"), "\(resumed)")

        let sent = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
        for id in prod {
            let events = sent.filter { $0["instance"] == id }.compactMap { $0["event"] }
            #expect(events == ["DownloadBundle", "Install", "ApplicationStart", "ValidateService"], "\(id): \(events)")
        }
        let health = try AwsServerTests.python(moto, """
            import boto3, json
            kw = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
            elb = boto3.client("elbv2", **kw)
            tg = elb.describe_target_groups(Names=["shop-web"])["TargetGroups"][0]["TargetGroupArn"]
            print(json.dumps(sorted(h["Target"]["Id"] for h in elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"] if h["TargetHealth"]["State"] == "healthy")))
            """)
        #expect(try JSONDecoder().decode([String].self, from: Data(health.utf8)) == prod)
        // The history has one deployment, ended Succeeded, its events continuing the first run's.
        let shown = try run(sandbox, ["show", key], extra: extra)
        #expect(shown.stdout.contains("Succeeded"), "\(shown)")
    }

    /// A Lambda canary killed in its bake: `cutover resume` waits out the rest of the bake
    /// and moves the rest of the traffic; the alias ends whole on version 2.
    @Test func aLambdaCanaryKilledInItsBakeIsResumed() throws {
        try moto.call("POST", "/moto-api/config", body: #"{"lambda":{"use_docker":false}}"#, contentType: "application/json")
        _ = try AwsServerTests.python(moto, """
            import boto3, io, zipfile
            kw = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
            def code(version):
                data = io.BytesIO()
                with zipfile.ZipFile(data, "w") as z:
                    z.writestr("index.py", "VERSION = %d\\ndef handler(event, context):\\n    return {'status': 'Succeeded'}\\n" % version)
                return data.getvalue()
            iam, lam, cw = boto3.client("iam", **kw), boto3.client("lambda", **kw), boto3.client("cloudwatch", **kw)
            role = iam.create_role(RoleName="checkout", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
            lam.create_function(FunctionName="checkout", Runtime="python3.11", Handler="index.handler", Role=role, Code={"ZipFile": code(1)})
            lam.publish_version(FunctionName="checkout")
            lam.update_function_code(FunctionName="checkout", ZipFile=code(2))
            lam.publish_version(FunctionName="checkout")
            lam.create_alias(FunctionName="checkout", Name="live", FunctionVersion="1")
            cw.put_metric_alarm(AlarmName="checkout-errors", Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum",
                                Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold")
            """)
        let sandbox = try Sandbox()
        let output = sandbox.home + "/first.txt"
        let first = try Self.start(sandbox, ["--provider", "aws", Self.root + "/examples/aws-lambda-canary.lua"], moto: moto, output: output)
        let seen = try Self.waitFor("baking until", in: output)
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        #expect(seen.contains("10%"), "\(seen)")
        let weights = try AwsServerTests.python(moto, """
            import boto3
            kw = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
            a = boto3.client("lambda", **kw).get_alias(FunctionName="checkout", Name="live")
            print(a["FunctionVersion"], a.get("RoutingConfig", {}).get("AdditionalVersionWeights", {}))
            """)
        #expect(weights.hasPrefix("1 {'2': 0.1"), "\(weights)")

        let key = try #require(try Self.newest(sandbox, moto: moto))
        let resumed = try run(sandbox, ["resume", key], extra: [:])
        #expect(resumed.status == 0, "\(resumed)")
        #expect(resumed.stdout.contains(": Succeeded"), "\(resumed)")
        let after = try AwsServerTests.python(moto, """
            import boto3
            kw = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
            a = boto3.client("lambda", **kw).get_alias(FunctionName="checkout", Name="live")
            print(a["FunctionVersion"], a.get("RoutingConfig", {}).get("AdditionalVersionWeights", {}))
            """)
        #expect(after.hasPrefix("2 {}"), "\(after)")
    }
}
