import CutoverAWS
import Foundation
import MotoHarness
import Testing

/// AssumeRole and AssumeRoleWithWebIdentity through the credential chain, against
/// moto (which implements both, and answers GetCallerIdentity for the assumed role's
/// keys with its assumed-role ARN). Requests go through a recording transport so the
/// tests can see what was signed with what.
@Suite(.moto, .serialized)
struct RoleCredentialsMotoTests {
    let moto: MotoServer
    let directory: TemporaryDirectory
    let environment: [String: String]

    init() throws {
        moto = try #require(MotoServer.current, "the suite's .moto trait starts the server")
        try moto.reset()
        directory = try TemporaryDirectory()
        environment = [
            "HOME": directory.path,
            "AWS_CONFIG_FILE": directory.path + "/config",
            "AWS_SHARED_CREDENTIALS_FILE": directory.path + "/credentials",
            "AWS_ENDPOINT_URL": moto.endpoint, "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        ]
    }

    func resolve(_ extra: [String: String] = [:], profile: String? = nil,
                 transport: RecordingTransport) throws -> AWSConfiguration {
        try AWSConfiguration.resolve(environment: environment.merging(extra) { $1 }, profile: profile, transport: transport)
    }

    @Test func assumesTheRoleOfAProfileWithItsSourceProfile() throws {
        try directory.write("credentials", "[base]\naws_access_key_id = AKIDBASEKEY\naws_secret_access_key = base-secret\n")
        try directory.write("config", """
            [profile deployer]
            role_arn = arn:aws:iam::123456789012:role/deployer
            source_profile = base
            role_session_name = ci-run
            external_id = ext-42
            duration_seconds = 1800
            """)
        let transport = RecordingTransport()
        let before = Date()
        let configuration = try resolve(["AWS_PROFILE": "deployer"], transport: transport)

        let forms = transport.forms
        #expect(forms.count == 1)
        #expect(forms.first?["Action"] == "AssumeRole")
        #expect(forms.first?["RoleArn"] == "arn:aws:iam::123456789012:role/deployer")
        #expect(forms.first?["RoleSessionName"] == "ci-run")
        #expect(forms.first?["ExternalId"] == "ext-42")
        #expect(forms.first?["DurationSeconds"] == "1800")
        #expect(transport.requests.first?.headers["Authorization"]?.contains("Credential=AKIDBASEKEY/") == true)

        let credentials = configuration.credentials
        #expect(credentials.accessKeyID != "AKIDBASEKEY")
        #expect(credentials.sessionToken != nil)
        let lifetime = try #require(credentials.expiration).timeIntervalSince(before)
        #expect(lifetime > 1700 && lifetime < 1900, "DurationSeconds 1800 → expires in about 30 minutes: \(lifetime)")
        #expect(configuration.credentialsProvider != nil)
        #expect(configuration.credentialSource == .assumedRole(
            roleARN: "arn:aws:iam::123456789012:role/deployer", profile: "deployer",
            source: .file(path: directory.path + "/credentials", section: "base", key: "aws_access_key_id")))

