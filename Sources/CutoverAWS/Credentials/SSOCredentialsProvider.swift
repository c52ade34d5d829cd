import CLibCrypto
import Foundation

/// IAM Identity Center (SSO): the role credentials of a profile's `sso_account_id` and
/// `sso_role_name`, from the access portal's GetRoleCredentials, with the token
/// `aws sso login` cached in `~/.aws/sso/cache`.
///
/// The profile names an `[sso-session NAME]` section (`sso_session = NAME`, whose
/// `sso_start_url` and `sso_region` say where to log in), or carries `sso_start_url`
/// and `sso_region` itself (the older form). The cache file is the SHA-1 (hex) of the
/// session name, or of the start URL in the older form, plus `.json`. Cutover does not
/// log in nor refresh the token: when it is missing or expired, the error says to run
/// `aws sso login`.
public struct SSOCredentialsProvider: CredentialsProvider {
    public let profile: String
    public let accountID: String
    public let roleName: String
    public let region: String
    /// The token cache file.
    public let cacheFile: String
    /// `sso_session NAME`, or the start URL of the older form: what to log in to.
    public let login: String
    let endpoints: EndpointSettings
    let transport: any HTTPTransport

    /// The access portal, as AWS's endpoint rules and `AWS_ENDPOINT_URL_SSO` name it.
    static let portal = AWSService(name: "SSO", serviceID: "SSO", endpointPrefix: "portal.sso", signingName: "awsssoportal",
                                   wireProtocol: .restJSON)

    public var source: CredentialSource { .sso(accountID: accountID, roleName: roleName, profile: profile) }

    /// The provider a profile's `sso_*` settings describe; nil without `sso_account_id`,
    /// `sso_role_name` and either `sso_session` or `sso_start_url`.
    static func configured(_ settings: ProfileSettings, environment: [String: String], endpoints: EndpointSettings,
                           transport: any HTTPTransport) throws(AWSConfigurationError) -> SSOCredentialsProvider? {
        let files = settings.files
        let session = settings.value("sso_session")
        let legacyURL = settings.value("sso_start_url")
        guard session != nil || legacyURL != nil else { return nil }
        let place = "IAM Identity Center (profile \(settings.profile))"
        var startURL: String?
        var region = settings.value("sso_region")?.0
        let cacheKey: String
        let login: String
        if let (name, setting) = session {
            guard let section = files.config?.sections["sso-session \(name)"] else {
                throw .credentialsFailed(source: place, reason: "\(setting) names [sso-session \(name)], which is not in \(files.configPath)")
            }
            startURL = CredentialChain.nonEmpty(section.settings["sso_start_url"])
            region = CredentialChain.nonEmpty(section.settings["sso_region"]) ?? region
            cacheKey = name
            login = "sso_session \(name)"
        } else {
            startURL = legacyURL?.0
            cacheKey = legacyURL!.0
            login = legacyURL!.0
        }
        var missing: [String] = []
        if startURL == nil { missing.append("sso_start_url") }
        if region == nil { missing.append("sso_region") }
        let account = settings.value("sso_account_id")?.0
        let role = settings.value("sso_role_name")?.0
        if account == nil { missing.append("sso_account_id") }
        if role == nil { missing.append("sso_role_name") }
        guard missing.isEmpty, let region, let account, let role else {
            throw .credentialsFailed(source: place, reason: "the profile has no " + missing.joined(separator: ", "))
        }
        let home = CredentialChain.nonEmpty(environment["HOME"]) ?? NSHomeDirectory()
        let cacheFile = home + "/.aws/sso/cache/" + sha1Hex(Array(cacheKey.utf8)) + ".json"
        return SSOCredentialsProvider(profile: settings.profile, accountID: account, roleName: role, region: region,
                                      cacheFile: cacheFile, login: login, endpoints: endpoints, transport: transport)
    }

    public func fetch(now: Date) throws(AWSConfigurationError) -> AWSCredentials {
        let place = "IAM Identity Center role \(roleName) in account \(accountID) (profile \(profile))"
        let relogin = "run `aws sso login --profile \(profile)`"
        guard let data = FileManager.default.contents(atPath: cacheFile) else {
            throw .credentialsFailed(source: place, reason: "no cached login in \(cacheFile): \(relogin)")
        }
        guard let json = try? JSON(parsing: Array(data)), let token = json["accessToken"]?.string, !token.isEmpty else {
            throw .credentialsFailed(source: place, reason: "\(cacheFile) has no accessToken: \(relogin)")
        }
        if let expires = WireTimestamp.date(json["expiresAt"]), expires <= now {
            throw .credentialsFailed(source: place, reason: "the login cached in \(cacheFile) expired at "
                                     + "\(AWSCredentials.timestamp(expires)): \(relogin)")
        }
        let client = AWSClient(configuration: AWSConfiguration(credentials: AWSCredentials(accessKeyID: "", secretAccessKey: ""),
                                                               region: region, endpoints: endpoints),
                               transport: transport, retryPolicy: RetryPolicy(maxAttempts: 3), timeout: .seconds(30), now: { now })
        let answer: JSON
        switch Result(catching: {
            try client.unsigned().restJSON(AWSOperation(Self.portal, "GetRoleCredentials"), method: "GET", path: "/federation/credentials",
                                           query: [QueryItem("account_id", accountID), QueryItem("role_name", roleName)],
                                           headers: ["x-amz-sso_bearer_token": token])
        }) {
        case .success(let json): answer = json
        case .failure(let error as AWSError) where error.status == 401 || error.status == 403:
            throw .credentialsFailed(source: place, reason: "\(error) (\(relogin) if the login has ended)")
        case .failure(let error):
            throw .credentialsFailed(source: place, reason: "\(error)")
        }
        let credentials = answer["roleCredentials"]
        guard let key = credentials?["accessKeyId"]?.string, let secret = credentials?["secretAccessKey"]?.string else {
            throw .credentialsFailed(source: place, reason: "the portal's answer has no roleCredentials")
        }
        // The portal gives the expiration in milliseconds since 1970.
        let expiration = credentials?["expiration"]?.number.map { Date(timeIntervalSince1970: $0 / 1000) }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: credentials?["sessionToken"]?.string,
                              expiration: expiration)
    }

    /// The SHA-1 of `bytes` in lowercase hex: the token cache's file names.
    static func sha1Hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { EVP_Digest($0.baseAddress, $0.count, &digest, &length, EVP_sha1(), nil) }
        precondition(ok == 1 && length == 20, "libcrypto's SHA-1 failed")
        return digest.prefix(20).map { String(format: "%02x", $0) }.joined()
    }
}
