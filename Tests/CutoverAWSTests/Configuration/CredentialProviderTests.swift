import CutoverAWS
import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The credential sources that need no STS: credential processes, the container
/// endpoint and EC2 instance metadata (played by `LoopbackHTTPStub`, since neither
/// exists off AWS and moto emulates neither), the refresh cache, and the chain's
/// precedence and messages.
@Suite struct CredentialProviderTests {
    let directory: TemporaryDirectory
    let environment: [String: String]
    /// The instant resolving happens at; stubs' credentials expire an hour later.
    static let start = Date(timeIntervalSince1970: 1_900_000_000)

    init() throws {
        directory = try TemporaryDirectory()
        environment = [
            "HOME": directory.path,
            "AWS_CONFIG_FILE": directory.path + "/config",
            "AWS_SHARED_CREDENTIALS_FILE": directory.path + "/credentials",
            "AWS_REGION": "us-east-1",
            // Never the real 169.254.169.254: a port nothing listens on.
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(closedLoopbackPort())",
        ]
    }

    func resolve(_ extra: [String: String] = [:], profile: String? = nil) throws -> AWSConfiguration {
        try AWSConfiguration.resolve(environment: environment.merging(extra) { $1 }, profile: profile, now: Self.start)
    }

    func resolveError(_ extra: [String: String] = [:], profile: String? = nil) -> String {
        switch Result(catching: { () throws(AWSConfigurationError) in
            try AWSConfiguration.resolve(environment: environment.merging(extra) { $1 }, profile: profile, now: Self.start)
        }) {
        case .success: return "(resolved)"
        case .failure(let error): return "\(error)"
        }
    }

    // MARK: - credential_process

    @Test func credentialProcessOutputIsRead() throws {
        let script = try directory.write("creds.sh", """
            #!/bin/sh
            printf '{"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": "process-secret", "SessionToken": "process-token", "Expiration": "2030-03-17T12:00:00Z"}'
            """)
        try directory.write("config", "[profile tool]\ncredential_process = sh \(script) --flag\nregion = eu-west-1\n")
        let configuration = try resolve(["AWS_PROFILE": "tool"])
        #expect(configuration.credentials.accessKeyID == "AKIDPROCESS")
        #expect(configuration.credentials.secretAccessKey == "process-secret")
        #expect(configuration.credentials.sessionToken == "process-token")
        #expect(configuration.credentials.expiration.map(AWSCredentials.timestamp) == "2030-03-17T12:00:00Z")
        #expect(configuration.credentialSource == .process(profile: "tool", setting: .file(path: directory.path + "/config", section: "profile tool", key: "credential_process")))
        #expect(configuration.credentialsProvider != nil, "credentials with an expiration are refreshed")
    }

    @Test func aCredentialProcessWithoutExpirationIsKeptForGood() throws {
        try directory.write("config", "[default]\ncredential_process = echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDFOREVER\", \"SecretAccessKey\": \"s\"}'\n")
        let configuration = try resolve()
        #expect(configuration.credentials.accessKeyID == "AKIDFOREVER")
        #expect(configuration.credentials.expiration == nil)
        #expect(configuration.credentialsProvider == nil)
    }

    @Test func aFailingCredentialProcessShowsTheTailOfItsStandardError() throws {
        try directory.write("config", """
            [default]
            credential_process = echo '{"Version": 1, "AccessKeyId": "AKIDLEAK", "SecretAccessKey": "leaked-secret"}'; echo line1 >&2; echo 'token expired: run login' >&2; exit 3
            """)
        let text = resolveError()
        #expect(text.contains("cannot get AWS credentials from credential_process of profile default"), "\(text)")
        #expect(text.contains("exited with status 3"), "\(text)")
        #expect(text.contains("token expired: run login"), "\(text)")
        #expect(!text.contains("leaked-secret"), "standard output is never shown: \(text)")
    }

