/// Where credentials came from, as messages and `cutover aws whoami` show it.
///
/// Never holds a secret: a token file is named by its path, a credential process by
/// its profile, an assumed role by its ARN.
public indirect enum CredentialSource: Sendable, Equatable, CustomStringConvertible {
    /// An environment variable (`AWS_ACCESS_KEY_ID`).
    case environment(String)
    /// A key of a section of the shared credentials or config file.
    case file(path: String, section: String, key: String)
    /// Set by the program itself (tests, explicit construction).
    case given
    /// STS AssumeRole for the `role_arn` of `profile`, signed with `source`'s credentials.
    case assumedRole(roleARN: String, profile: String, source: CredentialSource)
    /// STS AssumeRoleWithWebIdentity with the token in `tokenFile`.
    case webIdentity(roleARN: String, tokenFile: String, setting: SettingSource)
    /// The `credential_process` of a profile.
    case process(profile: String, setting: SettingSource)
    /// The ECS/EKS/CodeBuild container credentials endpoint.
    case container(url: String)
    /// The EC2 instance metadata service: the instance profile's role.
    case instanceMetadata(role: String, endpoint: String)
    /// IAM Identity Center: a role of an account, with the login `aws sso login` cached.
    case sso(accountID: String, roleName: String, profile: String)

    public var description: String {
        switch self {
        case .environment(let name): return name
        case .file(let path, let section, let key): return "\(key) in [\(section)] of \(path)"
        case .given: return "the caller"
        case .assumedRole(let role, let profile, let source):
            return "assumed role \(role) from profile \(profile), signed with credentials \(source.phrase)"
        case .webIdentity(let role, let file, let setting):
            return "web identity token \(file) for role \(role) (from \(setting))"
        case .process(let profile, let setting):
            return "credential_process of profile \(profile) (\(setting))"
        case .container(let url): return "container credentials (\(url))"
        case .instanceMetadata(let role, let endpoint): return "EC2 instance metadata (role \(role) at \(endpoint))"
        case .sso(let account, let role, let profile):
            return "IAM Identity Center role \(role) in account \(account) (profile \(profile))"
        }
    }

    /// The description as it follows "credentials …": `from AWS_ACCESS_KEY_ID` for a
    /// setting, the description itself for a provider.
    public var phrase: String {
        switch self {
        case .environment, .file, .given: return "from \(description)"
        default: return description
        }
    }
}
