import Foundation

/// The container credentials endpoint of ECS tasks, CodeBuild builds and EKS Pod
/// Identity: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (a path on
/// http://169.254.170.2) or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read again on every fetch) or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN` as the Authorization header.
///
/// As the AWS SDKs allow, a full URI must be https, or http to a loopback address or
/// to the ECS and EKS link-local hosts: credentials are not sent in clear elsewhere.
public struct ContainerCredentialsProvider: CredentialsProvider {
    public let url: String
    let request: HTTPRequest
    let authorizationToken: String?
    let authorizationTokenFile: String?
    let transport: any HTTPTransport

    public static let ecsHost = "169.254.170.2"
    /// Hosts a plain-http full URI may name besides loopback ones (ECS, EKS Pod Identity).
    static let allowedHTTPHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", "fd00:ec2::23"]

    public var source: CredentialSource { .container(url: url) }

    /// The provider the environment configures; nil when neither URI variable is set.
    static func configured(_ environment: [String: String], transport: any HTTPTransport) throws(AWSConfigurationError) -> ContainerCredentialsProvider? {
        let url: String
        if let relative = CredentialChain.nonEmpty(environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]) {
            url = "http://\(ecsHost)" + (relative.hasPrefix("/") ? "" : "/") + relative
        } else if let full = CredentialChain.nonEmpty(environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"]) {
            url = full
        } else {
            return nil
        }
        let place = "container credentials (\(url))"
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(), let host = parts.host, !host.isEmpty,
              scheme == "http" || scheme == "https" else {
            throw .credentialsFailed(source: place, reason: "the URI is not an http or https URL")
        }
        if scheme == "http", !isLoopback(host), !allowedHTTPHosts.contains(host) {
            throw .credentialsFailed(source: place, reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI must use https, or http to a loopback "
                                     + "address, 169.254.170.2 or 169.254.170.23 (as the AWS SDKs require)")
        }
        let request = HTTPRequest(method: "GET", scheme: scheme, host: host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host,
                                  port: parts.port, path: parts.percentEncodedPath.isEmpty ? "/" : parts.percentEncodedPath,
                                  query: (parts.queryItems ?? []).map { QueryItem($0.name, $0.value ?? "") })
        return ContainerCredentialsProvider(url: url, request: request,
                                            authorizationToken: CredentialChain.nonEmpty(environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"]),
                                            authorizationTokenFile: CredentialChain.nonEmpty(environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]),
                                            transport: transport)
    }

    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" { return true }
        let octets = bare.split(separator: ".")
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    public func fetch(now: Date) throws(AWSConfigurationError) -> AWSCredentials {
        let place = "container credentials (\(url))"
        var request = self.request
        if let file = authorizationTokenFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw .credentialsFailed(source: place, reason: "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(file) cannot be read")
            }
            request.headers.set("Authorization", String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        } else if let token = authorizationToken {
            request.headers.set("Authorization", token)
        }
        if let value = request.headers["Authorization"], value.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw .credentialsFailed(source: place, reason: "the authorization token contains a line break")
        }
        request.headers.set("Accept", "application/json")
        // Three quick attempts, as botocore makes: the agent may be starting.
        var failure = ""
        for _ in 1...3 {
            switch transport.send(request, timeout: .seconds(2)) {
            case .success(let response) where response.isSuccess:
                return try InstanceMetadataProvider.credentials(from: response.body, place: place)
            case .success(let response) where response.status >= 500:
                failure = "HTTP \(response.status)"
                continue
            case .success(let response):
                throw .credentialsFailed(source: place, reason: "HTTP \(response.status)" + Self.excerpt(response))
            case .failure(let transportFailure):
                failure = transportFailure.message
            }
        }
        throw .credentialsFailed(source: place, reason: failure)
    }

    /// A short excerpt of an error answer (container agents explain refusals in it).
    static func excerpt(_ response: HTTPResponse) -> String {
        let text = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "" : ": " + String(text.prefix(200))
    }
}
