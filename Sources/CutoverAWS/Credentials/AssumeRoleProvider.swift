import Foundation

/// STS AssumeRole for a profile's `role_arn`, signed with the credentials of its
/// `source_profile` or `credential_source` (themselves refreshed when temporary).
public struct AssumeRoleProvider: CredentialsProvider {
    public let roleARN: String
    /// The profile whose `role_arn` this is.
    public let profile: String
    public let sessionName: String
    public let externalID: String?
    public let durationSeconds: Int?
    public let sourceCredentials: RefreshingCredentials
    /// Region and endpoint settings for the STS call.
    let sts: STSSettings

    public var source: CredentialSource {
        .assumedRole(roleARN: roleARN, profile: profile, source: sourceCredentials.source)
    }

    public func fetch(now: Date) throws(AWSConfigurationError) -> AWSCredentials {
        let signing = try sourceCredentials.credentials(at: now)
        let client = sts.client(credentials: signing, now: now)
        switch Result(catching: { try STS(client).assumeRole(roleARN: roleARN, sessionName: sessionName, externalID: externalID,
                                                             durationSeconds: durationSeconds) }) {
        case .success(let role): return role.credentials
        case .failure(let error):
            throw .credentialsFailed(source: "assuming role \(roleARN) (profile \(profile))", reason: "\(error)")
        }
    }
}

/// STS AssumeRoleWithWebIdentity with an OIDC token read from a file (GitHub Actions'
/// token written by configure-aws-credentials, EKS IRSA's projected service-account
/// token). The file is read again on every refresh: its writer rotates it.
public struct WebIdentityProvider: CredentialsProvider {
    public let roleARN: String
    public let tokenFile: String
    public let sessionName: String
    /// Where the token file was named (`AWS_WEB_IDENTITY_TOKEN_FILE` or the profile).
    public let setting: SettingSource
    let sts: STSSettings

    public var source: CredentialSource { .webIdentity(roleARN: roleARN, tokenFile: tokenFile, setting: setting) }

    public func fetch(now: Date) throws(AWSConfigurationError) -> AWSCredentials {
        let place = "web identity token \(tokenFile) (from \(setting))"
        guard let data = FileManager.default.contents(atPath: tokenFile) else {
            throw .credentialsFailed(source: place, reason: FileManager.default.fileExists(atPath: tokenFile)
                                     ? "the file cannot be read" : "no such file")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw .credentialsFailed(source: place, reason: "the file is empty") }
        // Unsigned: any credentials will do for the configuration.
        let client = sts.client(credentials: AWSCredentials(accessKeyID: "", secretAccessKey: ""), now: now)
        switch Result(catching: { try STS(client).assumeRoleWithWebIdentity(roleARN: roleARN, sessionName: sessionName, token: token) }) {
        case .success(let role): return role.credentials
        case .failure(let error):
            throw .credentialsFailed(source: "\(place) for role \(roleARN)", reason: "\(error)")
        }
    }
}

/// What an STS call made while resolving credentials needs: the region and endpoint
/// settings (`AWS_ENDPOINT_URL_STS` moves it to an emulator) and the transport.
struct STSSettings: Sendable {
    var region: String
    var endpoints: EndpointSettings
    var transport: any HTTPTransport

    func client(credentials: AWSCredentials, now: Date) -> AWSClient {
        AWSClient(configuration: AWSConfiguration(credentials: credentials, region: region, endpoints: endpoints),
                  transport: transport, retryPolicy: RetryPolicy(maxAttempts: 3), timeout: .seconds(30), now: { now })
    }
}

/// A session name for a role, when the profile gives none: `cutover-<epoch seconds>`,
/// as botocore uses `botocore-session-<epoch seconds>`.
func defaultSessionName(_ now: Date) -> String {
    "cutover-\(Int(now.timeIntervalSince1970))"
}