    @Test func badCredentialProcessOutputIsNamedWithoutItsValues() throws {
        try directory.write("config", "[default]\ncredential_process = echo '{\"Version\": 2, \"AccessKeyId\": \"K\", \"SecretAccessKey\": \"version-two-secret\"}'\n")
        let text = resolveError()
        #expect(text.contains("its output has no \"Version\": 1"), "\(text)")
        #expect(!text.contains("version-two-secret"), "\(text)")
    }

    // MARK: - Container credentials

    @Test func containerCredentialsSendTheAuthorizationTokenAndAreRefreshed() throws {
        let counter = Counter()
        let stub = try LoopbackHTTPStub { request in
            let n = counter.next()
            guard request.path == "/v1/credentials" else { return HTTPResponse(status: 404) }
            return HTTPResponse(status: 200, body: Array(Self.credentialsJSON(key: "ASIACONTAINER\(n)", expires: Self.start.addingTimeInterval(3600 * Double(n))).utf8))
        }
        defer { stub.stop() }
        let tokenFile = try directory.write("token", "container-auth-token\n")
        let configuration = try resolve(["AWS_CONTAINER_CREDENTIALS_FULL_URI": stub.endpoint + "/v1/credentials",
                                         "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
                                         "AWS_CONTAINER_AUTHORIZATION_TOKEN": "the-file-wins"])
        #expect(configuration.credentials.accessKeyID == "ASIACONTAINER1")
        #expect(configuration.credentials.sessionToken == "token-ASIACONTAINER1")
        #expect(configuration.credentialSource == .container(url: stub.endpoint + "/v1/credentials"))
        #expect(stub.requests.map(\.method) == ["GET"])
        #expect(stub.requests.first?.headers["Authorization"] == "container-auth-token")

        // Still fresh: no new fetch. Four minutes before expiry: fetched again.
        let clock = TestClock(Self.start.addingTimeInterval(600))
        let client = AWSClient(configuration: configuration, transport: FakeTransport([Self.identity, Self.identity]),
                               retryPolicy: .none, now: { clock.now })
        _ = try STS(client).getCallerIdentity()
        #expect(stub.requests.count == 1)
        clock.now = Self.start.addingTimeInterval(3600 - 240)
        try directory.write("token", "rotated-token")
        _ = try STS(client).getCallerIdentity()
        #expect(stub.requests.count == 2)
        #expect(stub.requests.last?.headers["Authorization"] == "rotated-token", "the token file is read again")
        #expect(try client.currentCredentials().accessKeyID == "ASIACONTAINER2")
    }

    @Test func signedRequestsUseTheRefreshedCredentials() throws {
        let counter = Counter()
        let stub = try LoopbackHTTPStub { _ in
            let n = counter.next()
            return HTTPResponse(status: 200, body: Array(Self.credentialsJSON(key: "ASIAREFRESH\(n)", expires: Self.start.addingTimeInterval(3600 * Double(n))).utf8))
        }
        defer { stub.stop() }
        let configuration = try resolve(["AWS_CONTAINER_CREDENTIALS_FULL_URI": stub.endpoint + "/creds"])
        let transport = FakeTransport([Self.identity, Self.identity])
        let clock = TestClock(Self.start)
        let client = AWSClient(configuration: configuration, transport: transport, retryPolicy: .none, now: { clock.now })
        _ = try STS(client).getCallerIdentity()
        clock.now = Self.start.addingTimeInterval(3600 + 60)  // expired
        _ = try STS(client).getCallerIdentity()
        let authorizations = transport.requests.map { $0.headers["Authorization"] ?? "" }
        #expect(authorizations.count == 2)
        #expect(authorizations[0].contains("Credential=ASIAREFRESH1/"), "\(authorizations)")
        #expect(authorizations[1].contains("Credential=ASIAREFRESH2/"), "\(authorizations)")
        #expect(transport.requests[1].headers["X-Amz-Security-Token"] == "token-ASIAREFRESH2")
        #expect(client.configuration.credentials.accessKeyID == "ASIAREFRESH2", "presigning reads the current ones too")
    }

