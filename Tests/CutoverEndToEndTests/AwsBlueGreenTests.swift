import Foundation
import MotoHarness
import Testing

/// Blue/green of an EC2 Auto Scaling group on AWS from the built binary
/// (`examples/aws-asg-blue-green.lua`): the group copied from its launch template, the
/// revision installed on the copy through SSM, the copy registered in the target group
/// and the originals deregistered, the original group deleted after the termination
/// wait, or, on an alarm or a failure, traffic back on the originals and the copy
/// deleted. The Auto Scaling group (3 instances from a launch template, in target group
/// shop-web), the bucket and an alarm are made in moto with boto3 first.
///
/// moto launches an Auto Scaling group's instances at once, InService, and runs no SSM
/// command (every one says Success, moto.md §4.7): the failure before the reroute goes
/// to the SSM stub of `AwsServerTests` through AWS_ENDPOINT_URL_SSM.
@Suite(.motoServer, .serialized, .timeLimit(.minutes(5)))
struct AwsBlueGreenTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let example = root + "/examples/aws-asg-blue-green.lua"
    let moto: MotoServer
    /// The original group's instances.
    let originals: [String]

    init() throws {
        moto = try #require(MotoServer.current)
        try moto.reset()
        let out = try AwsServerTests.python(moto, """
            import boto3, json
            kw = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
            ec2, elb, s3, asg, cw = [boto3.client(n, **kw) for n in ("ec2", "elbv2", "s3", "autoscaling", "cloudwatch")]
            vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
            subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
            tg = elb.create_target_group(Name="shop-web", Protocol="HTTP", Port=8080, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
            ec2.create_launch_template(LaunchTemplateName="shop", LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"})
            asg.create_auto_scaling_group(AutoScalingGroupName="shop-asg", LaunchTemplate={"LaunchTemplateName": "shop", "Version": "$Latest"},
                                          MinSize=1, MaxSize=6, DesiredCapacity=3, TargetGroupARNs=[tg], VPCZoneIdentifier=subnet)
            s3.create_bucket(Bucket="cutover-revisions")
            cw.put_metric_alarm(AlarmName="shop-5xx", Namespace="AWS/ApplicationELB", MetricName="HTTPCode_Target_5XX_Count",
                                Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=1,
                                ComparisonOperator="GreaterThanOrEqualToThreshold")
            print(json.dumps([i["InstanceId"] for i in asg.describe_auto_scaling_groups()["AutoScalingGroups"][0]["Instances"]]))
            """)
        originals = try JSONDecoder().decode([String].self, from: Data(out.utf8)).sorted()
    }

    /// The example with `arguments` (an empty one takes its default).
    func example(_ arguments: [String], extra: [String: String] = [:]) throws -> Pipes.Output {
        let sandbox = try Sandbox()
        var invocation = try sandbox.cutover(["--provider", "aws", Self.example] + arguments)
        invocation.environment.merge(moto.environment) { $1 }
        invocation.environment["CUTOVER_AWS_POLL"] = "0.05"
        invocation.environment.merge(extra) { $1 }
        return try Pipes.run(invocation, timeout: .seconds(180))
    }

    /// Runs a Lua script with the binary against moto.
    func lua(_ text: String) throws -> Pipes.Output {
        let sandbox = try Sandbox()
        var invocation = try sandbox.cutover(["--provider", "aws", try sandbox.write(text, to: "run.lua")])
        invocation.environment.merge(moto.environment) { $1 }
        invocation.environment["CUTOVER_AWS_POLL"] = "0.05"
        return try Pipes.run(invocation, timeout: .seconds(180))
    }

    /// What moto has now: Auto Scaling groups and their in-service instances, the
    /// healthy targets of shop-web, running instances, and the group's S3 record.
    struct World: Decodable {
        var groups: [String: [String]]
        var healthy: [String]
        var running: [String]
        var record: [String: JSONValue]?
    }

    enum JSONValue: Decodable, Equatable {
        case string(String), object([String: JSONValue]), other
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { self = .string(s) } else if let o = try? c.decode([String: JSONValue].self) {
                self = .object(o)
            } else { self = .other }
        }
    }

    func world() throws -> World {
        let out = try AwsServerTests.python(moto, """
            import boto3, json
            kw = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
            ec2, elb, s3, asg = [boto3.client(n, **kw) for n in ("ec2", "elbv2", "s3", "autoscaling")]
            tg = elb.describe_target_groups(Names=["shop-web"])["TargetGroups"][0]["TargetGroupArn"]
            groups = {g["AutoScalingGroupName"]: sorted(i["InstanceId"] for i in g["Instances"] if i["LifecycleState"] == "InService")
                      for g in asg.describe_auto_scaling_groups()["AutoScalingGroups"]}
            running = sorted(i["InstanceId"] for r in ec2.describe_instances(Filters=[{"Name": "instance-state-name", "Values": ["running"]}])["Reservations"] for i in r["Instances"])
            # moto keeps terminated instances registered and "healthy" (moto.md §4.2): count running ones only.
            healthy = sorted(h["Target"]["Id"] for h in elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
                             if h["TargetHealth"]["State"] == "healthy" and h["Target"]["Id"] in running)
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket="cutover-revisions").get("Contents", []) if o["Key"].endswith("revisions.json")]
            record = json.loads(s3.get_object(Bucket="cutover-revisions", Key=keys[0])["Body"].read()) if keys else None
            print(json.dumps({"groups": groups, "healthy": healthy, "running": running, "record": record}))
            """)
        return try JSONDecoder().decode(World.self, from: Data(out.utf8))
    }

    /// The copy's name from the example's "after:" line.
    static func group(after output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix("after: ") }?.split(separator: " ").last.map(String.init)
    }

    @Test func theCopyTakesOverAndTheNextRunDeploysToIt() throws {
        let v1 = Self.root + "/examples/shop/v1"
        let first = try example(["", "", "", v1, "", "1s"])
        #expect(first.status == 0, "\(first)\n\(moto.logTail())")
        #expect(first.stdout.contains("before: 3 instance(s) in shop-asg"), "\(first)")
        let copy = try #require(Self.group(after: first.stdout), "\(first)")
        #expect(copy.hasPrefix("CodeDeploy_web-bg_d-A"), "\(first)")
        var now = try world()
        // The original group is gone with its instances; the copy serves, alone.
        #expect(now.groups.keys.sorted() == [copy], "\(now.groups)")
        let replacements = now.groups[copy] ?? []
        #expect(replacements.count == 3 && Set(replacements).isDisjoint(with: originals), "\(replacements)")
        #expect(now.healthy == replacements, "\(now)")
        #expect(Set(now.running).isDisjoint(with: originals), "\(now.running)")
        #expect(now.record?["replaced_groups"] == .object(["shop-asg": .string(copy)]), "\(String(describing: now.record))")
        // Replacement then original in the live view: traffic is allowed on the copy
        // before the originals are blocked, and the originals wait out the termination wait.
        let out = first.stdout
        let allowed = try #require(out.range(of: "AllowTraffic ✓"))
        let blocked = try #require(out.range(of: "BlockTraffic ✓"))
        #expect(allowed.lowerBound < blocked.lowerBound)
        #expect(out.contains("keeping the original instances until"), "\(out)")

        // A second run (another process) finds the copy through the record, and replaces it.
        let second = try example(["", "", "", Self.root + "/examples/shop/v2", "", "0s"])
        #expect(second.status == 0, "\(second)")
        #expect(second.stdout.contains("before: 3 instance(s) in \(copy)"), "\(second)")
        let next = try #require(Self.group(after: second.stdout))
        #expect(next != copy && next.hasPrefix("CodeDeploy_web-bg_d-A"))
        now = try world()
        #expect(now.groups.keys.sorted() == [next], "\(now.groups)")
        #expect(now.healthy == now.groups[next], "\(now)")
        #expect(now.record?["replaced_groups"] == .object(["shop-asg": .string(next), copy: .string(next)]),
                "\(String(describing: now.record))")
        #expect(now.record?["last_successful"].map { if case .string(let s) = $0 { s.hasSuffix("/examples/shop/v2") } else { false } } == true)
    }

    /// A Lua hook sets the alarm once the copy takes traffic: the deployment stops during
    /// the termination wait, a rollback puts the originals back in the target group and
    /// deletes the copy. The originals were not set up by Cutover (no last successful
    /// revision): they go back as they are.
    @Test func anAlarmAfterTheRerouteRollsBackToTheOriginals() throws {
        let run = try example(["", "", "", "", "shop-5xx", "60s", "drill"])
        #expect(run.status == 0, "\(run)\n\(moto.logTail())")
        #expect(run.stdout.contains("Stopped (ALARM_ACTIVE): alarm shop-5xx is in ALARM"), "\(run)")
        #expect(run.stdout.contains(", rolled back by d-A"), "\(run)")
        #expect(run.stdout.contains(" Succeeded: traffic is back on the 3 original instance(s)"), "\(run)")
        #expect(run.stdout.contains("replacements discarded: CodeDeploy_web-bg_d-A"), "\(run)")
        #expect(run.stdout.contains("after: 3 instance(s) in shop-asg"), "\(run)")
        let now = try world()
        #expect(now.groups == ["shop-asg": originals], "\(now.groups)")
        #expect(now.healthy == originals, "\(now)")
        #expect(now.running == originals, "\(now.running)")
        // Nothing recorded as the group's: not the failed revision, not the originals' unnamed one.
        #expect(now.record?["last_successful"] == nil && now.record?["replaced_groups"] == nil, "\(String(describing: now.record))")
    }

    /// ValidateService fails on the copy (the SSM stub): traffic never left the
    /// originals, the copy is deleted, nothing is rolled back.
    @Test func aFailureBeforeTheRerouteDeletesTheCopy() throws {
        let sandbox = try Sandbox()
        let (stub, port) = try AwsServerTests.startSSMStub(sandbox, failing: 1, on: ["*"], log: sandbox.home + "/commands.jsonl")
        defer { AwsServerTests.stop(stub) }
        let run = try example([], extra: ["AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:\(port)"])
        #expect(run.status == 1, "\(run)")
        #expect(run.stdout.contains("expected Succeeded"), "\(run)")
        #expect(run.stdout.contains("ValidateService ✗"), "\(run)")
        #expect(run.stdout.contains("replacements discarded: CodeDeploy_web-bg_d-A"), "\(run)")
        #expect(run.stdout.contains(" Failed"), "\(run)")
        #expect(!run.stdout.contains("rolled back by"), "\(run)")
        let now = try world()
        #expect(now.groups == ["shop-asg": originals], "\(now.groups)")
        #expect(now.healthy == originals, "\(now)")
    }

    /// The Auto Scaling group grows while an in-place deployment runs (a Lua hook scales
    /// it): the instance it launched missed the deployment, so a CodeDeployAutoUpdate
    /// deployment of the same revision follows and brings it up to date.
    @Test func anInstanceLaunchedMidDeploymentGetsAFollowUp() throws {
        let run = try lua("""
            local cutover = require "cutover"
            local cloud = cutover.provider "aws"
            cloud:bucket "cutover-revisions"
            local g = cutover.group { provider = cloud, application = "shop", name = "web-inplace", targets = { asg = { "shop-asg" } },
                                      load_balancer = "shop-web", config = "CodeDeployDefault.OneAtATime" }
            local scaled
            g:hook("AfterInstall", function(ctx)
              if not scaled then scaled = cloud:scale("shop-asg", 4) end
            end)
            local d = g:deploy { revision = \(String(reflecting: Self.root + "/examples/shop/v2")) }
            d:wait()
            print("deployment", d.id, d.status)
            local f = d.follow_up
            print("follow-up", f and f.id, f and f.status)
            """)
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("\tSucceeded\n"), "\(run)")
        let line = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("follow-up\t") }, "\(run)")
        #expect(line.hasSuffix("\tSucceeded"), "\(line)")
        let now = try world()
        let instances = try #require(now.groups["shop-asg"])
        #expect(instances.count == 4 && Set(originals).isSubset(of: instances), "\(instances)")
        // All four, the launched one too, have v2 in the record.
        guard case .object(let recorded)? = now.record?["instances"] else { Issue.record("no instances in \(String(describing: now.record))"); return }
        #expect(recorded.keys.sorted() == instances, "\(recorded)")
        for (_, revision) in recorded {
            if case .string(let r) = revision { #expect(r.hasSuffix("/examples/shop/v2")) } else { Issue.record("\(revision)") }
        }
    }

    /// A stub Auto Scaling endpoint in front of moto (which stores lifecycle hooks but
    /// never holds an instance, and has no CompleteLifecycleAction: moto.md §4.2): it
    /// passes every call on to moto, shows `held` instances as `Pending:Wait` (`term:ID`:
    /// `Terminating:Wait`) in DescribeAutoScalingGroups until CompleteLifecycleAction lets
    /// them go, and logs
    /// PutLifecycleHook and CompleteLifecycleAction.
    static let autoScalingStub = #"""
        import http.server, json, os, re, sys, threading, time, urllib.request, urllib.error, urllib.parse
        parent = os.getppid()
        def watch():
            while os.getppid() == parent: time.sleep(0.5)
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
        moto, log = sys.argv[1], open(sys.argv[2], "a")
        held = {a.split(":")[-1]: ("Terminating:Wait" if a.startswith("term:") else "Pending:Wait") for a in sys.argv[3:]}
        class H(http.server.BaseHTTPRequestHandler):
            def answer(self, status, data):
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
                action = form.get("Action", "")
                if action in ("PutLifecycleHook", "CompleteLifecycleAction"):
                    log.write(json.dumps(form) + "\n"); log.flush()
                if action == "CompleteLifecycleAction":
                    held.pop(form["InstanceId"], None)
                    return self.answer(200, b'<CompleteLifecycleActionResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><CompleteLifecycleActionResult/><ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></CompleteLifecycleActionResponse>')
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "authorization", "x-amz-date", "x-amz-security-token")}
                try:
                    reply = urllib.request.urlopen(urllib.request.Request(moto + self.path, data=body, headers=headers, method="POST"))
                    status, data = reply.status, reply.read()
                except urllib.error.HTTPError as e:
                    status, data = e.code, e.read()
                if action == "DescribeAutoScalingGroups":
                    text = data.decode()
                    for i, state in held.items():
                        text = re.sub(r"(<InstanceId>%s</InstanceId>(?:(?!</member>).)*?<LifecycleState>)InService(</LifecycleState>)" % i,
                                      r"\g<1>%s\2" % state, text, flags=re.S)
                    data = text.encode()
                self.answer(status, data)
            def log_message(self, *a): pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    /// Runs `script` with the Auto Scaling stub holding `held` (and `extra` environment);
    /// the output and what the stub logged.
    func withLaunches(_ script: String, held: [String], extra: [String: String] = [:]) throws -> (Pipes.Output, [[String: String]]) {
        let sandbox = try Sandbox()
        let stubPath = try sandbox.write(Self.autoScalingStub, to: "asg_stub.py")
        let log = sandbox.home + "/asg.jsonl"
        FileManager.default.createFile(atPath: log, contents: nil)
        let stub = Process()
        stub.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        stub.arguments = ["python3", stubPath, moto.endpoint, log] + held
        let out = Pipe()
        stub.standardOutput = out
        try stub.run()
        defer { AwsServerTests.stop(stub) }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let port = try #require(Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        let path = try sandbox.write(script, to: "launches.lua")
        var invocation = try sandbox.cutover(["--provider", "aws", path])
        invocation.environment.merge(moto.environment) { $1 }
        invocation.environment["CUTOVER_AWS_POLL"] = "0.05"
        invocation.environment["AWS_ENDPOINT_URL_AUTO_SCALING"] = "http://127.0.0.1:\(port)"
        invocation.environment.merge(extra) { $1 }
        let run = try Pipes.run(invocation, timeout: .seconds(180))
        let logged = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
        return (run, logged)
    }

    static func launchScript(_ revision: String, options: String = "count = 1, hook_timeout = \"10m\"") -> String {
        """
        local cutover = require "cutover"
        local cloud = cutover.provider "aws"
        cloud:bucket "cutover-revisions"
        local g = cutover.group { provider = cloud, application = "shop", name = "web-launch", targets = { asg = { "shop-asg" } },
                                  load_balancer = "shop-web", config = "CodeDeployDefault.AllAtOnce" }
        local d = g:deploy { revision = \(String(reflecting: revision)) }
        d:wait()
        print("deployment", d.status)
        for _, s in ipairs(g:serve_launches { \(options) }) do
          print("served", s.id, s.status, table.concat(s.instances, ","), s.result)
        end
        """
    }

    /// An instance the launch hook holds gets the group's last successful revision (a
    /// launch deployment: no block-traffic events), then goes into service (CONTINUE).
    @Test func aLaunchedInstanceGetsTheLastRevisionBeforeItServes() throws {
        let launched = originals[2]
        let (run, logged) = try withLaunches(Self.launchScript(Self.root + "/examples/shop/v2"), held: [launched])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("deployment\tSucceeded"), "\(run)")
        #expect(run.stdout.contains("[launches] shop-asg: launch hook cutover-launch-web-launch in place"), "\(run)")
        let served = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("served\t") }, "\(run)")
        #expect(served.hasSuffix("\tSucceeded\t\(launched)\tCONTINUE"), "\(served)")
        let hook = try #require(logged.first { $0["Action"] == "PutLifecycleHook" })
        #expect(hook["AutoScalingGroupName"] == "shop-asg" && hook["LifecycleTransition"] == "autoscaling:EC2_INSTANCE_LAUNCHING"
                && hook["HeartbeatTimeout"] == "600" && hook["DefaultResult"] == "CONTINUE", "\(hook)")
        let completed = logged.filter { $0["Action"] == "CompleteLifecycleAction" }
        #expect(completed.map { $0["InstanceId"] ?? "" } == [launched] && completed.first?["LifecycleActionResult"] == "CONTINUE",
                "\(completed)")
        // The launch deployment: the held instance only, §5.4's order (no BlockTraffic).
        let launch = try #require(run.stdout.range(of: "launched: deploying"))
        let after = run.stdout[launch.upperBound...]
        #expect(after.contains("\(launched)  Install ✓") && after.contains("\(launched)  AllowTraffic ✓"), "\(after)")
        #expect(!after.contains("BlockTraffic") && !after.contains(originals[0]), "\(after)")
    }

    /// A launch deployment that fails abandons its instance (Auto Scaling replaces it).
    @Test func aLaunchDeploymentThatFailsAbandonsItsInstance() throws {
        let launched = originals[2]
        let sandbox = try Sandbox()
        // The second ValidateService on the held instance (the launch deployment's) fails.
        let (ssm, port) = try AwsServerTests.startSSMStub(sandbox, failing: 2, on: [launched], log: sandbox.home + "/ssm.jsonl")
        defer { AwsServerTests.stop(ssm) }
        let (run, logged) = try withLaunches(Self.launchScript(Self.root + "/examples/shop/v1"), held: [launched],
                                             extra: ["AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:\(port)"])
        #expect(run.status == 0, "\(run)")
        let served = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("served\t") }, "\(run)")
        #expect(served.hasSuffix("\tFailed\t\(launched)\tABANDON"), "\(served)")
        #expect(logged.filter { $0["Action"] == "CompleteLifecycleAction" }.map { $0["LifecycleActionResult"] ?? "" } == ["ABANDON"])
        // Not rolled back: the instance is abandoned instead.
        #expect(!run.stdout.contains("rolling back"), "\(run)")
    }

    /// With `terminations = true`, an instance held on its way out is taken out of the
    /// target group and its application stopped (from its last install) before it goes.
    @Test func aTerminatingInstanceIsTakenOutFirst() throws {
        let leaving = originals[1]
        let (run, logged) = try withLaunches(Self.launchScript(Self.root + "/examples/shop/v2",
                                                               options: "count = 1, terminations = true"), held: ["term:" + leaving])
        #expect(run.status == 0, "\(run)")
        let served = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("served\t") }, "\(run)")
        #expect(served.hasSuffix("\tSucceeded\t\(leaving)\tCONTINUE"), "\(served)")
        let hooks = logged.filter { $0["Action"] == "PutLifecycleHook" }
        #expect(Set(hooks.compactMap { $0["LifecycleTransition"] }) == ["autoscaling:EC2_INSTANCE_LAUNCHING", "autoscaling:EC2_INSTANCE_TERMINATING"])
        let completed = try #require(logged.first { $0["Action"] == "CompleteLifecycleAction" })
        #expect(completed["LifecycleHookName"] == "cutover-termination-web-launch" && completed["InstanceId"] == leaving)
        let out = try #require(run.stdout.range(of: "terminating: taking them out"))
        let after = run.stdout[out.upperBound...]
        #expect(after.contains("\(leaving)  BlockTraffic ✓") && after.contains("\(leaving)  ApplicationStop ✓"), "\(after)")
        #expect(!after.contains("Install"), "\(after)")
        // Out of the target group; the other two still serve.
        let now = try world()
        #expect(now.healthy == originals.filter { $0 != leaving }, "\(now)")
    }

    /// `keep_original = true`: after the reroute the original group keeps its instances,
    /// running, detached from the target group; the copy serves.
    @Test func keepOriginalLeavesTheOriginalsRunningOutOfTheTargetGroup() throws {
        let run = try lua("""
            local cutover = require "cutover"
            local cloud = cutover.provider "aws"
            cloud:bucket "cutover-revisions"
            local g = cutover.group { provider = cloud, application = "shop", name = "web-keep", targets = { asg = { "shop-asg" } },
                                      load_balancer = "shop-web", config = "CodeDeployDefault.AllAtOnce",
                                      blue_green = { green = "copy", keep_original = true } }
            local d = g:deploy { revision = \(String(reflecting: Self.root + "/examples/shop/v2")) }
            d:wait()
            print("deployment", d.status, d.message)
            """)
        #expect(run.status == 0 && run.stdout.contains("deployment\tSucceeded"), "\(run)")
        let now = try world()
        #expect(now.groups["shop-asg"] == originals, "\(now.groups)")
        let copy = try #require(now.groups.keys.first { $0.hasPrefix("CodeDeploy_web-keep_") })
        #expect(now.healthy == now.groups[copy], "\(now)")
        #expect(Set(originals).isSubset(of: now.running))
        // Detached: the original group no longer names the target group.
        let attached = try AwsServerTests.python(moto, """
            import boto3
            kw = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
            print(len(boto3.client("autoscaling", **kw).describe_auto_scaling_groups(AutoScalingGroupNames=["shop-asg"])["AutoScalingGroups"][0]["TargetGroupARNs"]))
            """)
        #expect(attached.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(attached)")
    }
}
