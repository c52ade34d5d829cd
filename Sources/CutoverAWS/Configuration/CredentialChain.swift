import Foundation

/// Finds credentials the way the AWS CLI and SDKs do, stopping at the first source
/// that is configured:
///
/// 1. the environment: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, for temporary
///    credentials, `AWS_SESSION_TOKEN` (or the older `AWS_SECURITY_TOKEN`) — skipped
///    when the profile was given explicitly (`--profile`), which means "use that
///    profile"; `AWS_PROFILE` does not skip it;
/// 2. the profile's `role_arn`: STS AssumeRole signed with the credentials of its
///    `source_profile` (which may assume a role in turn) or its `credential_source`
///    (`Environment`, `Ec2InstanceMetadata`, `EcsContainer`), with its
///    `role_session_name`, `external_id` and `duration_seconds`; `mfa_serial` is
///    refused (nobody is at a terminal to type a code);
/// 3. web identity: `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN` (and
///    `AWS_ROLE_SESSION_NAME`), or the profile's `web_identity_token_file` and
///    `role_arn`: STS AssumeRoleWithWebIdentity, unsigned;
/// 3½. IAM Identity Center: the profile's `sso_session` (or `sso_start_url`),
///    `sso_account_id` and `sso_role_name`, with the login `aws sso login` cached;
/// 4. the profile's keys in the shared credentials file (`[NAME]`), then in the config
///    file (`[profile NAME]`);
/// 5. the profile's `credential_process`;
/// 6. the container endpoint (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `…_FULL_URI`);
/// 7. EC2 instance metadata (IMDSv2), unless `AWS_EC2_METADATA_DISABLED=true`.
///
/// A source that is configured but fails is an error (`credentialsFailed`); only
/// instance metadata, which needs no configuration, is passed over when it does not
/// answer. Console-login profiles (`login_session`) are recognised and named in the
/// error, not followed.
public enum CredentialChain {
    /// What the chain found: the first credentials, their source, and for temporary
    /// credentials the provider that refreshes them.
    public struct Resolution: Sendable {
        public let credentials: AWSCredentials
        public let source: CredentialSource
        public let refreshing: RefreshingCredentials?
    }

    /// What resolving needs besides the profile: the files, the environment, STS's
    /// settings and the time.
    struct Context {
        let environment: [String: String]
        let files: SharedConfig
        let sts: STSSettings
        let now: Date
    }

