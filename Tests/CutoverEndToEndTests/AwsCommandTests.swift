import MotoHarness
import Testing

/// `cutover aws whoami` from the built binary, against a moto server on 127.0.0.1
/// reached through AWS_ENDPOINT_URL, and without what it needs.
@Suite(.motoServer, .serialized, .timeLimit(.minutes(5)))
struct AwsCommandTests {
    let moto: MotoServer

    init() throws {
        moto = try #require(MotoServer.current)
        try moto.reset()
    }

    func whoami(_ extra: [String: String], _ arguments: [String] = []) throws -> Pipes.Output {
        let sandbox = try Sandbox()
        var invocation = try sandbox.cutover(["aws", "whoami"] + arguments)
        invocation.environment.merge(extra) { $1 }
        return try Pipes.run(invocation)
    }

    @Test func showsTheIdentityRegionAndEndpoint() throws {
        let result = try whoami(moto.environment)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == """
            account      123456789012
            arn          arn:aws:sts::123456789012:user/moto
            user id      AKIAIOSFODNN7EXAMPLE
            region       us-east-1 (from AWS_REGION)
            endpoint     \(moto.endpoint) (from AWS_ENDPOINT_URL)
            credentials  access key ***********TING (from AWS_ACCESS_KEY_ID)

            """, "\(result)")
    }

    @Test func printsJSON() throws {
        let result = try whoami(moto.environment.merging(["AWS_ENDPOINT_URL_STS": moto.endpoint, "AWS_DEFAULT_REGION": "eu-west-1"]) { $1 },
                                ["--json", "--region", "eu-west-2"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains(#""account":"123456789012""#), "\(result)")
        #expect(result.stdout.contains(#""region":"eu-west-2","region_source":"--region""#), "\(result)")
        #expect(result.stdout.contains(#""endpoint_source":"AWS_ENDPOINT_URL_STS""#), "\(result)")
    }

    @Test func withoutCredentialsSaysWhereItLooked() throws {
        let result = try whoami(["AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": moto.endpoint, "AWS_EC2_METADATA_DISABLED": "true"])
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("cutover: no AWS credentials found (profile default); looked at:"), "\(result)")
        #expect(result.stderr.contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"), "\(result)")
        #expect(result.stderr.contains("/.aws/credentials: no such file"), "\(result)")
    }

    @Test func withoutARegionSaysHowToSetOne() throws {
        var environment = moto.environment
        environment["AWS_REGION"] = nil
        let result = try whoami(environment)
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("no AWS region configured"), "\(result)")
        #expect(result.stderr.contains("Set AWS_REGION"), "\(result)")
    }

    @Test func aMalformedRegionIsRefused() throws {
        let result = try whoami(moto.environment.merging(["AWS_REGION": "US East"]) { $1 })
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("'US East' (from AWS_REGION) is not a region name"), "\(result)")
    }

    /// With moto checking signatures, an access key it does not know is refused.
    @Test func refusedCredentialsAreAnAWSError() throws {
        try moto.call("POST", "/moto-api/reset-auth", body: "0")
        defer { _ = try? moto.call("POST", "/moto-api/reset-auth", body: "inf") }
        let result = try whoami(moto.environment)
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.hasPrefix("cutover: STS GetCallerIdentity: InvalidClientTokenId — "), "\(result)")
        #expect(result.stderr.contains("hint: the credentials (AKIDMOTOTESTING from AWS_ACCESS_KEY_ID) were refused"), "\(result)")
    }

    @Test func anEndpointWithNothingListeningExitsWith3() throws {
        let result = try whoami(moto.environment.merging(["AWS_ENDPOINT_URL": "http://127.0.0.1:9"]) { $1 })
        #expect(result.status == 3, "\(result)")
        #expect(result.stderr.contains("STS GetCallerIdentity: could not reach http://127.0.0.1:9"), "\(result)")
        #expect(result.stderr.contains("(after 3 attempts)"), "\(result)")
        #expect(result.stderr.contains("hint: is something listening at http://127.0.0.1:9 (from AWS_ENDPOINT_URL)?"), "\(result)")
    }
}

/// One moto server for the suite (started before its first test, its process group
/// stopped after the last), read through `MotoServer.current`.
struct MotoServerTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try MotoServer.start()
        defer { server.stop() }
        try await MotoServer.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == MotoServerTrait {
    static var motoServer: MotoServerTrait { MotoServerTrait() }
}
