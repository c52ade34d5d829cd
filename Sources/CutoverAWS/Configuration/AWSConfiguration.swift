import Foundation

/// Everything a client needs before its first request: credentials, region, endpoint
/// settings, and where each came from.
///
/// `resolve` reads an environment given as a dictionary (tests pass their own; the
/// command line passes the process's) and the shared files it points to.
public struct AWSConfiguration: Sendable {
    /// The credentials first resolved. For temporary ones `credentialsProvider` has
    /// the current ones, which the client signs with.
    public var credentials: AWSCredentials
    public var credentialSource: CredentialSource
    /// Refreshes temporary credentials (an assumed role, web identity, a credential
    /// process with an expiration, the container or instance metadata); nil for keys
    /// that do not expire, which `credentials` holds.
    public var credentialsProvider: RefreshingCredentials?
    public var region: String
    public var regionSource: SettingSource
    /// The profile whose settings were read (`default` unless one was named).
    public var profile: String
    public var endpoints: EndpointSettings
    /// How many times a call is tried in all (`AWS_MAX_ATTEMPTS`, else the profile's
    /// `max_attempts`, as the AWS SDKs read them); nil: the caller's default.
    public var maxAttempts: Int?

    public init(credentials: AWSCredentials, region: String, endpoints: EndpointSettings = EndpointSettings(),
                profile: String = "default", credentialSource: CredentialSource = .given, regionSource: SettingSource = .given,
                credentialsProvider: RefreshingCredentials? = nil) {
        self.credentials = credentials
        self.credentialSource = credentialSource
        self.credentialsProvider = credentialsProvider
        self.region = region
        self.regionSource = regionSource
        self.profile = profile
        self.endpoints = endpoints
    }

    /// The endpoint of `service` in this configuration's region.
    public func endpoint(for service: AWSService) throws(AWSConfigurationError) -> AWSEndpoint {
        try endpoints.endpoint(for: service, region: region)
    }

    /// Resolves credentials, region and endpoint settings.
    ///
    /// - `profile`: an explicit profile (`--profile`); otherwise `AWS_PROFILE`, then
    ///   `AWS_DEFAULT_PROFILE`, then `default`. A named profile must exist in a file.
    /// - `region`: an explicit region (`--region`); otherwise `AWS_REGION`, then
    ///   `AWS_DEFAULT_REGION`, then the profile's `region` in the config file.
    /// - `transport`: for the calls some credential sources make (STS, the container
    ///   and instance metadata endpoints); `now` dates them.
    ///
    /// Credentials are fetched once here (`CredentialChain`): a role is assumed, the
    /// instance metadata asked. Temporary credentials come with `credentialsProvider`.
    public static func resolve(environment: [String: String], profile explicitProfile: String? = nil,
                               region explicitRegion: String? = nil,
                               transport: any HTTPTransport = CurlTransport(connectTimeout: .seconds(10)),
                               now: Date = Date()) throws(AWSConfigurationError) -> AWSConfiguration {
        let files = try SharedConfig.load(environment: environment)

        let (profile, profileSource): (String, SettingSource?) = {
            if let p = CredentialChain.nonEmpty(explicitProfile) { return (p, .argument("--profile")) }
            for name in ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"] {
                if let p = CredentialChain.nonEmpty(environment[name]) { return (p, .environment(name)) }
            }
            return ("default", nil)
        }()
        if let profileSource, profile != "default", !files.hasProfile(profile) {
            throw .profileNotFound(profile, source: profileSource.description, files: [files.credentialsPath, files.configPath],
                                   available: files.profileNames)
        }