    static func resolve(environment: [String: String], profile: String, explicitProfile: Bool, files: SharedConfig,
                        sts: STSSettings, now: Date) throws(AWSConfigurationError) -> Resolution {
        let context = Context(environment: environment, files: files, sts: sts, now: now)
        let settings = ProfileSettings(profile: profile, files: files)
        var looked: [String] = []

        // 1. The environment's keys.
        if explicitProfile {
            looked.append("the environment: skipped, because the profile was given explicitly")
        } else if let provider = try environmentKeys(environment) {
            return try found(provider, now)
        } else {
            looked.append("the environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
        }

        // 2. A role to assume with the credentials of another source.
        if settings.has("role_arn"), settings.has("source_profile") || settings.has("credential_source")
            || !(settings.has("web_identity_token_file") || nonEmpty(environment["AWS_WEB_IDENTITY_TOKEN_FILE"]) != nil) {
            return try found(roleProvider(settings, visited: [profile], context), now)
        }

        // 3. Web identity.
        if let provider = try webIdentityProvider(settings, context, useEnvironment: true) {
            return try found(provider, now)
        }
        looked.append("web identity: AWS_WEB_IDENTITY_TOKEN_FILE is not set")

        // 3½. IAM Identity Center.
        if let provider = try SSOCredentialsProvider.configured(settings, environment: environment, endpoints: sts.endpoints,
                                                                transport: sts.transport) {
            return try found(provider, now)
        }

        // 4. The profile's keys, credentials file first.
        var unsupported: [String] = []
        let places: [(path: String, exists: Bool, header: String, section: ConfigFile.Section?)] = [
            (files.credentialsPath, files.credentials != nil, profile, files.credentialsSection(profile)),
            (files.configPath, files.config != nil, files.configSection(profile)?.header ?? (profile == "default" ? "default" : "profile \(profile)"),
             files.configSection(profile)?.section),
        ]
        for place in places {
            guard place.exists else {
                looked.append("\(place.path): no such file")
                continue
            }
            guard let section = place.section else {
                looked.append("\(place.path): no [\(place.header)] section")
                continue
            }
            if let provider = try keys(in: section, path: place.path, header: place.header) { return try found(provider, now) }
            looked.append("[\(place.header)] in \(place.path): no aws_access_key_id")
            for (setting, meaning) in otherProviders where section.settings[setting] != nil {
                unsupported.append("[\(place.header)] in \(place.path) uses \(setting) (\(meaning)), which Cutover does not follow; "
                    + "export temporary credentials instead: `eval \"$(aws configure export-credentials --profile \(profile) --format env)\"`")
            }
        }

        // 5. A credential process.
        if let (command, setting) = settings.value("credential_process") {
            return try found(ProcessCredentialsProvider(command: command, profile: profile, setting: setting), now)
        }
        if settings.exists { looked.append("profile \(profile): no role_arn, web_identity_token_file, sso_session or credential_process") }
        // A profile meant for another way of logging in: say so rather than fall back
        // to whatever role the machine has.
        if !unsupported.isEmpty { throw .noCredentials(profile: profile, lookedAt: looked + unsupported) }

        // 6. The container endpoint.
        if let container = try ContainerCredentialsProvider.configured(environment, transport: sts.transport) {
            return try found(container, now)
        }
        looked.append("container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set")

        // 7. Instance metadata: tried, and passed over when it does not answer.
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            looked.append("EC2 instance metadata: skipped (AWS_EC2_METADATA_DISABLED=true)")
        } else {
            let metadata = try InstanceMetadataProvider.configured(environment, profile: settings)
            switch Result(catching: { () throws(AWSConfigurationError) in try found(InstanceMetadataCredentials(metadata), now) }) {
            case .success(let resolution): return resolution
            case .failure(.credentialsFailed(_, let reason)): looked.append("EC2 instance metadata at \(metadata.endpoint.url): \(reason)")
            case .failure(let error): throw error
            }
        }
        throw .noCredentials(profile: profile, lookedAt: looked)
    }

    /// Fetches the first credentials; temporary ones get a provider that refreshes them.
    private static func found(_ provider: any CredentialsProvider, _ now: Date) throws(AWSConfigurationError) -> Resolution {
        let credentials = try provider.fetch(now: now)
        let refreshing = credentials.expiration == nil ? nil : RefreshingCredentials(provider, initial: credentials)
        return Resolution(credentials: credentials, source: provider.source, refreshing: refreshing)
    }

    // MARK: - Sources

