import CutoverAWS
import Testing

/// The credential and region chains, with the environment given as a dictionary and
/// the shared files written to a temporary directory.
@Suite struct CredentialChainTests {
    let directory: TemporaryDirectory
    let environment: [String: String]

    init() throws {
        directory = try TemporaryDirectory()
        environment = [
            "HOME": directory.path,  // ~/.aws/… would be here; the tests use explicit paths
            "AWS_CONFIG_FILE": directory.path + "/config",
            "AWS_SHARED_CREDENTIALS_FILE": directory.path + "/credentials",
            "AWS_EC2_METADATA_DISABLED": "true",  // never wait for 169.254.169.254
        ]
    }

    func resolve(_ extra: [String: String] = [:], profile: String? = nil, region: String? = nil) throws -> AWSConfiguration {
        try AWSConfiguration.resolve(environment: environment.merging(extra) { $1 }, profile: profile, region: region)
    }

    @Test func environmentCredentialsComeFirst() throws {
        try directory.write("credentials", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n")
        let configuration = try resolve(["AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret",
                                         "AWS_SESSION_TOKEN": "token", "AWS_REGION": "eu-west-1"])
        #expect(configuration.credentials == AWSCredentials(accessKeyID: "ENVKEY", secretAccessKey: "envsecret", sessionToken: "token"))
        #expect(configuration.credentialSource == .environment("AWS_ACCESS_KEY_ID"))
    }

    @Test func credentialsFileThenConfigFile() throws {
        try directory.write("credentials", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\naws_session_token = t\n")
        try directory.write("config", "[default]\nregion = eu-central-1\n[profile cfg]\naws_access_key_id = CFGKEY\naws_secret_access_key = cfgsecret\nregion = ap-south-1\n")
        let fromCredentials = try resolve()
        #expect(fromCredentials.credentials == AWSCredentials(accessKeyID: "FILEKEY", secretAccessKey: "filesecret", sessionToken: "t"))
        #expect(fromCredentials.credentialSource == .file(path: directory.path + "/credentials", section: "default", key: "aws_access_key_id"))
        #expect(fromCredentials.region == "eu-central-1")

        let fromConfig = try resolve(["AWS_PROFILE": "cfg"])
        #expect(fromConfig.credentials.accessKeyID == "CFGKEY")
        #expect(fromConfig.profile == "cfg")
        #expect(fromConfig.region == "ap-south-1")
        #expect(fromConfig.regionSource == .file(path: directory.path + "/config", section: "profile cfg", key: "region"))
    }

    /// `[profile x]` in the config file, `[x]` in the credentials file: a `[dev]`
    /// section in the config file is not the dev profile.
    @Test func profileSectionsAreNamedDifferentlyInTheTwoFiles() throws {
        try directory.write("config", "[dev]\nregion = us-west-1\n[profile dev]\nregion = us-west-2\n")
        try directory.write("credentials", "[profile dev]\naws_access_key_id = WRONG\naws_secret_access_key = wrong\n[dev]\naws_access_key_id = RIGHT\naws_secret_access_key = right\n")
        let configuration = try resolve(profile: "dev")
        #expect(configuration.credentials.accessKeyID == "RIGHT")
        #expect(configuration.region == "us-west-2")
    }

    /// `--profile` means that profile, even with keys in the environment; `AWS_PROFILE`
    /// does not override environment keys (as the AWS CLI behaves).
    @Test func anExplicitProfileSkipsTheEnvironmentButAWSProfileDoesNot() throws {
        try directory.write("credentials", "[ci]\naws_access_key_id = CIKEY\naws_secret_access_key = cisecret\n")
        let keys = ["AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_REGION": "us-east-1"]
        #expect(try resolve(keys, profile: "ci").credentials.accessKeyID == "CIKEY")
        #expect(try resolve(keys.merging(["AWS_PROFILE": "ci"]) { $1 }).credentials.accessKeyID == "ENVKEY")
    }

    @Test func noCredentialsNamesEverythingThatWasLookedAt() throws {
        let error = #expect(throws: AWSConfigurationError.self) { try resolve(["AWS_REGION": "us-east-1"]) }
        let text = error.map(String.init(describing:)) ?? ""
        #expect(text.contains("no AWS credentials found (profile default)"))
        #expect(text.contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"))
        #expect(text.contains(directory.path + "/credentials: no such file"))
        #expect(text.contains(directory.path + "/config: no such file"))
        #expect(text.contains("Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"))
    }

    @Test func noCredentialsListsTheNewPlacesToo() throws {
        let error = #expect(throws: AWSConfigurationError.self) { try resolve(["AWS_REGION": "us-east-1"]) }
        let text = error.map(String.init(describing:)) ?? ""
        #expect(text.contains("web identity: AWS_WEB_IDENTITY_TOKEN_FILE is not set"), "\(text)")
        #expect(text.contains("container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set"), "\(text)")
        #expect(text.contains("EC2 instance metadata: skipped (AWS_EC2_METADATA_DISABLED=true)"), "\(text)")
    }

    /// The older SSO form (start URL in the profile): its cache file is named by the
    /// SHA-1 of the start URL (`printf %s URL | sha1sum`).
    @Test func anSSOProfileWithoutACachedLoginSaysToLogIn() throws {
        try directory.write("config", """
            [profile admin]
            sso_start_url = https://corp.awsapps.com/start
            sso_region = eu-west-1
            sso_account_id = 111122223333
            sso_role_name = Admin
            region = us-east-1
            """)
        let error = #expect(throws: AWSConfigurationError.self) { try resolve(profile: "admin") }
        #expect("\(error!)" == "cannot get AWS credentials from IAM Identity Center role Admin in account 111122223333 (profile admin): "
                + "no cached login in \(directory.path)/.aws/sso/cache/a51746d4aa793ae07b25e90c3a5db96fc7832bd7.json: "
                + "run `aws sso login --profile admin`", "\(error!)")
    }

    @Test func aConsoleLoginProfileIsNamedAsUnsupported() throws {
        try directory.write("config", "[profile web]\nlogin_session = arn:aws:iam::1:user/me\nregion = us-east-1\n")
        let error = #expect(throws: AWSConfigurationError.self) { try resolve(profile: "web") }
        #expect("\(error!)".contains("uses login_session (console login), which Cutover does not follow"))
        #expect("\(error!)".contains("aws configure export-credentials --profile web"))
    }

    @Test func halfAKeyPairIsAnError() {
        #expect(throws: AWSConfigurationError.incompleteCredentials(where: "the environment", missing: "AWS_SECRET_ACCESS_KEY (AWS_ACCESS_KEY_ID is set)")) {
            try resolve(["AWS_ACCESS_KEY_ID": "K", "AWS_REGION": "us-east-1"])
        }
    }

