import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MotoHarness
import Testing

/// The AWS examples from the built binary against a moto server reached through
/// AWS_ENDPOINT_URL. What the examples expect to exist (a function with two published
/// versions and an alias, an alarm) is made first with boto3, which moto's server
/// brings with it.
@Suite(.motoServer, .serialized, .timeLimit(.minutes(5)))
struct AwsExampleTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    let moto: MotoServer

    init() throws {
        moto = try #require(MotoServer.current)
        try moto.reset()
        // moto runs Lambda without Docker only in its "simple" backend.
        try moto.call("POST", "/moto-api/config", body: #"{"lambda":{"use_docker":false}}"#, contentType: "application/json")
        try setUp("""
            import boto3, io, zipfile
            kw = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
            def code(version):
                data = io.BytesIO()
                with zipfile.ZipFile(data, "w") as z:
                    z.writestr("index.py", "VERSION = %d\\ndef handler(event, context):\\n    return {'status': 'Succeeded'}\\n" % version)
                return data.getvalue()
            iam, lam, cw = boto3.client("iam", **kw), boto3.client("lambda", **kw), boto3.client("cloudwatch", **kw)
            role = iam.create_role(RoleName="checkout", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
            lam.create_function(FunctionName="checkout", Runtime="python3.11", Handler="index.handler", Role=role,
                                Code={"ZipFile": code(1)})
            lam.publish_version(FunctionName="checkout")
            lam.update_function_code(FunctionName="checkout", ZipFile=code(2))   # a new version needs new code
            lam.publish_version(FunctionName="checkout")
            lam.create_alias(FunctionName="checkout", Name="live", FunctionVersion="1")
            cw.put_metric_alarm(AlarmName="checkout-errors", Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum",
                                Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold")
            """)
    }

    private func setUp(_ script: String) throws {
        let sandbox = try Sandbox()
        let path = try sandbox.write("ENDPOINT = \(String(reflecting: moto.endpoint))\n" + script, to: "setup.py")
        let run = try Pipes.run(Invocation(executable: "/usr/bin/env", arguments: ["python3", path],
                                           environment: sandbox.environment, directory: sandbox.home, sandbox: sandbox))
        try #require(run.status == 0, "the moto set-up failed: \(run)")
    }

    private func example(_ arguments: [String]) throws -> Pipes.Output {
        let sandbox = try Sandbox()
        var invocation = try sandbox.cutover(["--provider", "aws", Self.root + "/examples/aws-lambda-canary.lua"] + arguments)
        invocation.environment.merge(moto.environment) { $1 }
        return try Pipes.run(invocation, timeout: .seconds(120))
    }

    @Test func theLambdaCanaryMovesTheAlias() throws {
        let run = try example([])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("traffic: 10% on 2"), "\(run)")
        #expect(run.stdout.contains("Succeeded: checkout runs 2 with all of the traffic"), "\(run)")
        #expect(run.stdout.contains("alias live: version 2 gets 100%"), "\(run)")
    }

    /// SetAlarmState puts the watched alarm in ALARM during the bake: the deployment
    /// stops, the alias is whole on version 1 again, a rollback deployment records it.
    @Test func anAlarmRollsTheCanaryBack() throws {
        let run = try example(["checkout", "live", "2", "checkout-errors", "drill"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("Stopped (ALARM_ACTIVE): alarm checkout-errors is in ALARM"), "\(run)")
        #expect(run.stdout.contains("restored: alias live points at version 1 again"), "\(run)")
        #expect(run.stdout.contains("alias live: version 1 gets 100%"), "\(run)")
        #expect(run.stdout.contains(", rolled back by d-A"), "\(run)")
    }

    /// No credentials: the provider says where it looked, at the caller's line, exit 1.
    @Test func withoutCredentialsTheProviderSaysWhereItLooked() throws {
        let sandbox = try Sandbox()
        var invocation = try sandbox.cutover(["-e", "local cloud = require('cutover').provider 'aws'"])
        invocation.environment.merge(["AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": moto.endpoint, "AWS_EC2_METADATA_DISABLED": "true"]) { $1 }
        let run = try Pipes.run(invocation)
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("(command line):1: bad argument #1 to 'provider' (aws: no AWS credentials found"), "\(run)")
    }

    /// A missing alias is CodeDeploy's error, with AWS's code behind it.
    @Test func aMissingAliasIsAClearError() throws {
        let run = try example(["checkout", "nope"])
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("INVALID_LAMBDA_CONFIGURATION: Lambda GetAlias: ResourceNotFoundException"), "\(run)")
    }

    /// An ECS service on EXTERNAL task sets behind a load balancer with a production and
    /// a test listener and two target groups, made in moto; its routing as the example's
    /// arguments.
    private func ecsService() throws -> [String] {
        let sandbox = try Sandbox()
        let out = sandbox.home + "/ecs.txt"
        try setUp("""
            import boto3
            kw = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
            ec2, elb, ecs = boto3.client("ec2", **kw), boto3.client("elbv2", **kw), boto3.client("ecs", **kw)
            vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
            subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]][:2]
            sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"][0]["GroupId"]
            lb = elb.create_load_balancer(Name="web", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
            tg = lambda n: elb.create_target_group(Name=n, Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
            blue, green = tg("web-blue"), tg("web-green")
            forward = lambda w: [{"Type": "forward", "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": blue, "Weight": w}, {"TargetGroupArn": green, "Weight": 0}]}}]
            listener = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=forward(100))["Listeners"][0]["ListenerArn"]
            test = elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=8080, DefaultActions=forward(1))["Listeners"][0]["ListenerArn"]
            ecs.create_cluster(clusterName="prod")
            for image in ["shop:1", "shop:2"]:
                td = ecs.register_task_definition(family="web", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256", memory="512",
                    containerDefinitions=[{"name": "web", "image": image, "memory": 512, "portMappings": [{"containerPort": 8080}]}])
            ecs.create_service(cluster="prod", serviceName="web", desiredCount=2, deploymentController={"type": "EXTERNAL"})
            ts = ecs.create_task_set(cluster="prod", service="web", taskDefinition="web:1", launchType="FARGATE",
                loadBalancers=[{"targetGroupArn": blue, "containerName": "web", "containerPort": 8080}],
                networkConfiguration={"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [sg]}},
                scale={"unit": "PERCENT", "value": 100})["taskSet"]
            ecs.update_service_primary_task_set(cluster="prod", service="web", primaryTaskSet=ts["taskSetArn"])
            boto3.client("cloudwatch", **kw).put_metric_alarm(AlarmName="web-5xx", Namespace="AWS/ApplicationELB",
                MetricName="HTTPCode_Target_5XX_Count", Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1,
                ComparisonOperator="GreaterThanOrEqualToThreshold")
            open(\(String(reflecting: out)), "w").write(" ".join([
                "cluster=prod", "service=web", "listener=" + listener, "test_listener=" + test, "blue=" + blue, "green=" + green,
                "container=web", "port=8080", "task_definition=web:2", "subnets=" + ",".join(subnets), "security_groups=" + sg]))
            """)
        return try String(contentsOfFile: out, encoding: .utf8).split(separator: " ").map(String.init)
    }

    private func ecsExample(_ arguments: [String]) throws -> Pipes.Output {
        let sandbox = try Sandbox()
        var invocation = try sandbox.cutover(["--provider", "aws", Self.root + "/examples/aws-ecs-blue-green.lua"] + arguments)
        invocation.environment.merge(moto.environment) { $1 }
        return try Pipes.run(invocation, timeout: .seconds(120))
    }

    @Test func theECSBlueGreenMovesTheServiceThroughTheListener() throws {
        let routing = try ecsService()
        let run = try ecsExample(routing)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("web  Install ✓"), "\(run)")
        #expect(run.stdout.contains("web  AllowTestTraffic ✓"), "\(run)")
        #expect(run.stdout.contains("original task set removed"), "\(run)")
        #expect(run.stdout.contains("traffic: 60% on web:2"), "\(run)")
        #expect(run.stdout.contains("production: blue 0, green 100"), "\(run)")
        // One task set is left, the replacement, primary on web:2.
        let sets = run.stdout.split(separator: "\n").filter { $0.hasPrefix("task set ") }
        #expect(sets.count == 1 && sets.first?.hasSuffix("PRIMARY web:2") == true, "\(run)")
    }

    @Test func anAlarmSendsTheServiceBack() throws {
        let routing = try ecsService()
        let run = try ecsExample(routing + ["alarm=web-5xx", "drill"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("Stopped (ALARM_ACTIVE)"), "\(run)")
        #expect(run.stdout.contains("production: blue 100, green 0"), "\(run)")
        let sets = run.stdout.split(separator: "\n").filter { $0.hasPrefix("task set ") }
        #expect(sets.count == 1 && sets.first?.hasSuffix("PRIMARY web:1") == true, "\(run)")
    }

    /// Killed after 60 % of production moved to the replacement: `cutover resume` finds
    /// the original target group from the primary task set (the listener now weighs the
    /// replacement's more), moves the rest, and ends with the replacement alone, primary.
    @Test func anECSDeploymentKilledMidShiftIsResumed() throws {
        let routing = try ecsService()
        let sandbox = try Sandbox()
        let output = sandbox.home + "/first.txt"
        let first = try AwsResumeTests.start(sandbox, ["--provider", "aws", Self.root + "/examples/aws-ecs-blue-green.lua"] + routing,
                                             moto: moto, output: output)
        _ = try AwsResumeTests.waitFor("traffic: 60% on web:2", in: output)
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let key = try #require(try AwsResumeTests.newest(sandbox, moto: moto))
        let resumed = try AwsResumeTests.run(sandbox, ["resume", key], moto: moto)
        #expect(resumed.status == 0, "\(resumed)")
        #expect(resumed.stdout.contains(": Succeeded"), "\(resumed)")
        #expect(resumed.stdout.contains("traffic: 100% on web:2"), "\(resumed)")
        let after = try ecsExampleState(routing)
        #expect(after == "web:2 PRIMARY; blue 0 green 100", "\(after)")
    }

    /// The service's task sets and production weights, as moto has them.
    private func ecsExampleState(_ routing: [String]) throws -> String {
        let value = { (key: String) in routing.first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) } ?? "" }
        let sandbox = try Sandbox()
        let out = sandbox.home + "/state.txt"
        try setUp("""
            import boto3
            kw = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
            ecs, elb = boto3.client("ecs", **kw), boto3.client("elbv2", **kw)
            sets = ecs.describe_task_sets(cluster="prod", service="web")["taskSets"]
            action = elb.describe_listeners(ListenerArns=[\(String(reflecting: value("listener")))])["Listeners"][0]["DefaultActions"][0]
            weights = {g["TargetGroupArn"]: g["Weight"] for g in action["ForwardConfig"]["TargetGroups"]}
            open(\(String(reflecting: out)), "w").write("%s; blue %d green %d" % (
                ", ".join(s["taskDefinition"].split("/")[-1] + " " + s["status"] for s in sets),
                weights.get(\(String(reflecting: value("blue"))), 0), weights.get(\(String(reflecting: value("green"))), 0)))
            """)
        return try String(contentsOfFile: out, encoding: .utf8)
    }
}