    @Test func aFullURIMustBeHTTPSOrLoopback() {
        let text = resolveError(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://credentials.example.com/creds"])
        #expect(text.contains("must use https, or http to a loopback address"), "\(text)")
        #expect(ContainerURIs.allowed("https://credentials.example.com/creds"))
        #expect(ContainerURIs.allowed("http://localhost:8080/creds"))
        #expect(ContainerURIs.allowed("http://127.0.0.5/creds"))
        #expect(ContainerURIs.allowed("http://169.254.170.23/v1/credentials"))
        #expect(!ContainerURIs.allowed("http://10.0.0.1/creds"))
    }

    @Test func aContainerEndpointThatRefusesIsAnErrorWithItsAnswer() throws {
        let stub = try LoopbackHTTPStub { _ in HTTPResponse(status: 403, body: Array("invalid authorization token".utf8)) }
        defer { stub.stop() }
        let text = resolveError(["AWS_CONTAINER_CREDENTIALS_FULL_URI": stub.endpoint + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong"])
        #expect(text.contains("cannot get AWS credentials from container credentials (\(stub.endpoint)/creds): HTTP 403: invalid authorization token"), "\(text)")
        #expect(!text.contains("wrong"), "the token is not shown: \(text)")
    }

    // MARK: - EC2 instance metadata

    @Test func instanceMetadataUsesAnIMDSv2Token() throws {
        let counter = Counter()
        let stub = try LoopbackHTTPStub { request in Self.imds(request, counter: counter) }
        defer { stub.stop() }
        let configuration = try resolve(["AWS_EC2_METADATA_SERVICE_ENDPOINT": stub.endpoint])
        #expect(configuration.credentials.accessKeyID == "ASIAIMDS1")
        #expect(configuration.credentials.sessionToken == "token-ASIAIMDS1")
        #expect(configuration.credentialSource == .instanceMetadata(role: "web-role", endpoint: stub.endpoint))
        #expect("\(configuration.credentialSource)".contains("EC2 instance metadata (role web-role"))

        let requests = stub.requests
        #expect(requests.map { "\($0.method) \($0.path)" } == [
            "PUT /latest/api/token",
            "GET /latest/meta-data/iam/security-credentials/",
            "GET /latest/meta-data/iam/security-credentials/web-role",
        ])
        #expect(requests[0].headers["X-aws-ec2-metadata-token-ttl-seconds"] == "21600")
        #expect(requests.dropFirst().allSatisfy { $0.headers["X-aws-ec2-metadata-token"] == "imds-session-1" })

        // Near expiry: a new token, then the credentials again.
        let clock = TestClock(Self.start.addingTimeInterval(3600 - 60))
        let client = AWSClient(configuration: configuration, transport: FakeTransport([Self.identity]), retryPolicy: .none, now: { clock.now })
        _ = try STS(client).getCallerIdentity()
        #expect(stub.requests.count == 6)
        #expect(stub.requests[3].method == "PUT")
        #expect(stub.requests[5].headers["X-aws-ec2-metadata-token"] == "imds-session-2")
        #expect(try client.currentCredentials().accessKeyID == "ASIAIMDS2")
    }

    /// Where the token request is refused as unsupported, the SDKs fall back to
    /// IMDSv1 (GETs without a token) unless AWS_EC2_METADATA_V1_DISABLED says not to.
    @Test func instanceMetadataFallsBackToIMDSv1UnlessTold() throws {
        let stub = try LoopbackHTTPStub { request in
            switch request.path {
            case "/latest/api/token": return HTTPResponse(status: 405)
            case "/latest/meta-data/iam/security-credentials/": return HTTPResponse(status: 200, body: Array("old-role\n".utf8))
            default:
                return HTTPResponse(status: 200, body: Array(Self.credentialsJSON(key: "ASIAVONE", expires: Self.start.addingTimeInterval(3600)).utf8))
            }
        }
        defer { stub.stop() }
        let configuration = try resolve(["AWS_EC2_METADATA_SERVICE_ENDPOINT": stub.endpoint])
        #expect(configuration.credentials.accessKeyID == "ASIAVONE")
        #expect(stub.requests.map(\.path).last == "/latest/meta-data/iam/security-credentials/old-role")
        #expect(stub.requests.dropFirst().allSatisfy { $0.headers["X-aws-ec2-metadata-token"] == nil })

        let text = resolveError(["AWS_EC2_METADATA_SERVICE_ENDPOINT": stub.endpoint, "AWS_EC2_METADATA_V1_DISABLED": "true"])
        #expect(text.contains("the token request (PUT /latest/api/token) was answered HTTP 405"), "\(text)")
    }

    @Test func aRelativeContainerURIIsOnTheECSAgentsAddress() {
        let environment = self.environment.merging(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/task-id"]) { $1 }
        let result = Result(catching: { () throws(AWSConfigurationError) in
            try AWSConfiguration.resolve(environment: environment, transport: RefusingTransport())
        })
        #expect(throws: AWSConfigurationError.credentialsFailed(source: "container credentials (http://169.254.170.2/v2/credentials/task-id)",
                                                                 reason: "refused by the test")) { try result.get() }
    }

