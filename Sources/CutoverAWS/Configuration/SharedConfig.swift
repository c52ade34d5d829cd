import Foundation

/// The shared config and credentials files, as the AWS CLI and SDKs share them.
///
/// `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` move them from `~/.aws/config`
/// and `~/.aws/credentials`. The config file names profiles `[profile NAME]` (and
/// `[default]`); the credentials file names them `[NAME]`. A file that does not exist is
/// no error: it holds nothing.
public struct SharedConfig: Sendable {
    public let configPath: String
    public let credentialsPath: String
    /// nil when the file does not exist.
    public let config: ConfigFile?
    public let credentials: ConfigFile?

    public init(configPath: String, credentialsPath: String, config: ConfigFile?, credentials: ConfigFile?) {
        self.configPath = configPath
        self.credentialsPath = credentialsPath
        self.config = config
        self.credentials = credentials
    }

    /// Reads both files from where `environment` says they are.
    public static func load(environment: [String: String]) throws(AWSConfigurationError) -> SharedConfig {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
        let configPath = expand(environment["AWS_CONFIG_FILE"] ?? "~/.aws/config", home: home)
        let credentialsPath = expand(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials", home: home)
        return SharedConfig(configPath: configPath, credentialsPath: credentialsPath,
                            config: try read(configPath), credentials: try read(credentialsPath))
    }

    /// The config file's section for `profile`: `[profile NAME]`, or `[default]` for default.
    public func configSection(_ profile: String) -> (header: String, section: ConfigFile.Section)? {
        guard let config else { return nil }
        let headers = profile == "default" ? ["default", "profile default"] : ["profile \(profile)"]
        for header in headers {
            if let section = config.sections[header] { return (header, section) }
        }
        return nil
    }

    /// The credentials file's section `[profile]`.
    public func credentialsSection(_ profile: String) -> ConfigFile.Section? {
        credentials?.sections[profile]
    }

    /// Every profile either file defines, sorted.
    public var profileNames: [String] {
        var names = Set(credentials?.sections.keys.map { $0 } ?? [])
        for header in config.map({ Array($0.sections.keys) }) ?? [] {
            if header == "default" { names.insert("default") }
            if header.hasPrefix("profile ") { names.insert(String(header.dropFirst("profile ".count)).trimmingCharacters(in: .whitespaces)) }
        }
        return names.sorted()
    }

    public func hasProfile(_ name: String) -> Bool {
        configSection(name) != nil || credentialsSection(name) != nil
    }

    private static func expand(_ path: String, home: String?) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home else { return path }
        return home + path.dropFirst()
    }

    private static func read(_ path: String) throws(AWSConfigurationError) -> ConfigFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadableFile(path: path, reason: "permission denied or not a regular file")
        }
        return try ConfigFile.parse(String(decoding: data, as: UTF8.self), path: path)
    }
}