        // Calls are signed with the role's credentials: moto knows whose they are.
        let client = AWSClient(configuration: configuration, transport: transport, retryPolicy: .none)
        let identity = try STS(client).getCallerIdentity()
        #expect(identity.arn == "arn:aws:sts::123456789012:assumed-role/deployer/ci-run")
        #expect(transport.requests.last?.headers["Authorization"]?.contains("Credential=\(credentials.accessKeyID)/") == true)
        #expect(transport.requests.last?.headers["X-Amz-Security-Token"] == credentials.sessionToken)
    }

    /// b's role is assumed with a's role's credentials, a's with base's keys.
    @Test func chainsSourceProfiles() throws {
        try directory.write("credentials", "[base]\naws_access_key_id = AKIDCHAINBASE\naws_secret_access_key = s\n")
        try directory.write("config", """
            [profile a]
            role_arn = arn:aws:iam::123456789012:role/first
            source_profile = base
            role_session_name = hop1
            [profile b]
            role_arn = arn:aws:iam::123456789012:role/second
            source_profile = a
            role_session_name = hop2
            """)
        let transport = RecordingTransport()
        let configuration = try resolve(profile: "b", transport: transport)
        #expect(transport.forms.map { $0["RoleArn"] } == ["arn:aws:iam::123456789012:role/first", "arn:aws:iam::123456789012:role/second"])
        let authorizations = transport.requests.map { $0.headers["Authorization"] ?? "" }
        #expect(authorizations[0].contains("Credential=AKIDCHAINBASE/"))
        #expect(!authorizations[1].contains("Credential=AKIDCHAINBASE/"), "the second hop is signed with the first role's keys")
        #expect(transport.requests[1].headers["X-Amz-Security-Token"] != nil)
        guard case .assumedRole(let role, "b", .assumedRole(let inner, "a", .file(_, "base", _))) = configuration.credentialSource else {
            Issue.record("unexpected source \(configuration.credentialSource)")
            return
        }
        #expect(role.hasSuffix("role/second") && inner.hasSuffix("role/first"))

        let identity = try STS(AWSClient(configuration: configuration, transport: transport, retryPolicy: .none)).getCallerIdentity()
        #expect(identity.arn == "arn:aws:sts::123456789012:assumed-role/second/hop2")
    }

    /// `--profile` skips environment keys as a source, but `credential_source =
    /// Environment` still uses them to assume the role.
    @Test func credentialSourceEnvironmentSignsWithTheEnvironmentKeys() throws {
        try directory.write("config", "[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/ci\ncredential_source = Environment\n")
        let transport = RecordingTransport()
        let configuration = try resolve(["AWS_ACCESS_KEY_ID": "AKIDFROMENV", "AWS_SECRET_ACCESS_KEY": "s"], profile: "ci", transport: transport)
        #expect(transport.requests.first?.headers["Authorization"]?.contains("Credential=AKIDFROMENV/") == true)
        #expect(configuration.credentialSource == .assumedRole(roleARN: "arn:aws:iam::123456789012:role/ci", profile: "ci",
                                                               source: .environment("AWS_ACCESS_KEY_ID")))
        #expect(configuration.credentialSource.phrase.hasPrefix("assumed role arn:aws:iam::123456789012:role/ci from profile ci"))
    }

    @Test func webIdentityFromTheEnvironmentIsUnsignedAndRereadsItsToken() throws {
        let token = try directory.write("oidc/token", "eyJhbGciOiJSUzI1NiJ9.first.sig\n")
        let transport = RecordingTransport()
        let configuration = try resolve(["AWS_WEB_IDENTITY_TOKEN_FILE": token, "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/github",
                                         "AWS_ROLE_SESSION_NAME": "gha-1234"], transport: transport)
        let request = try #require(transport.requests.first)
        #expect(request.headers["Authorization"] == nil, "AssumeRoleWithWebIdentity is not signed")
        #expect(Form.fields(request.body)["Action"] == "AssumeRoleWithWebIdentity")
        #expect(Form.fields(request.body)["WebIdentityToken"] == "eyJhbGciOiJSUzI1NiJ9.first.sig")
        #expect(Form.fields(request.body)["RoleSessionName"] == "gha-1234")
        #expect(configuration.credentialSource == .webIdentity(roleARN: "arn:aws:iam::123456789012:role/github", tokenFile: token,
                                                               setting: .environment("AWS_WEB_IDENTITY_TOKEN_FILE")))
        let first = configuration.credentials
        #expect(first.sessionToken != nil && first.expiration != nil)

        let identity = try STS(AWSClient(configuration: configuration, transport: transport, retryPolicy: .none)).getCallerIdentity()
        #expect(identity.arn == "arn:aws:sts::123456789012:assumed-role/github/gha-1234")

        // The token's writer rotates it; a refresh (here: past expiry) reads the new one.
        try directory.write("oidc/token", "eyJhbGciOiJSUzI1NiJ9.second.sig")
        let provider = try #require(configuration.credentialsProvider)
        let later = try provider.credentials(at: try #require(first.expiration).addingTimeInterval(60))
        #expect(later.accessKeyID != first.accessKeyID)
        #expect(Form.fields(transport.requests.last!.body)["WebIdentityToken"] == "eyJhbGciOiJSUzI1NiJ9.second.sig")
    }

    @Test func webIdentityFromAProfile() throws {
        let token = try directory.write("eks-token", "eks.token.value")
        try directory.write("config", "[profile eks]\nrole_arn = arn:aws:iam::123456789012:role/irsa\nweb_identity_token_file = \(token)\n")
        let transport = RecordingTransport()
        let configuration = try resolve(["AWS_PROFILE": "eks"], transport: transport)
        #expect(Form.fields(transport.requests.first?.body ?? [])["RoleArn"] == "arn:aws:iam::123456789012:role/irsa")
        #expect(configuration.credentialSource == .webIdentity(
            roleARN: "arn:aws:iam::123456789012:role/irsa", tokenFile: token,
            setting: .file(path: directory.path + "/config", section: "profile eks", key: "web_identity_token_file")))
    }

    /// STS's refusal is the error, named with the role and profile; no secret in it.
    @Test func aRefusedAssumeRoleSaysWhichRoleAndWhy() throws {
        try directory.write("credentials", "[base]\naws_access_key_id = AKIDREFUSED\naws_secret_access_key = refused-secret\n")
        try directory.write("config", "[profile deployer]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = base\n")
        // moto lets anyone assume any role, so STS's refusal is played by a stub.
        let transport = RecordingTransport()
        let stub = try LoopbackHTTPStub { _ in
            HTTPResponse(status: 403, body: Array("""
                <ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: \
                sts:AssumeRole</Message></Error><RequestId>r-1</RequestId></ErrorResponse>
                """.utf8))
        }
        defer { stub.stop() }
        let result = Result(catching: { () throws(AWSConfigurationError) in
            try AWSConfiguration.resolve(environment: environment.merging(["AWS_PROFILE": "deployer", "AWS_ENDPOINT_URL_STS": stub.endpoint]) { $1 },
                                         transport: transport)
        })
        guard case .failure(let error) = result else {
            Issue.record("resolved despite the refusal")
            return
        }
        let text = "\(error)"
        #expect(text.hasPrefix("cannot get AWS credentials from assuming role arn:aws:iam::123456789012:role/deployer (profile deployer): "), "\(text)")
        #expect(text.contains("AccessDenied"), "\(text)")
        #expect(!text.contains("refused-secret"), "\(text)")
    }
}