    @Test func instanceMetadataThatDoesNotAnswerIsPassedOverAndListed() {
        let port = closedLoopbackPort()
        let text = resolveError(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(port)"])
        #expect(text.hasPrefix("no AWS credentials found (profile default); looked at:"), "\(text)")
        #expect(text.contains("EC2 instance metadata at http://127.0.0.1:\(port): not reachable"), "\(text)")
        #expect(text.contains("container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set"), "\(text)")
        #expect(text.contains("web identity: AWS_WEB_IDENTITY_TOKEN_FILE is not set"), "\(text)")
    }

    @Test func anInstanceWithoutARoleIsListed() throws {
        let stub = try LoopbackHTTPStub { request in
            request.method == "PUT" ? HTTPResponse(status: 200, body: Array("t".utf8)) : HTTPResponse(status: 404)
        }
        defer { stub.stop() }
        let text = resolveError(["AWS_EC2_METADATA_SERVICE_ENDPOINT": stub.endpoint])
        #expect(text.contains("EC2 instance metadata at \(stub.endpoint): the instance has no IAM role (attach an instance profile)"), "\(text)")
    }

    @Test func instanceMetadataCanBeSwitchedOff() throws {
        let stub = try LoopbackHTTPStub { _ in HTTPResponse(status: 500) }
        defer { stub.stop() }
        let text = resolveError(["AWS_EC2_METADATA_SERVICE_ENDPOINT": stub.endpoint, "AWS_EC2_METADATA_DISABLED": "true"])
        #expect(text.contains("EC2 instance metadata: skipped (AWS_EC2_METADATA_DISABLED=true)"), "\(text)")
        #expect(stub.requests.isEmpty)
    }

    // MARK: - Precedence

    @Test func environmentKeysComeBeforeARoleProfile() throws {
        try directory.write("config", "[profile deployer]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = nowhere\n")
        let configuration = try resolve(["AWS_PROFILE": "deployer", "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s"])
        #expect(configuration.credentials.accessKeyID == "AKIDENV")
        #expect(configuration.credentialSource == .environment("AWS_ACCESS_KEY_ID"))
    }

    @Test func profileKeysComeBeforeTheCredentialProcessAndTheContainer() throws {
        let stub = try LoopbackHTTPStub { _ in HTTPResponse(status: 500) }
        defer { stub.stop() }
        try directory.write("credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n")
        try directory.write("config", "[default]\ncredential_process = exit 1\n")
        let configuration = try resolve(["AWS_CONTAINER_CREDENTIALS_FULL_URI": stub.endpoint + "/creds"])
        #expect(configuration.credentials.accessKeyID == "AKIDFILE")
        #expect(stub.requests.isEmpty)
    }

    @Test func theContainerComesBeforeInstanceMetadata() throws {
        let container = try LoopbackHTTPStub { _ in
            HTTPResponse(status: 200, body: Array(Self.credentialsJSON(key: "ASIAFROMCONTAINER", expires: Self.start.addingTimeInterval(3600)).utf8))
        }
        defer { container.stop() }
        let counter = Counter()
        let metadata = try LoopbackHTTPStub { request in Self.imds(request, counter: counter) }
        defer { metadata.stop() }
        let configuration = try resolve(["AWS_CONTAINER_CREDENTIALS_FULL_URI": container.endpoint + "/creds",
                                         "AWS_EC2_METADATA_SERVICE_ENDPOINT": metadata.endpoint])
        #expect(configuration.credentials.accessKeyID == "ASIAFROMCONTAINER")
        #expect(metadata.requests.isEmpty)
    }

    @Test func webIdentityComesBeforeProfileKeysAndNeedsARole() throws {
        try directory.write("credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n")
        let token = try directory.write("oidc-token", "eyJ.token.sig")
        let text = resolveError(["AWS_WEB_IDENTITY_TOKEN_FILE": token])
        #expect(text == "cannot get AWS credentials from web identity token \(token) (from AWS_WEB_IDENTITY_TOKEN_FILE): "
                + "there is no role to assume: set AWS_ROLE_ARN (or role_arn in the profile)", "\(text)")
    }

