/// Paths inside an unpacked revision.
enum BundlePath {
    /// The host path of `relative` (a `files` source, an appspec name) inside `archive`.
    ///
    /// The agent joins the source onto the archive directory, so a leading `/` is harmless
    /// and `/` alone is the whole bundle (reference §2.3); trailing slashes and `.` make no
    /// difference. A `..` that climbs out of the bundle is refused rather than followed.
    static func resolve(_ relative: String, in archive: String) throws(InstallError) -> String {
        var components: [Substring] = []
        for component in relative.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..":
                guard components.popLast() != nil else { throw .outsideBundle(path: relative) }
            default: components.append(component)
            }
        }
        return components.isEmpty ? archive : archive + "/" + components.joined(separator: "/")
    }
}
