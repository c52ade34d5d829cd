import Foundation

/// Where one service's requests go, the region they are signed for, and why.
public struct AWSEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int?
    /// A path every request's path is put under (`/proxy` in `http://h/proxy`); usually empty.
    public var basePath: String
    public var signingRegion: String
    /// What configured it; nil for AWS's own endpoint of the region.
    public var source: SettingSource?

    public init(scheme: String, host: String, port: Int? = nil, basePath: String = "", signingRegion: String,
                source: SettingSource? = nil) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = basePath
        self.signingRegion = signingRegion
        self.source = source
    }

    /// Reads `http://127.0.0.1:5000`, `https://host/base`; nil with the reason otherwise.
    public static func parse(_ url: String, signingRegion: String, source: SettingSource?) -> Result<AWSEndpoint, AWSConfigurationError> {
        let invalid = { (reason: String) in
            Result<AWSEndpoint, AWSConfigurationError>.failure(.invalidEndpoint(url, source: source?.description ?? "the caller", reason: reason))
        }
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased() else {
            return invalid("not a URL")
        }
        guard scheme == "http" || scheme == "https" else { return invalid("the scheme must be http or https") }
        guard let host = parts.host, !host.isEmpty else { return invalid("no host") }
        guard parts.query == nil, parts.fragment == nil else { return invalid("it has a query or fragment") }
        var base = parts.percentEncodedPath
        while base.hasSuffix("/") { base.removeLast() }
        return .success(AWSEndpoint(scheme: scheme, host: host.contains(":") ? "[\(host)]" : host, port: parts.port,
                                    basePath: base, signingRegion: signingRegion, source: source))
    }

    /// Set by configuration rather than AWS's default for the region (emulators, proxies).
    public var isCustom: Bool { source != nil }

    public var url: String {
        var text = "\(scheme)://\(host)"
        if let port, port != (scheme == "https" ? 443 : 80) { text += ":\(port)" }
        return text + basePath
    }

    public var description: String {
        url + (source.map { " (from \($0))" } ?? "")
    }
}

/// Chooses a service's endpoint, in the order AWS's SDKs use:
///
/// 1. `AWS_ENDPOINT_URL_<SERVICE>` (`AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2`,
///    `…_AUTO_SCALING`, `…_EC2`, `…_S3`, `…_LAMBDA`, `…_ECS`, `…_CLOUDWATCH`, `…_SSM`,
///    `…_STS`: AWS's service id, upper case, spaces made underscores);
/// 2. `AWS_ENDPOINT_URL`;
/// 3. the service's `endpoint_url` in the profile's `[services NAME]` section;
/// 4. the profile's `endpoint_url`;
/// 5. AWS: `https://{prefix}.{region}.amazonaws.com` (`.amazonaws.com.cn` in China),
///    or the service's global endpoint (IAM).
///
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` (or `ignore_configured_endpoint_urls =
/// true` in the profile) skips 1–4.
public struct EndpointSettings: Sendable, Equatable {
    /// The `AWS_ENDPOINT_URL*` variables.
    public var environment: [String: String]
    /// The profile's `endpoint_url`.
    public var profileURL: String?
    public var profileURLSource: SettingSource?
    /// The `[services NAME]` section's groups, by service config key.
    public var services: [String: [String: String]]
    public var servicesSource: (path: String, section: String)?
    public var ignoresConfiguredURLs: Bool

    public init(environment: [String: String] = [:], profileURL: String? = nil, profileURLSource: SettingSource? = nil,
                services: [String: [String: String]] = [:], servicesSource: (path: String, section: String)? = nil,
                ignoresConfiguredURLs: Bool = false) {
        self.environment = environment.filter { $0.key.hasPrefix("AWS_ENDPOINT_URL") }
        self.profileURL = profileURL
        self.profileURLSource = profileURLSource
        self.services = services
        self.servicesSource = servicesSource
        self.ignoresConfiguredURLs = ignoresConfiguredURLs
    }

    public static func == (a: EndpointSettings, b: EndpointSettings) -> Bool {
        a.environment == b.environment && a.profileURL == b.profileURL && a.profileURLSource == b.profileURLSource
            && a.services == b.services && a.servicesSource?.path == b.servicesSource?.path
            && a.servicesSource?.section == b.servicesSource?.section && a.ignoresConfiguredURLs == b.ignoresConfiguredURLs
    }

    /// The endpoint of `service` in `region`.
    public func endpoint(for service: AWSService, region: String) throws(AWSConfigurationError) -> AWSEndpoint {
        let signingRegion = service.globalEndpoint?.signingRegion ?? region
        if !ignoresConfiguredURLs, let (url, source) = configuredURL(for: service) {
            return try AWSEndpoint.parse(url, signingRegion: signingRegion, source: source).get()
        }
        if let global = service.globalEndpoint {
            return AWSEndpoint(scheme: "https", host: global.host, signingRegion: global.signingRegion)
        }
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return AWSEndpoint(scheme: "https", host: "\(service.endpointPrefix).\(region).\(suffix)", signingRegion: region)
    }

    private func configuredURL(for service: AWSService) -> (String, SettingSource)? {
        let specific = "AWS_ENDPOINT_URL_\(service.environmentKey)"
        if let url = CredentialChain.nonEmpty(environment[specific]) { return (url, .environment(specific)) }
        if let url = CredentialChain.nonEmpty(environment["AWS_ENDPOINT_URL"]) { return (url, .environment("AWS_ENDPOINT_URL")) }
        if let url = CredentialChain.nonEmpty(services[service.configKey]?["endpoint_url"]), let where_ = servicesSource {
            return (url, .file(path: where_.path, section: where_.section, key: "\(service.configKey).endpoint_url"))
        }
        if let url = CredentialChain.nonEmpty(profileURL) { return (url, profileURLSource ?? .given) }
        return nil
    }
}