    @Test func aMissingNamedProfileIsAnErrorListingTheOthers() throws {
        try directory.write("credentials", "[default]\naws_access_key_id = K\naws_secret_access_key = s\n[staging]\naws_access_key_id = K\naws_secret_access_key = s\n")
        let error = #expect(throws: AWSConfigurationError.self) { try resolve(["AWS_PROFILE": "prod", "AWS_REGION": "us-east-1"]) }
        #expect("\(error!)".contains("AWS profile 'prod' (from AWS_PROFILE) is in neither"))
        #expect("\(error!)".contains("defined profiles: default, staging"))
    }

    @Test func regionPrecedence() throws {
        try directory.write("config", "[default]\nregion = eu-west-3\n")
        let keys = ["AWS_ACCESS_KEY_ID": "K", "AWS_SECRET_ACCESS_KEY": "s"]
        #expect(try resolve(keys).region == "eu-west-3")
        #expect(try resolve(keys.merging(["AWS_DEFAULT_REGION": "eu-west-2"]) { $1 }).region == "eu-west-2")
        let both = try resolve(keys.merging(["AWS_DEFAULT_REGION": "eu-west-2", "AWS_REGION": "eu-west-1"]) { $1 })
        #expect(both.region == "eu-west-1")
        #expect(both.regionSource == .environment("AWS_REGION"))
        let argument = try resolve(keys.merging(["AWS_REGION": "eu-west-1"]) { $1 }, region: "sa-east-1")
        #expect(argument.region == "sa-east-1")
        #expect(argument.regionSource == .argument("--region"))
    }

    @Test func noRegionAndABadRegionAreClearErrors() throws {
        let keys = ["AWS_ACCESS_KEY_ID": "K", "AWS_SECRET_ACCESS_KEY": "s"]
        let error = #expect(throws: AWSConfigurationError.self) { try resolve(keys) }
        #expect("\(error!)".contains("no AWS region configured"))
        #expect("\(error!)".contains("AWS_REGION: not set"))
        #expect("\(error!)".contains("Set AWS_REGION"))
        #expect(throws: AWSConfigurationError.invalidRegion("US_EAST_1", source: "AWS_REGION")) {
            try resolve(keys.merging(["AWS_REGION": "US_EAST_1"]) { $1 })
        }
    }

    /// AWS_MAX_ATTEMPTS, else the profile's max_attempts, as the AWS SDKs read them.
    @Test func maxAttemptsFromTheEnvironmentThenTheProfile() throws {
        let keys = ["AWS_ACCESS_KEY_ID": "K", "AWS_SECRET_ACCESS_KEY": "s", "AWS_REGION": "us-east-1"]
        #expect(try resolve(keys).maxAttempts == nil)
        try directory.write("config", "[default]\nmax_attempts = 7\n")
        #expect(try resolve(keys).maxAttempts == 7)
        #expect(try resolve(keys.merging(["AWS_MAX_ATTEMPTS": "2"]) { $1 }).maxAttempts == 2)
        #expect(throws: AWSConfigurationError.invalidMaxAttempts("0", source: "AWS_MAX_ATTEMPTS")) {
            try resolve(keys.merging(["AWS_MAX_ATTEMPTS": "0"]) { $1 })
        }
        try directory.write("config", "[default]\nmax_attempts = lots\n")
        let error = #expect(throws: AWSConfigurationError.self) { try resolve(keys) }
        #expect("\(error!)".contains("max attempts 'lots' (from max_attempts in [default] of \(directory.path)/config)"), "\(error!)")
    }

    @Test func credentialsNeverShowTheirSecret() {
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "very-secret", sessionToken: "token-secret")
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in ["\(credentials)", String(reflecting: credentials), dumped] {
            #expect(!text.contains("very-secret") && !text.contains("token-secret"), "\(text)")
        }
    }
}
