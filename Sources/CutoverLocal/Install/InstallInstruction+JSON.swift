import CutoverCore

/// The plan as the agent writes `<group-id>-install.json`: `{"instructions": [...]}` with
/// one object per command, typed `copy`, `mkdir`, `chmod`, `setfacl`, `semanage` or `chown`.
extension InstallInstruction: Encodable {
    private enum Key: String, CodingKey {
        case type, source, destination, overwrite, directory, file, mode, acl, context, owner, group
    }

    private enum ContextKey: String, CodingKey {
        case user, type, range
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .makeDirectory(let path):
            try container.encode("mkdir", forKey: .type)
            try container.encode(path, forKey: .directory)
        case .copy(let source, let destination, let replacing):
            try container.encode("copy", forKey: .type)
            try container.encode(source, forKey: .source)
            try container.encode(destination, forKey: .destination)
            if replacing { try container.encode(true, forKey: .overwrite) }
        case .changeMode(let path, let mode):
            try container.encode("chmod", forKey: .type)
            try container.encode(Self.octal(mode), forKey: .mode)
            try container.encode(path, forKey: .file)
        case .setACL(let path, let entries):
            try container.encode("setfacl", forKey: .type)
            try container.encode(entries, forKey: .acl)
            try container.encode(path, forKey: .file)
        case .setSELinuxContext(let path, let context):
            try container.encode("semanage", forKey: .type)
            var nested = container.nestedContainer(keyedBy: ContextKey.self, forKey: .context)
            try nested.encodeIfPresent(context.user, forKey: .user)
            try nested.encode(context.type, forKey: .type)
            try nested.encodeIfPresent(context.range, forKey: .range)
            try container.encode(path, forKey: .file)
        case .changeOwner(let path, let owner, let group):
            try container.encode("chown", forKey: .type)
            try container.encodeIfPresent(owner, forKey: .owner)
            try container.encodeIfPresent(group, forKey: .group)
            try container.encode(path, forKey: .file)
        }
    }

    /// `0o644` → `"644"`, at least three digits, as modes are written in appspecs.
    static func octal(_ mode: Int) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 3 - digits.count)) + digits
    }
}
