/// One profile's settings as the credential chain reads them: the credentials file's
/// `[NAME]` over the config file's `[profile NAME]`, as botocore merges them, each value
/// with the place it came from.
struct ProfileSettings: Sendable {
    let profile: String
    let files: SharedConfig

    /// The value of `key`, non-empty, and where it is written.
    func value(_ key: String) -> (String, SettingSource)? {
        if let value = CredentialChain.nonEmpty(files.credentialsSection(profile)?.settings[key]) {
            return (value, .file(path: files.credentialsPath, section: profile, key: key))
        }
        if let (header, section) = files.configSection(profile), let value = CredentialChain.nonEmpty(section.settings[key]) {
            return (value, .file(path: files.configPath, section: header, key: key))
        }
        return nil
    }

    func has(_ key: String) -> Bool { value(key) != nil }

    var exists: Bool { files.hasProfile(profile) }
}