        let endpoints = try endpointSettings(environment: environment, profile: profile, files: files)
        // STS calls for credentials go to the configured region, else us-east-1 (a
        // missing region is reported below, once credentials are settled).
        let stsRegion = (try? resolveRegion(environment: environment, explicit: explicitRegion, profile: profile, files: files))?.0
        let sts = STSSettings(region: stsRegion ?? "us-east-1", endpoints: endpoints, transport: transport)
        let found = try CredentialChain.resolve(environment: environment, profile: profile, explicitProfile: explicitProfile != nil,
                                                files: files, sts: sts, now: now)
        let (region, regionSource) = try resolveRegion(environment: environment, explicit: explicitRegion, profile: profile, files: files)
        var configuration = AWSConfiguration(credentials: found.credentials, region: region, endpoints: endpoints, profile: profile,
                                             credentialSource: found.source, regionSource: regionSource,
                                             credentialsProvider: found.refreshing)
        configuration.maxAttempts = try resolveMaxAttempts(environment: environment, profile: profile, files: files)
        return configuration
    }

    static func resolveMaxAttempts(environment: [String: String], profile: String,
                                   files: SharedConfig) throws(AWSConfigurationError) -> Int? {
        let found: (String, SettingSource)?
        if let value = CredentialChain.nonEmpty(environment["AWS_MAX_ATTEMPTS"]) {
            found = (value, .environment("AWS_MAX_ATTEMPTS"))
        } else if let (header, section) = files.configSection(profile),
                  let value = CredentialChain.nonEmpty(section.settings["max_attempts"]) {
            found = (value, .file(path: files.configPath, section: header, key: "max_attempts"))
        } else {
            found = nil
        }
        guard let (value, source) = found else { return nil }
        guard let attempts = Int(value.trimmingCharacters(in: .whitespaces)), (1...100).contains(attempts) else {
            throw .invalidMaxAttempts(value, source: source.description)
        }
        return attempts
    }

    static func resolveRegion(environment: [String: String], explicit: String?, profile: String,
                              files: SharedConfig) throws(AWSConfigurationError) -> (String, SettingSource) {
        var looked: [String] = []
        var found: (String, SettingSource)?
        if let region = CredentialChain.nonEmpty(explicit) {
            found = (region, .argument("--region"))
        }
        for name in ["AWS_REGION", "AWS_DEFAULT_REGION"] where found == nil {
            if let region = CredentialChain.nonEmpty(environment[name]) { found = (region, .environment(name)) } else { looked.append("\(name): not set") }
        }
        if found == nil {
            if let (header, section) = files.configSection(profile) {
                if let region = CredentialChain.nonEmpty(section.settings["region"]) {
                    found = (region, .file(path: files.configPath, section: header, key: "region"))
                } else {
                    looked.append("[\(header)] in \(files.configPath): no region")
                }
            } else {
                looked.append(files.config == nil ? "\(files.configPath): no such file"
                                                  : "\(files.configPath): no [\(profile == "default" ? "default" : "profile \(profile)")] section")
            }
        }
        guard let (region, source) = found else { throw .noRegion(profile: profile, lookedAt: looked) }
        guard isRegionName(region) else { throw .invalidRegion(region, source: source.description) }
        return (region, source)
    }

    /// Lowercase letters, digits and hyphens, starting with a letter (`us-east-1`,
    /// `us-gov-west-1`, `cn-north-1`); emulators accept such names too.
    static func isRegionName(_ region: String) -> Bool {
        guard let first = region.unicodeScalars.first, ("a"..."z").contains(first), region.count <= 40,
              !region.hasSuffix("-"), !region.contains("--") else { return false }
        return region.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    static func endpointSettings(environment: [String: String], profile: String,
                                 files: SharedConfig) throws(AWSConfigurationError) -> EndpointSettings {
        var settings = EndpointSettings(environment: environment)
        let section = files.configSection(profile)
        if let flag = environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] ?? section?.section.settings["ignore_configured_endpoint_urls"] {
            settings.ignoresConfiguredURLs = flag.lowercased() == "true"
        }
        guard let (header, values) = section else { return settings }
        if let url = CredentialChain.nonEmpty(values.settings["endpoint_url"]) {
            settings.profileURL = url
            settings.profileURLSource = .file(path: files.configPath, section: header, key: "endpoint_url")
        }
        if let name = CredentialChain.nonEmpty(values.settings["services"]) {
            guard let services = files.config?.sections["services \(name)"] else {
                throw .missingServicesSection(name, profile: profile, file: files.configPath)
            }
            settings.services = services.groups
            settings.servicesSource = (files.configPath, "services \(name)")
        }
        return settings
    }
}
