/// Why no usable AWS configuration could be put together: what was missing or wrong,
/// where Cutover looked, and what to do.
public enum AWSConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No source had credentials; `lookedAt` says what each place held.
    case noCredentials(profile: String, lookedAt: [String])
    /// A source had half a key pair (`where`, and the setting it lacks).
    case incompleteCredentials(where: String, missing: String)
    case noRegion(profile: String, lookedAt: [String])
    case invalidRegion(String, source: String)
    /// A profile named by `--profile` or `AWS_PROFILE` is in neither file.
    case profileNotFound(String, source: String, files: [String], available: [String])
    case malformedFile(path: String, line: Int, message: String)
    case unreadableFile(path: String, reason: String)
    case invalidEndpoint(String, source: String, reason: String)
    /// A profile's `services = NAME` names a `[services NAME]` section that does not exist.
    case missingServicesSection(String, profile: String, file: String)
    /// `AWS_MAX_ATTEMPTS` or a profile's `max_attempts` is not a whole number from 1 to 100.
    case invalidMaxAttempts(String, source: String)
    /// A credential source is configured (a role to assume, a token file, a credential
    /// process, a container or instance endpoint) but gave no credentials: `source`
    /// names it, `reason` says what went wrong and, when known, what to do.
    case credentialsFailed(source: String, reason: String)

    public var description: String {
        switch self {
        case .noCredentials(let profile, let looked):
            return "no AWS credentials found (profile \(profile)); looked at:\n"
                + looked.map { "  - \($0)\n" }.joined()
                + "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), "
                + "or add the profile's aws_access_key_id and aws_secret_access_key to the credentials file (`aws configure`), "
                + "or run where AWS provides credentials (an EC2 instance profile, an ECS or CodeBuild task role, "
                + "AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN in CI)."
        case .incompleteCredentials(let place, let missing):
            return "incomplete AWS credentials: \(place) has no \(missing)"
        case .noRegion(let profile, let looked):
            return "no AWS region configured (profile \(profile)); looked at:\n"
                + looked.map { "  - \($0)\n" }.joined()
                + "Set AWS_REGION (for example AWS_REGION=us-east-1), pass --region, or add `region = …` to the profile in the config file."
        case .invalidRegion(let region, let source):
            return "'\(region)' (from \(source)) is not a region name: regions are written like us-east-1 or eu-west-2"
        case .profileNotFound(let name, let source, let files, let available):
            let known = available.isEmpty ? "no profiles are defined" : "defined profiles: " + available.joined(separator: ", ")
            return "AWS profile '\(name)' (from \(source)) is in neither \(files.joined(separator: " nor ")); \(known)"
        case .malformedFile(let path, let line, let message):
            return "\(path):\(line): \(message)"
        case .unreadableFile(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .invalidEndpoint(let url, let source, let reason):
            return "endpoint '\(url)' (from \(source)) is not usable: \(reason); write it as http://host:port or https://host"
        case .missingServicesSection(let name, let profile, let file):
            return "profile \(profile) in \(file) says `services = \(name)`, but there is no [services \(name)] section"
        case .invalidMaxAttempts(let value, let source):
            return "max attempts '\(value)' (from \(source)) is not a whole number from 1 to 100 (1: no retries)"
        case .credentialsFailed(let source, let reason):
            return "cannot get AWS credentials from \(source): \(reason)"
        }
    }
}

/// Where a setting came from, as messages and `cutover aws whoami` show it.
public enum SettingSource: Sendable, Equatable, CustomStringConvertible {
    /// A command-line option (`--region`).
    case argument(String)
    /// An environment variable.
    case environment(String)
    /// A key of a section of a shared config or credentials file.
    case file(path: String, section: String, key: String)
    /// Set by the program itself (tests, explicit construction).
    case given

    public var description: String {
        switch self {
        case .argument(let option): return option
        case .environment(let name): return name
        case .file(let path, let section, let key): return "\(key) in [\(section)] of \(path)"
        case .given: return "the caller"
        }
    }
}
