import Foundation

/// The EC2 instance metadata service (IMDSv2): a session token from
/// `PUT /latest/api/token`, then the instance profile's role name from
/// `GET /latest/meta-data/iam/security-credentials/` and its credentials from
/// `…/security-credentials/NAME`, each GET carrying the token.
///
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT` (or the profile's
/// `ec2_metadata_service_endpoint`) moves it from http://169.254.169.254;
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6` uses http://[fd00:ec2::254]. Off EC2
/// nothing answers: one attempt with a 1 second timeout
/// (`AWS_METADATA_SERVICE_TIMEOUT`, `AWS_METADATA_SERVICE_NUM_ATTEMPTS` change them)
/// keeps that from slowing anything down. When the token request is refused as
/// unsupported (403, 404, 405), the GETs go without a token (IMDSv1), unless
/// `AWS_EC2_METADATA_V1_DISABLED=true`.
public struct InstanceMetadataProvider: CredentialsProvider {
    public let endpoint: AWSEndpoint
    public let timeout: Duration
    public let attempts: Int
    public let allowsV1: Bool
    let transport: any HTTPTransport

    public static let defaultEndpoint = "http://169.254.169.254"
    static let tokenTTL = "21600"

    /// The role is known once fetched: `InstanceMetadataCredentials` remembers it.
    public var source: CredentialSource { .instanceMetadata(role: "?", endpoint: endpoint.url) }

