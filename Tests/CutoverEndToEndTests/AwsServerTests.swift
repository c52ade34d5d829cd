import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MotoHarness
import Testing

/// Server deployments on AWS from the built binary: EC2 instances found by tags, the
/// revision through S3, lifecycle events through SSM Run Command, BlockTraffic and
/// AllowTraffic through ELBv2. The instances, the target group and the bucket are made
/// in moto with boto3 first.
///
/// moto runs no SSM command and says `Success` to every one (moto.md §4.7), so:
/// - `theInPlaceExampleDeploysHalfAtATime` and `targetsAreFoundByTagsRunningOnly` use
///   moto alone (the order of events, the registrations, the bundle in S3 and the
///   commands SSM recorded are what they check);
/// - `aFailingHookRollsTheDeploymentBack` reaches SSM through AWS_ENDPOINT_URL_SSM at
///   a stub (a small Python HTTP server on 127.0.0.1, `ssmStub` below) that answers
///   SendCommand and GetCommandInvocation, fails the second deployment's
///   ValidateService on one instance with a script's output, and records every
///   command; everything else still goes to moto.
@Suite(.motoServer, .serialized, .timeLimit(.minutes(5)))
struct AwsServerTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let example = root + "/examples/aws-server-inplace.lua"
    let moto: MotoServer
    /// The instances tagged app=shop env=prod that run, in launch order.
    let prod: [String]

    init() throws {
        moto = try #require(MotoServer.current)
        try moto.reset()
        let out = try Self.python(moto, """
            import boto3, json
            kw = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
            ec2, elb, s3 = boto3.client("ec2", **kw), boto3.client("elbv2", **kw), boto3.client("s3", **kw)
            def launch(count, **tags):
                spec = [{"ResourceType": "instance", "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
                return [i["InstanceId"] for i in ec2.run_instances(ImageId="ami-12c6146b", MinCount=count, MaxCount=count,
                                                                   TagSpecifications=spec)["Instances"]]
            prod = launch(4, app="shop", env="prod")
            launch(1, app="shop", env="staging")
            stopped = launch(1, app="shop", env="prod")
            ec2.stop_instances(InstanceIds=stopped)
            vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
            tg = elb.create_target_group(Name="shop-web", Protocol="HTTP", Port=8080, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
            elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": i} for i in prod])
            s3.create_bucket(Bucket="cutover-revisions")
            # In launch order, then by id, as the binding orders targets (moto may give
            # the instances of one RunInstances call launch times a second apart).
            found = [i for r in ec2.describe_instances(InstanceIds=prod)["Reservations"] for i in r["Instances"]]
            print(json.dumps([i["InstanceId"] for i in sorted(found, key=lambda i: (i["LaunchTime"], i["InstanceId"]))]))
            """)
        prod = try JSONDecoder().decode([String].self, from: Data(out.utf8))
    }

    /// Runs a Python script (ENDPOINT is moto's); its standard output.
    static func python(_ moto: MotoServer, _ script: String) throws -> String {
        let sandbox = try Sandbox()
        let path = try sandbox.write("ENDPOINT = \(String(reflecting: moto.endpoint))\n" + script, to: "script.py")
        let run = try Pipes.run(Invocation(executable: "/usr/bin/env", arguments: ["python3", path],
                                           environment: sandbox.environment, directory: sandbox.home, sandbox: sandbox))
        try #require(run.status == 0, "python against moto failed: \(run)")
        return run.stdout
    }

    /// Runs Lua with the binary against moto (and `extra` environment).
    func cutover(_ lua: String, extra: [String: String] = [:]) throws -> Pipes.Output {
        let sandbox = try Sandbox()
        let path = try sandbox.write(lua, to: "run.lua")
        var invocation = try sandbox.cutover(["--provider", "aws", path])
        invocation.environment.merge(moto.environment) { $1 }
        invocation.environment["CUTOVER_AWS_POLL"] = "0.05"
        invocation.environment.merge(extra) { $1 }
        return try Pipes.run(invocation, timeout: .seconds(180))
    }

    /// The example, run through `dofile` so its deployment's log can be printed after it.
    func runExample(_ arguments: [String], extra: [String: String] = [:]) throws -> Pipes.Output {
        let args = arguments.map { String(reflecting: $0) }.joined(separator: ", ")
        return try cutover("""
            arg = { [0] = \(String(reflecting: Self.example)), \(args) }
            local d = dofile(arg[0])
            io.write("LOG\\n", d:log())
            if d.rollback then io.write("ROLLBACK\\n", d.rollback:log()) end
            """, extra: extra)
    }

    /// The JSON lines of a log section (LOG or ROLLBACK) of the output.
    static func log(_ output: String, _ section: String) -> [[String: Any]] {
        guard let start = output.range(of: section + "\n") else { return [] }
        return output[start.upperBound...].split(separator: "\n").prefix { $0.hasPrefix("{") }
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func targetsAreFoundByTagsRunningOnly() throws {
        let run = try cutover("""
            local cutover = require "cutover"
            local cloud = cutover.provider "aws"
            for _, i in ipairs(cloud:instances { tags = { app = "shop", env = "prod" } }) do print("any", i.id, i.state) end
            local g = cutover.group { provider = cloud, name = "web", targets = { tags = { env = "prod" } } }
            for _, id in ipairs(g:targets()) do print("target", id) end
            """)
        #expect(run.status == 0, "\(run)")
        let targets = run.stdout.split(separator: "\n").filter { $0.hasPrefix("target\t") }.map { String($0.dropFirst(7)) }
        #expect(targets == prod, "\(run)")
        // cloud:instances without a state sees the stopped one too.
        #expect(run.stdout.contains("\tstopped"), "\(run)")
        #expect(run.stdout.split(separator: "\n").filter { $0.hasPrefix("any\t") }.count == 5)
    }

    @Test func theInPlaceExampleDeploysHalfAtATime() throws {
        let started = ContinuousClock.now
        let run = try runExample(["cutover-revisions", "shop-web", "prod"])
        let took = ContinuousClock.now - started
        #expect(run.status == 0, "\(run)\n\(moto.logTail())")
        #expect(run.stdout.contains("4 running instance(s) tagged app=shop env=prod"), "\(run)")
        let log = Self.log(run.stdout, "LOG")
        let batches = log.filter { $0["kind"] as? String == "batch" }.map { $0["targets"] as? [String] ?? [] }
        #expect(batches == [Array(prod.prefix(2)), Array(prod.suffix(2))], "\(batches)")
        // Per instance: out of the target group before its files change, back in (and
        // healthy) after ValidateService; the second half leaves only after the first
        // half is back.
        func seq(_ target: String, _ event: String, _ kind: String) -> Int {
            log.first { $0["target"] as? String == target && $0["event"] as? String == event && $0["kind"] as? String == kind }?["seq"] as? Int ?? -1
        }
        for id in prod {
            #expect(seq(id, "BlockTraffic", "event_ended") < seq(id, "Install", "event_started"))
            #expect(seq(id, "ValidateService", "event_ended") < seq(id, "AllowTraffic", "event_started"))
            #expect(seq(id, "AllowTraffic", "event_ended") > 0)
        }
        #expect(prod.prefix(2).map { seq($0, "AllowTraffic", "event_ended") }.max()! < prod.suffix(2).map { seq($0, "BlockTraffic", "event_started") }.min()!)
        // First deployment: no previous revision, the stop-type events are skipped.
        #expect(log.contains { $0["event"] as? String == "ApplicationStop" && $0["status"] as? String == "Skipped" })
        for id in prod { #expect(run.stdout.contains("\(id) healthy in shop-web"), "\(run)") }
        #expect(run.stdout.contains(" Succeeded\n"), "\(run)")

        // The bundle in S3 holds the revision; the record names each instance's revision;
        // SSM recorded one command per scripted event and instance.
        let check = try Self.python(moto, """
            import boto3, io, json, tarfile
            kw = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
            s3, ssm = boto3.client("s3", **kw), boto3.client("ssm", **kw)
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket="cutover-revisions")["Contents"]]
            bundle = [k for k in keys if k.endswith("/bundle.tar.gz")][0]
            names = tarfile.open(fileobj=io.BytesIO(s3.get_object(Bucket="cutover-revisions", Key=bundle)["Body"].read())).getnames()
            record = json.loads(s3.get_object(Bucket="cutover-revisions", Key=[k for k in keys if k.endswith("revisions.json")][0])["Body"].read())
            commands = ssm.list_commands()["Commands"]
            scripts = [c["Parameters"]["commands"][0] for c in commands]
            print(json.dumps({"names": sorted(names), "record": record, "count": len(commands),
                              "downloads": sum("presigned" in s or "X-Amz-Signature" in s for s in scripts),
                              "events": sorted(set(l.split("LIFECYCLE_EVENT='")[1].split("'")[0] for s in scripts for l in s.splitlines() if "LIFECYCLE_EVENT='" in l))}))
            """)
        let result = try #require(try JSONSerialization.jsonObject(with: Data(check.utf8)) as? [String: Any])
        let names = result["names"] as? [String] ?? []
        #expect(names.contains("./appspec.yml") && names.contains("./app/server.py") && names.contains("./scripts/start.sh"), "\(names)")
        let record = result["record"] as? [String: Any]
        #expect((record?["instances"] as? [String: String])?.keys.sorted() == prod.sorted())
        #expect((record?["last_successful"] as? String)?.hasSuffix("/examples/shop/v2") == true)
        // DownloadBundle, Install, ApplicationStart, ValidateService per instance (no
        // previous revision: no ApplicationStop; no scripts: no other hook).
        #expect(result["count"] as? Int == 4 * prod.count, "\(result)")
        #expect(result["downloads"] as? Int == prod.count, "\(result)")
        #expect(result["events"] as? [String] == ["ApplicationStart", "ValidateService"], "\(result)")
        print("in-place HalfAtATime of 4 instances against moto: \(took) wall, \(result["count"] ?? 0) SSM commands")
    }

    /// The SSM stub: SendCommand records the command (its event and deployment read
    /// from the script) and answers Pending; GetCommandInvocation answers InProgress
    /// once, then Success, or Failed for the Nth ValidateService (N, its first argument)
    /// of the instances named on its command line (`*`: any), with a script's output.
    /// With THROTTLE=n in its environment, its first n answers are ThrottlingException;
    /// with UNMANAGED=n, its first n SendCommands are InvalidInstanceId (an instance
    /// whose SSM agent has not registered yet); ONPREM (JSON: id → { ping =, tags = })
    /// are the on-premises servers it manages; with HOLD=EVENT:INSTANCE, that command stays InProgress until LOG.release exists.
    /// ListCommands lists an instance's commands with their comments.
    /// (Deployments are told apart by count, not id: two runs in one second may share one.)
    static let ssmStub = #"""
        import http.server, json, os, sys, threading, time, uuid, re
        parent = os.getppid()
        def watch():  # gone with the test process, whatever happens to it
            while os.getppid() == parent: time.sleep(0.5)
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
        commands, polls, validations = {}, {}, {}
        throttle = [int(os.environ.get("THROTTLE", "0"))]
        unmanaged = [int(os.environ.get("UNMANAGED", "0"))]
        onprem = json.loads(os.environ.get("ONPREM") or "{}")
        log = open(sys.argv[2], "a")
        class H(http.server.BaseHTTPRequestHandler):
            def answer(self, status, out):
                data = json.dumps(out).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/x-amz-json-1.1")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the caller was killed (the resume tests do that)
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                op = self.headers.get("X-Amz-Target", "").split(".")[-1]
                if op == "SendCommand" and unmanaged[0] > 0:
                    unmanaged[0] -= 1
                    log.write(json.dumps({"unmanaged": body["InstanceIds"][0]}) + "\n"); log.flush()
                    return self.answer(400, {"__type": "InvalidInstanceId", "message": "Instances not in a valid state for account"})
                if throttle[0] > 0:
                    throttle[0] -= 1
                    log.write(json.dumps({"throttled": op}) + "\n"); log.flush()
                    return self.answer(400, {"__type": "ThrottlingException", "message": "Rate exceeded"})
                if op == "SendCommand":
                    script = body["Parameters"]["commands"][0]
                    event = (re.search(r"LIFECYCLE_EVENT='([A-Za-z]+)'", script) or [None, "DownloadBundle" if "bundle.tar.gz" in script else "Install"])[1]
                    deployment = re.search(r"/(d-[A-Z0-9]+)", script).group(1)
                    instance = body["InstanceIds"][0]
                    if event == "ValidateService": validations[instance] = validations.get(instance, 0) + 1
                    cid = str(uuid.uuid4())
                    commands[cid] = (event, deployment, instance, validations.get(instance, 0), body.get("Comment", ""))
                    log.write(json.dumps({"event": event, "deployment": deployment, "instance": body["InstanceIds"][0]}) + "\n"); log.flush()
                    out = {"Command": {"CommandId": cid, "Status": "Pending", "InstanceIds": body["InstanceIds"], "DocumentName": body["DocumentName"]}}
                elif op == "DescribeInstanceInformation":
                    out = {"InstanceInformationList": [{"InstanceId": i, "PingStatus": m["ping"], "ResourceType": "ManagedInstance",
                                                        "ComputerName": i + ".example", "IPAddress": "10.0.0.%d" % n}
                                                       for n, (i, m) in enumerate(sorted(onprem.items()))]}
                elif op == "ListTagsForResource":
                    out = {"TagList": [{"Key": k, "Value": v} for k, v in onprem[body["ResourceId"]]["tags"].items()]}
                elif op == "ListCommands":
                    out = {"Commands": [{"CommandId": cid, "Comment": c[4], "Status": "InProgress", "InstanceIds": [c[2]], "DocumentName": "AWS-RunShellScript"}
                                        for cid, c in commands.items() if c[2] == body.get("InstanceId")]}
                elif op == "GetCommandInvocation":
                    event, deployment, instance, validation, _ = commands[body["CommandId"]]
                    polls[body["CommandId"]] = polls.get(body["CommandId"], 0) + 1
                    out = {"CommandId": body["CommandId"], "InstanceId": instance, "Status": "Success", "ResponseCode": 0,
                           "StandardOutputContent": event + " done\n", "StandardErrorContent": ""}
                    held = os.environ.get("HOLD") == event + ":" + instance and not os.path.exists(sys.argv[2] + ".release")
                    if polls[body["CommandId"]] == 1 or held:
                        out.update(Status="InProgress", ResponseCode=-1, StandardOutputContent="")
                    elif event == "ValidateService" and validation == int(sys.argv[1]) and (instance in sys.argv[3:] or "*" in sys.argv[3:]):
                        out.update(Status="Failed", ResponseCode=1, StandardOutputContent="not healthy after 10 s: connection refused\ncutover: ScriptFailed: scripts/validate.sh exited with status 1\n")
                else:
                    self.send_response(400); self.end_headers(); return
                self.answer(200, out)
            def log_message(self, *a): pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#

    /// Starts the SSM stub failing the `failing`th ValidateService on `instances`; the
    /// process and its port.
    static func startSSMStub(_ sandbox: Sandbox, failing: Int, on instances: [String], log: String,
                             throttle: Int = 0, hold: String? = nil, unmanaged: Int = 0, onPremises: String = "") throws -> (Process, Int) {
        let stubPath = try sandbox.write(ssmStub, to: "ssm_stub.py")
        let stub = Process()
        stub.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        stub.arguments = ["python3", stubPath, String(failing), log] + instances
        stub.environment = ProcessInfo.processInfo.environment.merging(["THROTTLE": String(throttle), "HOLD": hold ?? "", "UNMANAGED": String(unmanaged), "ONPREM": onPremises]) { $1 }
        let out = Pipe()
        stub.standardOutput = out
        try stub.run()
        var portLine = Data()
        while !portLine.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            portLine += chunk
        }
        guard let port = Int(String(decoding: portLine, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            stop(stub)
            throw StubError(description: "the SSM stub did not say its port")
        }
        return (stub, port)
    }

    static func stop(_ stub: Process) {
        kill(stub.processIdentifier, SIGKILL)
        var status: Int32 = 0
        waitpid(stub.processIdentifier, &status, 0)
    }

    struct StubError: Error, CustomStringConvertible { var description: String }

    @Test func aFailingHookRollsTheDeploymentBack() throws {
        let sandbox = try Sandbox()
        let commandLog = sandbox.home + "/commands.jsonl"
        let (stub, port) = try Self.startSSMStub(sandbox, failing: 2, on: [prod[0], prod[1]], log: commandLog)
        defer { Self.stop(stub) }
        let ssm = ["AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:\(port)"]

        let v1 = Self.root + "/examples/shop/v1"
        let first = try runExample(["cutover-revisions", "shop-web", "prod", v1], extra: ssm)
        #expect(first.status == 0, "\(first)")
        let second = try runExample(["cutover-revisions", "shop-web", "prod", Self.root + "/examples/shop/v2", "Failed"], extra: ssm)
        #expect(second.status == 0, "\(second)")
        let failed = Self.log(second.stdout, "LOG")
        let failure = try #require(failed.first { $0["event"] as? String == "ValidateService" && $0["status"] as? String == "Failed" })
        // Two of four fail in the first half: HalfAtATime cannot keep 2 healthy any more.
        #expect(failed.filter { $0["event"] as? String == "ValidateService" && $0["status"] as? String == "Failed" }
            .compactMap { $0["target"] as? String }.sorted() == Array(prod.prefix(2)))
        #expect(failed.contains { $0["kind"] as? String == "ended" && $0["error"] as? String == "HEALTH_CONSTRAINTS" })
        #expect(failure["error"] as? String == "ScriptFailed")
        #expect((failure["message"] as? String)?.contains("scripts/validate.sh exited with status 1\nnot healthy after 10 s") == true, "\(failure)")
        // The first batch failed: the second half was never touched.
        #expect(!failed.contains { prod.suffix(2).contains($0["target"] as? String ?? "") && $0["kind"] as? String == "event_started" })
        // The rollback deployment redeploys v1 to the instances, and succeeds.
        #expect(second.stdout.contains(", rolled back by d-A"), "\(second)")
        #expect(second.stdout.contains(" Succeeded\n"), "\(second)")
        let rollback = Self.log(second.stdout, "ROLLBACK")
        #expect(rollback.contains { $0["kind"] as? String == "ended" && ($0["status"] as? String) == "Succeeded" }, "\(rollback)")
        // On the first instance: v1's run had no ApplicationStop (no previous revision);
        // the v2 run and the rollback each ran one (from the install before them), and
        // ValidateService came three times (v1, v2 failing, the rollback's v1).
        let sent = try String(contentsOfFile: commandLog, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
            .filter { $0["instance"] == prod[0] }.compactMap { $0["event"] }
        #expect(sent.filter { $0 == "ApplicationStop" }.count == 2, "\(sent)")
        #expect(sent.filter { $0 == "ValidateService" }.count == 3, "\(sent)")
        #expect(sent.first == "DownloadBundle", "\(sent)")
        // Every instance is registered again after the rollback.
        for id in prod { #expect(second.stdout.contains("\(id) healthy in shop-web"), "\(second)") }
    }

    /// SSM throttles: a few throttled answers are retried (with backoff) and the
    /// deployment succeeds; throttled past AWS_MAX_ATTEMPTS, the event fails naming the
    /// service, operation and code, before any instance left its target group.
    @Test func throttledCallsAreRetriedThenReported() throws {
        let sandbox = try Sandbox()
        let commandLog = sandbox.home + "/commands.jsonl"
        do {
            let (stub, port) = try Self.startSSMStub(sandbox, failing: 0, on: [], log: commandLog, throttle: 3)
            defer { Self.stop(stub) }
            let run = try runExample(["cutover-revisions", "shop-web", "prod"], extra: ["AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:\(port)"])
            #expect(run.status == 0, "\(run)")
            #expect(run.stdout.contains(" Succeeded\n"), "\(run)")
            let lines = try String(contentsOfFile: commandLog, encoding: .utf8).split(separator: "\n")
            #expect(lines.filter { $0.contains("throttled") }.count == 3)
        }
        let (stub, port) = try Self.startSSMStub(sandbox, failing: 0, on: [], log: commandLog, throttle: 1000)
        defer { Self.stop(stub) }
        let run = try runExample(["cutover-revisions", "shop-web", "prod", Self.root + "/examples/shop/v1", "Failed"],
                                 extra: ["AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:\(port)", "AWS_MAX_ATTEMPTS": "2"])
        #expect(run.status == 0, "\(run)")
        let log = Self.log(run.stdout, "LOG")
        let failed = try #require(log.first { $0["kind"] as? String == "event_ended" && $0["status"] as? String == "Failed" }, "\(run)")
        #expect((failed["message"] as? String)?.contains("SSM SendCommand: ThrottlingException — Rate exceeded") == true, "\(failed)")
        #expect((failed["message"] as? String)?.contains("after 2 attempts") == true, "\(failed)")
        // The rollback (to the first run's revision) is throttled too; no instance left
        // its target group, since every instance failed before BlockTraffic.
        #expect(run.stdout.contains(" Failed, rolled back by d-A"), "\(run)")
        #expect(Self.log(run.stdout, "ROLLBACK").contains { ($0["message"] as? String)?.contains("ThrottlingException") == true })
        for id in prod { #expect(run.stdout.contains("\(id) healthy in shop-web"), "\(run)") }
    }

    /// A missing target group or bucket is refused before anything changes: CodeDeploy's
    /// code, AWS's error behind it, at the caller's line, exit 1.
    @Test func aMissingTargetGroupOrBucketIsAClearError() throws {
        let tg = try runExample(["cutover-revisions", "no-such-tg", "prod"])
        #expect(tg.status == 1, "\(tg)")
        #expect(tg.stderr.contains("aws-server-inplace.lua:35: bad argument #1 to 'deploy' (ELASTIC_LOAD_BALANCING_INVALID: ELBv2 DescribeTargetGroups: TargetGroupNotFound"), "\(tg)")
        let bucket = try runExample(["no-such-bucket", "shop-web", "prod"])
        #expect(bucket.status == 1, "\(bucket)")
        #expect(bucket.stderr.contains("S3 GetObject: NoSuchBucket"), "\(bucket)")
        // Nothing was deregistered on the way.
        for id in prod { #expect(tg.stdout.contains(id) == false) }
    }

    /// An instance SSM does not manage yet (its agent has not registered) is asked again
    /// until it is; one it never manages fails its event within the delivery timeout,
    /// saying what to check.
    @Test func anInstanceSSMDoesNotManageYetIsWaitedFor() throws {
        let sandbox = try Sandbox()
        let commandLog = sandbox.home + "/commands.jsonl"
        do {
            let (stub, port) = try Self.startSSMStub(sandbox, failing: 0, on: [], log: commandLog, unmanaged: 3)
            defer { Self.stop(stub) }
            let run = try runExample(["cutover-revisions", "shop-web", "prod"], extra: ["AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:\(port)"])
            #expect(run.status == 0, "\(run)")
            let lines = try String(contentsOfFile: commandLog, encoding: .utf8).split(separator: "\n")
            #expect(lines.filter { $0.contains("unmanaged") }.count == 3)
            // Asked again, not given up on: each instance got its four commands.
            #expect(lines.filter { $0.contains("\"event\"") }.count == 4 * prod.count, "\(lines)")
        }
        let (stub, port) = try Self.startSSMStub(sandbox, failing: 0, on: [], log: commandLog, unmanaged: 100_000)
        defer { Self.stop(stub) }
        let run = try runExample(["cutover-revisions", "shop-web", "prod", Self.root + "/examples/shop/v1", "Failed"],
                                 extra: ["AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:\(port)", "CUTOVER_AWS_DELIVERY_TIMEOUT": "1"])
        #expect(run.status == 0, "\(run)")
        let failed = try #require(Self.log(run.stdout, "LOG").first { $0["kind"] as? String == "event_ended" && $0["status"] as? String == "Failed" })
        let message = failed["message"] as? String ?? ""
        #expect(message.contains("SSM does not manage i-") && message.contains("after 1 s") && message.contains("InvalidInstanceId")
                && message.contains("AmazonSSMManagedInstanceCore"), "\(message)")
    }

    /// On-premises servers SSM manages are targets through the group's on-premises tags
    /// (never its EC2 ones), if SSM reaches them; they deploy through SSM like EC2
    /// instances and are not registered in the target group.
    @Test func onPremisesServersAreDeployedThroughSSM() throws {
        let sandbox = try Sandbox()
        let commandLog = sandbox.home + "/commands.jsonl"
        let servers = #"{"mi-0aaa1": {"ping": "Online", "tags": {"env": "prod", "app": "shop"}},"#
            + #" "mi-0aaa2": {"ping": "Online", "tags": {"env": "prod"}}, "mi-0aaa3": {"ping": "Online", "tags": {"env": "staging"}},"#
            + #" "mi-0aaa4": {"ping": "ConnectionLost", "tags": {"env": "prod"}}}"#
        let (stub, port) = try Self.startSSMStub(sandbox, failing: 0, on: [], log: commandLog, onPremises: servers)
        defer { Self.stop(stub) }
        let run = try cutover("""
            local cutover = require "cutover"
            local cloud = cutover.provider "aws"
            cloud:bucket "cutover-revisions"
            for _, i in ipairs(cloud:instances { on_premises = true }) do print("managed", i.id, i.state, i.tags.env) end
            local g = cutover.group { provider = cloud, application = "shop", name = "mixed",
                                      targets = { tags = { env = "prod" }, on_premises = { tags = { env = "prod" } } },
                                      load_balancer = "shop-web", config = "CodeDeployDefault.AllAtOnce" }
            local d = g:deploy { revision = \(String(reflecting: Self.root + "/examples/shop/v1")) }
            d:watch()
            local ids = {}
            for _, t in ipairs(d.targets) do ids[#ids + 1] = t.id end
            print("targets", table.concat(ids, " "))
            print("status", d.status)
            local onlyPrem = cutover.group { provider = cloud, application = "shop", name = "prem",
                                             targets = { on_premises = { tags = { env = "prod" } } } }
            print("prem-only", table.concat(onlyPrem:targets(), " "))
            """, extra: ["AWS_ENDPOINT_URL_SSM": "http://127.0.0.1:\(port)"])
        #expect(run.status == 0, "\(run)")
        #expect(run.stdout.contains("managed\tmi-0aaa4\tConnectionLost\tprod"), "\(run)")
        let targets = run.stdout.split(separator: "\n").first { $0.hasPrefix("targets\t") }?.split(separator: "\t").last
            .map { $0.split(separator: " ").map(String.init) } ?? []
        #expect(Set(targets) == Set(prod + ["mi-0aaa1", "mi-0aaa2"]), "\(targets)")
        #expect(run.stdout.contains("status\tSucceeded"), "\(run)")
        #expect(run.stdout.contains("prem-only\tmi-0aaa1 mi-0aaa2\n"), "\(run)")
        // Through SSM like the others; out of the load balancer's business.
        let sent = try String(contentsOfFile: commandLog, encoding: .utf8)
        #expect(sent.contains(#""instance": "mi-0aaa1""#) && !sent.contains("mi-0aaa3") && !sent.contains("mi-0aaa4"))
        #expect(run.stdout.contains("mi-0aaa1  AllowTraffic - skipped"), "\(run)")
        for id in prod { #expect(run.stdout.contains("\(id)  AllowTraffic ✓"), "\(run)") }
    }

    /// `load_balancer = "classic:NAME"`: BlockTraffic and AllowTraffic deregister and
    /// register the instance with a Classic Load Balancer (CodeDeploy's elbInfoList).
    @Test func aClassicLoadBalancerTakesTheInstancesOutAndBack() throws {
        _ = try Self.python(moto, """
            import boto3
            kw = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
            elb = boto3.client("elb", **kw)
            elb.create_load_balancer(LoadBalancerName="legacy", AvailabilityZones=["us-east-1a"],
                                     Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstanceProtocol": "HTTP", "InstancePort": 8080}])
            elb.register_instances_with_load_balancer(LoadBalancerName="legacy", Instances=[{"InstanceId": i} for i in \(prod)])
            """)
        let run = try cutover("""
            local cutover = require "cutover"
            local cloud = cutover.provider "aws"
            cloud:bucket "cutover-revisions"
            local g = cutover.group { provider = cloud, application = "shop", name = "legacy", targets = { tags = { env = "prod" } },
                                      load_balancer = "classic:legacy", config = "CodeDeployDefault.OneAtATime" }
            local d = g:deploy { revision = \(String(reflecting: Self.root + "/examples/shop/v1")) }
            d:wait()
            print("status", d.status)
            io.write(d:log())
            """)
        #expect(run.status == 0 && run.stdout.contains("status\tSucceeded"), "\(run)")
        let log = run.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        for id in prod {
            let block = log.first { $0["target"] as? String == id && $0["event"] as? String == "BlockTraffic" && $0["kind"] as? String == "event_ended" }
            let allow = log.first { $0["target"] as? String == id && $0["event"] as? String == "AllowTraffic" && $0["kind"] as? String == "event_ended" }
            #expect(block?["message"] as? String == "\(id) deregistered from 1 load balancer(s)", "\(String(describing: block))")
            #expect(allow?["message"] as? String == "\(id) registered and healthy in 1 load balancer(s)", "\(String(describing: allow))")
        }
        let states = try Self.python(moto, """
            import boto3
            kw = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
            print(" ".join(sorted(s["InstanceId"] + "=" + s["State"] for s in boto3.client("elb", **kw).describe_instance_health(LoadBalancerName="legacy")["InstanceStates"])))
            """)
        #expect(states.trimmingCharacters(in: .whitespacesAndNewlines) == prod.map { "\($0)=InService" }.joined(separator: " "), "\(states)")
    }
}
