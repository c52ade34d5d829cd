/// One `permissions` entry: mode, ACL, SELinux context and owner for objects the
/// deployment installs under `object` (reference §2.5). Linux only.
public struct Permission: Sendable, Equatable {
    /// Which installed things an entry applies to.
    public enum ObjectType: String, Sendable, CaseIterable {
        case file
        case directory
    }

    /// The default `pattern`: everything below `object`, at any depth.
    public static let everything = "**"

    /// A path on the instance, after copying.
    public var object: String
    /// A glob (`*` only) matched against names directly below `object`, or `**`.
    public var pattern: String
    /// Globs excluded from `pattern`, matched the same way.
    public var except: [String]
    public var owner: String?
    public var group: String?
    /// Permission bits, e.g. `0o644` (written `644` or `"0644"` in the appspec).
    public var mode: Int?
    /// `setfacl`-style entries such as `u:deploy:rwx` or `d:g:web:r-x`, applied with `setfacl --set`.
    public var acls: [String]
    public var context: SELinuxContext?
    /// What the entry applies to; both by default.
    public var types: Set<ObjectType>

    public init(
        object: String, pattern: String = everything, except: [String] = [], owner: String? = nil,
        group: String? = nil, mode: Int? = nil, acls: [String] = [], context: SELinuxContext? = nil,
        types: Set<ObjectType> = [.file, .directory]
    ) {
        self.object = object
        self.pattern = pattern
        self.except = except
        self.owner = owner
        self.group = group
        self.mode = mode
        self.acls = acls
        self.context = context
        self.types = types
    }
}
