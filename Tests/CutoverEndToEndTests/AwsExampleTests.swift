import Foundation
import MotoHarness
import Testing

/// The AWS examples from the built binary against a moto server reached through
/// AWS_ENDPOINT_URL. What the examples expect to exist (a function with two published
/// versions and an alias, an alarm) is made first with boto3, which moto's server
/// brings with it.
@Suite(.motoServer, .serialized)
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

    /// A missing alias is CodeDeploy's error, with AWS's code behind it.
    @Test func aMissingAliasIsAClearError() throws {
        let run = try example(["checkout", "nope"])
        #expect(run.status == 1, "\(run)")
        #expect(run.stderr.contains("INVALID_LAMBDA_CONFIGURATION: Lambda GetAlias: ResourceNotFoundException"), "\(run)")
    }
}