    static func environmentKeys(_ environment: [String: String]) throws(AWSConfigurationError) -> StaticCredentialsProvider? {
        switch (nonEmpty(environment["AWS_ACCESS_KEY_ID"]), nonEmpty(environment["AWS_SECRET_ACCESS_KEY"])) {
        case (let key?, let secret?):
            let token = nonEmpty(environment["AWS_SESSION_TOKEN"]) ?? nonEmpty(environment["AWS_SECURITY_TOKEN"])
            return StaticCredentialsProvider(AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token),
                                             source: .environment("AWS_ACCESS_KEY_ID"))
        case (.some, nil):
            throw .incompleteCredentials(where: "the environment", missing: "AWS_SECRET_ACCESS_KEY (AWS_ACCESS_KEY_ID is set)")
        case (nil, .some):
            throw .incompleteCredentials(where: "the environment", missing: "AWS_ACCESS_KEY_ID (AWS_SECRET_ACCESS_KEY is set)")
        case (nil, nil):
            return nil
        }
    }

    /// The keys of one section; nil when it has none.
    static func keys(in section: ConfigFile.Section, path: String, header: String) throws(AWSConfigurationError) -> StaticCredentialsProvider? {
        switch (nonEmpty(section.settings["aws_access_key_id"]), nonEmpty(section.settings["aws_secret_access_key"])) {
        case (let key?, let secret?):
            let token = nonEmpty(section.settings["aws_session_token"]) ?? nonEmpty(section.settings["aws_security_token"])
            return StaticCredentialsProvider(AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token),
                                             source: .file(path: path, section: header, key: "aws_access_key_id"))
        case (.some, nil):
            throw .incompleteCredentials(where: "[\(header)] in \(path)", missing: "aws_secret_access_key")
        case (nil, .some):
            throw .incompleteCredentials(where: "[\(header)] in \(path)", missing: "aws_access_key_id")
        case (nil, nil):
            return nil
        }
    }

    /// A profile's keys, credentials file first; nil when neither file has them.
    static func keys(of settings: ProfileSettings) throws(AWSConfigurationError) -> StaticCredentialsProvider? {
        let files = settings.files
        if let section = files.credentialsSection(settings.profile),
           let provider = try keys(in: section, path: files.credentialsPath, header: settings.profile) {
            return provider
        }
        if let (header, section) = files.configSection(settings.profile) {
            return try keys(in: section, path: files.configPath, header: header)
        }
        return nil
    }

    /// AssumeRole for the profile's `role_arn`; `visited` are the profiles on the way
    /// here (a `source_profile` loop is an error).
    static func roleProvider(_ settings: ProfileSettings, visited: [String], _ context: Context) throws(AWSConfigurationError) -> AssumeRoleProvider {
        let profile = settings.profile
        guard let (role, roleSetting) = settings.value("role_arn") else {
            preconditionFailure("roleProvider needs a profile with role_arn")
        }
        let place = "profile \(profile) (\(roleSetting))"
        if let (_, mfaSetting) = settings.value("mfa_serial") {
            throw .credentialsFailed(source: place, reason: "the role needs an MFA code (\(mfaSetting)), and Cutover runs unattended: "
                + "it does not prompt for one. Use a profile without mfa_serial, or export temporary credentials "
                + "(`eval \"$(aws configure export-credentials --profile \(profile) --format env)\"`)")
        }
        let sourceProvider: any CredentialsProvider
        switch (settings.value("source_profile"), settings.value("credential_source")) {
        case (.some, .some):
            throw .credentialsFailed(source: place, reason: "the profile sets both source_profile and credential_source; keep one")
        case (nil, nil):
            throw .credentialsFailed(source: place, reason: "role_arn needs source_profile (a profile whose credentials assume the role), "
                + "credential_source (Environment, Ec2InstanceMetadata or EcsContainer) or web_identity_token_file")
        case (let (name, _)?, nil) where name == profile:
            // A profile that is its own source: its keys assume its role (as botocore allows).
            guard let keys = try keys(of: settings) else {
                throw .credentialsFailed(source: place, reason: "source_profile names the profile itself, which has no aws_access_key_id")
            }
            sourceProvider = keys
        case (let (name, setting)?, nil):
            if visited.contains(name) {
                throw .credentialsFailed(source: place, reason: "source_profile goes round in a loop: "
                                         + (visited + [name]).joined(separator: " → "))
            }
            sourceProvider = try profileSource(ProfileSettings(profile: name, files: context.files), named: setting,
                                               visited: visited + [name], context)
        case (nil, let (kind, setting)?):
            sourceProvider = try credentialSource(kind, setting: setting, settings: settings, context)
        }
        var duration: Int?
        if let (text, setting) = settings.value("duration_seconds") {
            guard let seconds = Int(text), (900...43_200).contains(seconds) else {
                throw .credentialsFailed(source: place, reason: "duration_seconds '\(text)' (\(setting)) is not a whole number of seconds "
                                         + "from 900 (15 minutes) to 43200 (12 hours)")
            }
            duration = seconds
        }
        return AssumeRoleProvider(roleARN: role, profile: profile,
                                  sessionName: settings.value("role_session_name")?.0 ?? defaultSessionName(context.now),
                                  externalID: settings.value("external_id")?.0, durationSeconds: duration,
                                  sourceCredentials: RefreshingCredentials(sourceProvider), sts: context.sts)
    }

    /// The credentials of a `source_profile`: its own role (chained), its web identity,
    /// its keys or its credential process.
    static func profileSource(_ settings: ProfileSettings, named setting: SettingSource, visited: [String],
                              _ context: Context) throws(AWSConfigurationError) -> any CredentialsProvider {
        let name = settings.profile
        guard settings.exists else {
            throw .credentialsFailed(source: "source_profile \(name) (\(setting))", reason: "there is no such profile in "
                                     + "\(context.files.credentialsPath) or \(context.files.configPath)")
        }
        if settings.has("role_arn") {
            if !settings.has("source_profile"), !settings.has("credential_source"),
               let webIdentity = try webIdentityProvider(settings, context, useEnvironment: false) {
                return webIdentity
            }
            return try roleProvider(settings, visited: visited, context)
        }
        if let sso = try SSOCredentialsProvider.configured(settings, environment: context.environment, endpoints: context.sts.endpoints,
                                                           transport: context.sts.transport) {
            return sso
        }
        if let keys = try keys(of: settings) { return keys }
        if let (command, processSetting) = settings.value("credential_process") {
            return ProcessCredentialsProvider(command: command, profile: name, setting: processSetting)
        }
        throw .credentialsFailed(source: "source_profile \(name) (\(setting))",
                                 reason: "that profile has no aws_access_key_id, role_arn, web_identity_token_file, sso_session or credential_process")
    }

    /// A role profile's `credential_source`.
    static func credentialSource(_ kind: String, setting: SettingSource, settings: ProfileSettings,
                                 _ context: Context) throws(AWSConfigurationError) -> any CredentialsProvider {
        let place = "credential_source \(kind) (\(setting))"
        switch kind.lowercased() {
        case "environment":
            guard let provider = try environmentKeys(context.environment) else {
                throw .credentialsFailed(source: place, reason: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
            }
            return provider
        case "ec2instancemetadata":
            return InstanceMetadataCredentials(try InstanceMetadataProvider.configured(context.environment, profile: settings))
        case "ecscontainer":
            guard let provider = try ContainerCredentialsProvider.configured(context.environment, transport: context.sts.transport) else {
                throw .credentialsFailed(source: place, reason: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set")
            }
            return provider
        default:
            throw .credentialsFailed(source: place, reason: "credential_source must be Environment, Ec2InstanceMetadata or EcsContainer")
        }
    }

    /// Web identity from the environment (when `useEnvironment`) or the profile, each
    /// setting on its own as botocore reads them; nil when no token file is named.
    static func webIdentityProvider(_ settings: ProfileSettings, _ context: Context,
                                    useEnvironment: Bool) throws(AWSConfigurationError) -> WebIdentityProvider? {
        func setting(_ variable: String, _ key: String) -> (String, SettingSource)? {
            if useEnvironment, let value = nonEmpty(context.environment[variable]) { return (value, .environment(variable)) }
            return settings.value(key)
        }
        guard let (file, fileSetting) = setting("AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file") else { return nil }
        guard let (role, _) = setting("AWS_ROLE_ARN", "role_arn") else {
            throw .credentialsFailed(source: "web identity token \(file) (from \(fileSetting))",
                                     reason: "there is no role to assume: set AWS_ROLE_ARN (or role_arn in the profile)")
        }
        return WebIdentityProvider(roleARN: role, tokenFile: file,
                                   sessionName: setting("AWS_ROLE_SESSION_NAME", "role_session_name")?.0 ?? defaultSessionName(context.now),
                                   setting: fileSetting, sts: context.sts)
    }

    /// Profile settings that name a way of getting credentials Cutover does not implement.
    static let otherProviders: [(String, String)] = [
        ("login_session", "console login"),
    ]

    static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