    // MARK: - Role profiles that cannot work

    @Test func mfaSerialIsRefusedWithAReason() throws {
        try directory.write("config", """
            [profile admin]
            role_arn = arn:aws:iam::123456789012:role/admin
            source_profile = default
            mfa_serial = arn:aws:iam::123456789012:mfa/me
            """)
        let text = resolveError(profile: "admin")
        #expect(text.hasPrefix("cannot get AWS credentials from profile admin (role_arn in [profile admin] of \(directory.path)/config): "
                               + "the role needs an MFA code (mfa_serial in [profile admin]"), "\(text)")
        #expect(text.contains("it does not prompt for one"), "\(text)")
    }

    @Test func sourceProfileLoopsAndGapsAreErrors() throws {
        try directory.write("config", """
            [profile a]
            role_arn = arn:aws:iam::1:role/a
            source_profile = b
            [profile b]
            role_arn = arn:aws:iam::1:role/b
            source_profile = a
            [profile lonely]
            role_arn = arn:aws:iam::1:role/lonely
            [profile empty-source]
            role_arn = arn:aws:iam::1:role/x
            source_profile = nothing-here
            [profile nothing-here]
            region = us-east-1
            [profile both]
            role_arn = arn:aws:iam::1:role/x
            source_profile = a
            credential_source = Environment
            [profile odd-source]
            role_arn = arn:aws:iam::1:role/x
            credential_source = Laptop
            """)
        #expect(resolveError(profile: "a").contains("source_profile goes round in a loop: a → b → a"))
        #expect(resolveError(profile: "lonely").contains("role_arn needs source_profile"))
        #expect(resolveError(profile: "empty-source").contains("that profile has no aws_access_key_id, role_arn, web_identity_token_file, sso_session or credential_process"))
        #expect(resolveError(profile: "both").contains("sets both source_profile and credential_source"))
        #expect(resolveError(profile: "odd-source").contains("credential_source must be Environment, Ec2InstanceMetadata or EcsContainer"))
    }

    // MARK: - IAM Identity Center

    /// The portal is played by a stub: moto does not emulate it. The cache file of
    /// `sso_session = corp` is the SHA-1 of "corp" (`printf corp | sha1sum`).
    @Test func ssoRoleCredentialsComeFromThePortalWithTheCachedLogin() throws {
        let stub = try LoopbackHTTPStub { request in
            guard request.method == "GET", request.path == "/federation/credentials",
                  request.headers["x-amz-sso_bearer_token"] == "cached-sso-token" else { return HTTPResponse(status: 401) }
            let expires = Int(Self.start.addingTimeInterval(3600).timeIntervalSince1970 * 1000)
            return HTTPResponse(status: 200, body: Array("""
                {"roleCredentials": {"accessKeyId": "ASIASSO", "secretAccessKey": "sso-secret", "sessionToken": "sso-session-token", \
                "expiration": \(expires)}}
                """.utf8))
        }
        defer { stub.stop() }
        try directory.write("config", """
            [profile sso]
            sso_session = corp
            sso_account_id = 111122223333
            sso_role_name = Deployer
            [sso-session corp]
            sso_start_url = https://corp.awsapps.com/start
            sso_region = eu-west-1
            """)
        let cache = ".aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json"
        try directory.write(cache, #"{"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1", "accessToken": "cached-sso-token", "expiresAt": "2099-01-01T00:00:00Z"}"#)
        let configuration = try resolve(["AWS_ENDPOINT_URL_SSO": stub.endpoint], profile: "sso")
        #expect(configuration.credentials.accessKeyID == "ASIASSO")
        #expect(configuration.credentials.sessionToken == "sso-session-token")
        #expect(configuration.credentials.expiration == Self.start.addingTimeInterval(3600))
        #expect(configuration.credentialSource == .sso(accountID: "111122223333", roleName: "Deployer", profile: "sso"))
        let request = try #require(stub.requests.first)
        #expect(request.query == "account_id=111122223333&role_name=Deployer")
        #expect(request.headers["Authorization"] == nil, "the portal call is not signed")

        // An expired login: no call, and what to run.
        try directory.write(cache, #"{"accessToken": "cached-sso-token", "expiresAt": "2020-01-01T00:00:00Z"}"#)
        let text = resolveError(["AWS_ENDPOINT_URL_SSO": stub.endpoint], profile: "sso")
        #expect(text.contains("the login cached in \(directory.path)/\(cache) expired at 2020-01-01T00:00:00Z: run `aws sso login --profile sso`"), "\(text)")
        #expect(!text.contains("cached-sso-token"))
        #expect(stub.requests.count == 1)
    }

    @Test func anSSOSessionThatIsNotThereIsNamed() throws {
        try directory.write("config", "[profile sso]\nsso_session = missing\nsso_account_id = 1\nsso_role_name = R\n")
        let text = resolveError(profile: "sso")
        #expect(text.contains("sso_session in [profile sso] of \(directory.path)/config names [sso-session missing], which is not in"), "\(text)")
    }

    // MARK: - The refresh cache

    @Test func cachedCredentialsAreRefreshedFiveMinutesBeforeTheyExpire() throws {
        let source = CountingProvider(lifetime: 3600)
        let cache = RefreshingCredentials(source)
        let t0 = Self.start
        #expect(try cache.credentials(at: t0).accessKeyID == "KEY1")
        #expect(try cache.credentials(at: t0.addingTimeInterval(3600 - 301)).accessKeyID == "KEY1")
        #expect(source.fetches == 1)
        #expect(try cache.credentials(at: t0.addingTimeInterval(3600 - 299)).accessKeyID == "KEY2")
        #expect(source.fetches == 2)
    }

    @Test func aFailedRefreshKeepsValidCredentialsAndThrowsOnceTheyExpire() throws {
        let source = CountingProvider(lifetime: 3600)
        let cache = RefreshingCredentials(source)
        let t0 = Self.start
        _ = try cache.credentials(at: t0)
        source.failing = true
        #expect(try cache.credentials(at: t0.addingTimeInterval(3500)).accessKeyID == "KEY1", "still valid for 100 s")
        #expect(throws: AWSConfigurationError.credentialsFailed(source: "the counting provider", reason: "down")) {
            try cache.credentials(at: t0.addingTimeInterval(3601))
        }
        source.failing = false
        #expect(try cache.credentials(at: t0.addingTimeInterval(3601)).accessKeyID.hasPrefix("KEY"))
    }

    @Test func concurrentCallersShareOneRefresh() async throws {
        let source = CountingProvider(lifetime: 3600)
        let cache = RefreshingCredentials(source)
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<16 { group.addTask { try cache.credentials(at: Self.start).accessKeyID } }
            for try await key in group { #expect(key == "KEY1") }
        }
        #expect(source.fetches == 1)
    }

    // MARK: - Helpers

    static let identity = FakeTransport.xml(200, """
        <GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::1:assumed-role/r/s</Arn><UserId>U</UserId>\
        <Account>1</Account></GetCallerIdentityResult></GetCallerIdentityResponse>
        """)

    static func credentialsJSON(key: String, expires: Date) -> String {
        #"{"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "\#(key)", "SecretAccessKey": "secret-\#(key)", "#
            + #""Token": "token-\#(key)", "Expiration": "\#(AWSCredentials.timestamp(expires))"}"#
    }

    /// IMDSv2 as EC2 answers it: a token per PUT, the role only with that token; the
    /// nth credentials expire n hours after `start`.
    static func imds(_ request: LoopbackHTTPStub.Request, counter: Counter) -> HTTPResponse {
        switch (request.method, request.path) {
        case ("PUT", "/latest/api/token"):
            guard request.headers["X-aws-ec2-metadata-token-ttl-seconds"] != nil else { return HTTPResponse(status: 400) }
            let n = counter.next()
            return HTTPResponse(status: 200, body: Array("imds-session-\(n)".utf8))
        case ("GET", let path) where path.hasPrefix("/latest/meta-data/iam/security-credentials/"):
            let n = counter.current
            guard request.headers["X-aws-ec2-metadata-token"] == "imds-session-\(n)" else { return HTTPResponse(status: 401) }
            if path == "/latest/meta-data/iam/security-credentials/" { return HTTPResponse(status: 200, body: Array("web-role".utf8)) }
            guard path.hasSuffix("/web-role") else { return HTTPResponse(status: 404) }
            return HTTPResponse(status: 200, body: Array(credentialsJSON(key: "ASIAIMDS\(n)", expires: start.addingTimeInterval(3600 * Double(n))).utf8))
        default:
            return HTTPResponse(status: 404)
        }
    }
}