    /// The provider the environment and profile configure.
    static func configured(_ environment: [String: String], profile: ProfileSettings) throws(AWSConfigurationError) -> InstanceMetadataProvider {
        var url = defaultEndpoint
        var setting: SettingSource?
        if let value = CredentialChain.nonEmpty(environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"]) {
            (url, setting) = (value, .environment("AWS_EC2_METADATA_SERVICE_ENDPOINT"))
        } else if let (value, source) = profile.value("ec2_metadata_service_endpoint") {
            (url, setting) = (value, source)
        } else if (environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"] ?? profile.value("ec2_metadata_service_endpoint_mode")?.0)?
                    .lowercased() == "ipv6" {
            url = "http://[fd00:ec2::254]"
        }
        let endpoint = try AWSEndpoint.parse(url, signingRegion: "", source: setting).get()
        let seconds = environment["AWS_METADATA_SERVICE_TIMEOUT"].flatMap { Double($0) }.map { max(0.1, $0) } ?? 1
        let attempts = environment["AWS_METADATA_SERVICE_NUM_ATTEMPTS"].flatMap { Int($0) }.map { min(max(1, $0), 10) } ?? 1
        let v1Disabled = (environment["AWS_EC2_METADATA_V1_DISABLED"] ?? profile.value("ec2_metadata_v1_disabled")?.0)?.lowercased() == "true"
        return InstanceMetadataProvider(endpoint: endpoint, timeout: .milliseconds(Int(seconds * 1000)), attempts: attempts,
                                        allowsV1: !v1Disabled,
                                        transport: CurlTransport(connectTimeout: .milliseconds(Int(seconds * 1000)), maximumIdleHandles: 1))
    }

    public func fetch(now: Date) throws(AWSConfigurationError) -> AWSCredentials {
        try fetchWithRole(now: now).credentials
    }

    /// The credentials and the role they are the instance profile's.
    public func fetchWithRole(now: Date) throws(AWSConfigurationError) -> (credentials: AWSCredentials, role: String) {
        let place = "EC2 instance metadata at \(endpoint.url)"
        var headers: HTTPHeaders = [:]
        var version = ""  // how the GETs were asked, for messages
        let token = send("PUT", "/latest/api/token", headers: ["X-aws-ec2-metadata-token-ttl-seconds": Self.tokenTTL])
        switch token {
        case .success(let response) where response.isSuccess:
            headers.set("X-aws-ec2-metadata-token", response.text.trimmingCharacters(in: .whitespacesAndNewlines))
        case .success(let response) where [403, 404, 405].contains(response.status) && allowsV1:
            // No IMDSv2 here: IMDSv1, as the SDKs fall back.
            version = " (IMDSv1: the token request was answered HTTP \(response.status))"
        case .success(let response):
            throw .credentialsFailed(source: place, reason: "the token request (PUT /latest/api/token) was answered HTTP \(response.status)")
        case .failure(let failure):
            throw .credentialsFailed(source: place, reason: "not reachable (\(failure.message)): not on EC2, or the metadata service is off")
        }
        let base = "/latest/meta-data/iam/security-credentials/"
        let roleName: String
        switch send("GET", base, headers: headers) {
        case .success(let response) where response.isSuccess:
            guard let first = response.text.split(whereSeparator: \.isNewline).first.map(String.init), !first.isEmpty else {
                throw .credentialsFailed(source: place, reason: "the instance has no IAM role (attach an instance profile)")
            }
            roleName = first.trimmingCharacters(in: .whitespaces)
        case .success(let response) where response.status == 404:
            throw .credentialsFailed(source: place, reason: "the instance has no IAM role (attach an instance profile)")
        case .success(let response):
            throw .credentialsFailed(source: place, reason: "GET \(base) was answered HTTP \(response.status)\(version)")
        case .failure(let failure):
            throw .credentialsFailed(source: place, reason: failure.message)
        }
        let path = base + URIEncoding.encode(roleName)
        switch send("GET", path, headers: headers) {
        case .success(let response) where response.isSuccess:
            return (try Self.credentials(from: response.body, place: "\(place) (role \(roleName))"), roleName)
        case .success(let response):
            throw .credentialsFailed(source: place, reason: "GET \(path) was answered HTTP \(response.status)\(version)")
        case .failure(let failure):
            throw .credentialsFailed(source: place, reason: failure.message)
        }
    }

    private func send(_ method: String, _ path: String, headers: HTTPHeaders) -> Result<HTTPResponse, TransportFailure> {
        let request = HTTPRequest(method: method, scheme: endpoint.scheme, host: endpoint.host, port: endpoint.port,
                                  path: endpoint.basePath + path, headers: headers)
        var result = transport.send(request, timeout: timeout)
        var attempt = 1
        while attempt < attempts, case .failure = result {
            attempt += 1
            result = transport.send(request, timeout: timeout)
        }
        return result
    }

    /// Reads the JSON the metadata and container endpoints answer:
    /// `{"Code": "Success", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"}`
    /// (`Code` only from instance metadata). Values never appear in messages.
    static func credentials(from body: [UInt8], place: String) throws(AWSConfigurationError) -> AWSCredentials {
        guard let json = try? JSON(parsing: body), json.object != nil else {
            throw .credentialsFailed(source: place, reason: "the answer is not a JSON object")
        }
        if let code = json["Code"]?.string, code != "Success" {
            throw .credentialsFailed(source: place, reason: "the answer's Code is \(code)" + (json["Message"]?.string.map { ": \($0)" } ?? ""))
        }
        guard let key = json["AccessKeyId"]?.string, !key.isEmpty, let secret = json["SecretAccessKey"]?.string, !secret.isEmpty else {
            throw .credentialsFailed(source: place, reason: "the answer has no AccessKeyId and SecretAccessKey"
                                     + (json["message"]?.string ?? json["Message"]?.string).map { " (\($0))" }.orEmpty)
        }
        let expiration = json["Expiration"]?.string.flatMap(WireTimestamp.parse)
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: json["Token"]?.string, expiration: expiration)
    }
}

/// An `InstanceMetadataProvider` that remembers the role it found, for `source`.
final class InstanceMetadataCredentials: CredentialsProvider, @unchecked Sendable {
    // @unchecked: `role` is only touched under `lock`.
    private let provider: InstanceMetadataProvider
    private let lock = NSLock()
    private var role = "?"

    init(_ provider: InstanceMetadataProvider) { self.provider = provider }

    var source: CredentialSource {
        lock.lock()
        defer { lock.unlock() }
        return .instanceMetadata(role: role, endpoint: provider.endpoint.url)
    }

    func fetch(now: Date) throws(AWSConfigurationError) -> AWSCredentials {
        let (credentials, role) = try provider.fetchWithRole(now: now)
        lock.lock()
        self.role = role
        lock.unlock()
        return credentials
    }
}

private extension Optional where Wrapped == String {
    var orEmpty: String { self ?? "" }
}
