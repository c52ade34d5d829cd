/// One `files` entry: copy `source` (in the bundle) into the directory `destination`.
///
/// A directory source has its contents copied into `destination`; a file source lands
/// at `destination/<its name>` (reference §2.3).
public struct FileMapping: Sendable, Equatable {
    /// Relative to the bundle root; a leading `/` is harmless and `/` alone is the whole bundle.
    public var source: String
    /// An absolute path on the instance, always treated as a directory.
    public var destination: String

    public init(source: String, destination: String) {
        self.source = source
        self.destination = destination
    }
}