/// Which full URIs the container provider accepts, through the chain.
enum ContainerURIs {
    static func allowed(_ uri: String) -> Bool {
        let environment = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": uri, "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
                           "AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"]
        // A refused URI fails before any request; an accepted one fails at the request
        // (nothing answers at these addresses within the transport's timeout).
        switch Result(catching: { () throws(AWSConfigurationError) in
            try AWSConfiguration.resolve(environment: environment, transport: RefusingTransport())
        }) {
        case .success: return true
        case .failure(let error): return !"\(error)".contains("must use https")
        }
    }
}

/// A transport that answers nothing, without touching the network.
struct RefusingTransport: HTTPTransport {
    func send(_ request: HTTPRequest, timeout: Duration) -> Result<HTTPResponse, TransportFailure> {
        .failure(TransportFailure(kind: .connectionFailed, message: "refused by the test", requestMayHaveBeenSent: false))
    }
}

/// Credentials numbered by fetch, valid for `lifetime` seconds from the `now` asked at.
final class CountingProvider: CredentialsProvider, Sendable {
    private let state = Mutex<(fetches: Int, failing: Bool)>((0, false))
    let lifetime: TimeInterval

    init(lifetime: TimeInterval) { self.lifetime = lifetime }

    var fetches: Int { state.withLock { $0.fetches } }
    var failing: Bool {
        get { state.withLock { $0.failing } }
        set { state.withLock { $0.failing = newValue } }
    }

    var source: CredentialSource { .given }

    func fetch(now: Date) throws(AWSConfigurationError) -> AWSCredentials {
        let n: Int? = state.withLock { state in
            if state.failing { return nil }
            state.fetches += 1
            return state.fetches
        }
        guard let n else { throw .credentialsFailed(source: "the counting provider", reason: "down") }
        return AWSCredentials(accessKeyID: "KEY\(n)", secretAccessKey: "s", sessionToken: "t", expiration: now.addingTimeInterval(lifetime))
    }
}

/// A thread-safe count for stubs' handlers.
final class Counter: Sendable {
    private let value = Mutex(0)
    var current: Int { value.withLock { $0 } }
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let value: Mutex<Date>
    init(_ start: Date) { value = Mutex(start) }
    var now: Date {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// A loopback port nothing listens on: bound, then closed.
func closedLoopbackPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
