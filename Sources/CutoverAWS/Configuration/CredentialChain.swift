/// Finds credentials the way the AWS CLI does, stopping at the first complete source:
///
/// 1. the environment: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, for temporary
///    credentials, `AWS_SESSION_TOKEN` (or the older `AWS_SECURITY_TOKEN`) — skipped
///    when the profile was given explicitly (`--profile`), which means "use that
///    profile"; `AWS_PROFILE` does not skip it;
/// 2. the profile's section of the shared credentials file (`[NAME]`);
/// 3. the profile's section of the shared config file (`[profile NAME]`).
///
/// Profiles that get credentials some other way (assume role, SSO, a credential
/// process) are recognised and named in the error, not followed.
public enum CredentialChain {
    public static func resolve(environment: [String: String], profile: String, explicitProfile: Bool,
                               files: SharedConfig) throws(AWSConfigurationError) -> (AWSCredentials, SettingSource) {
        var looked: [String] = []

        let key = nonEmpty(environment["AWS_ACCESS_KEY_ID"])
        let secret = nonEmpty(environment["AWS_SECRET_ACCESS_KEY"])
        if explicitProfile {
            looked.append("the environment: skipped, because the profile was given explicitly")
        } else {
            switch (key, secret) {
            case (let key?, let secret?):
                let token = nonEmpty(environment["AWS_SESSION_TOKEN"]) ?? nonEmpty(environment["AWS_SECURITY_TOKEN"])
                return (AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token),
                        .environment("AWS_ACCESS_KEY_ID"))
            case (.some, nil):
                throw .incompleteCredentials(where: "the environment", missing: "AWS_SECRET_ACCESS_KEY (AWS_ACCESS_KEY_ID is set)")
            case (nil, .some):
                throw .incompleteCredentials(where: "the environment", missing: "AWS_ACCESS_KEY_ID (AWS_SECRET_ACCESS_KEY is set)")
            case (nil, nil):
                looked.append("the environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
            }
        }

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
            let key = nonEmpty(section.settings["aws_access_key_id"])
            let secret = nonEmpty(section.settings["aws_secret_access_key"])
            switch (key, secret) {
            case (let key?, let secret?):
                let token = nonEmpty(section.settings["aws_session_token"]) ?? nonEmpty(section.settings["aws_security_token"])
                return (AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token),
                        .file(path: place.path, section: place.header, key: "aws_access_key_id"))
            case (.some, nil):
                throw .incompleteCredentials(where: "[\(place.header)] in \(place.path)", missing: "aws_secret_access_key")
            case (nil, .some):
                throw .incompleteCredentials(where: "[\(place.header)] in \(place.path)", missing: "aws_access_key_id")
            case (nil, nil):
                looked.append("[\(place.header)] in \(place.path): no aws_access_key_id")
                for (setting, meaning) in otherProviders where section.settings[setting] != nil {
                    unsupported.append("[\(place.header)] in \(place.path) uses \(setting) (\(meaning)), which Cutover does not follow; "
                        + "export temporary credentials instead: `eval \"$(aws configure export-credentials --profile \(profile) --format env)\"`")
                }
            }
        }
        throw .noCredentials(profile: profile, lookedAt: looked + unsupported)
    }

    /// Profile settings that name a way of getting credentials Cutover does not implement.
    static let otherProviders: [(String, String)] = [
        ("role_arn", "assume role"), ("sso_session", "IAM Identity Center"), ("sso_start_url", "IAM Identity Center"),
        ("credential_process", "a credential process"), ("web_identity_token_file", "web identity"),
        ("login_session", "console login"),
    ]

    static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
