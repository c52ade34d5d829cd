import CutoverCore
import Yams

/// The `permissions` section of a server appspec (reference §2.5).
extension AppSpecReader {
    private static let permissionKeys = ["object", "pattern", "except", "owner", "group", "mode", "acls", "context", "type"]

    mutating func readPermissions(_ node: Node) -> [Permission] {
        let shape = "write each entry as `- object: PATH` with its settings below it"
        guard let items = items(of: node, named: "`permissions`", hint: shape) else { return [] }
        var permissions: [(permission: Permission, object: Node)] = []
        for item in items {
            guard let fields = fields(of: item, named: "a `permissions` entry", known: Self.permissionKeys, hint: shape),
                  let permission = readPermission(fields), let object = fields["object"]
            else { continue }
            if let earlier = permissions.first(where: { Self.isDuplicate($0.permission, permission) }) {
                let line = earlier.object.mark.map { " (first at line \($0.line))" } ?? ""
                report(
                    "permissions for `\(permission.object)` are listed twice\(line)", at: object,
                    hint: "merge the two entries: the Install event fails when an object's permissions are set twice")
            }
            permissions.append((permission, object))
        }
        return permissions.map(\.permission)
    }

    /// Two entries the agent would certainly apply to the same objects: the same object,
    /// pattern and exceptions, and a type in common. Entries that differ in pattern may
    /// well select different objects, which only the bundle can tell.
    private static func isDuplicate(_ a: Permission, _ b: Permission) -> Bool {
        components(a.object) == components(b.object) && a.pattern == b.pattern && a.except == b.except
            && !a.types.isDisjoint(with: b.types)
    }

    private mutating func readPermission(_ fields: MappingFields) -> Permission? {
        var object: String?
        if let node = fields["object"] {
            object = string(node, named: "`object`", hint: "give the path to set permissions on")?.trimmingWhitespace()
            if object == "" { report("permission has an empty `object`", at: node, hint: "give the path to set permissions on") }
        } else {
            reportMissing(
                "object", in: fields, message: "permission has no `object`",
                hint: "add `object:` with the installed path the permissions apply to")
        }
        let pattern = fields["pattern"].flatMap { string($0, named: "`pattern`", hint: "give one glob, such as \"*.sh\"") }
        let except = fields["except"].map { stringList($0, named: "`except`", example: "except: [\"*.log\"]") } ?? []
        let owner = fields["owner"].flatMap { string($0, named: "`owner`", hint: "give a user name") }
        let group = fields["group"].flatMap { string($0, named: "`group`", hint: "give a group name") }
        let mode = fields["mode"].flatMap { readMode($0) }
        let acls = fields["acls"].map { readACLs($0) } ?? []
        let context = fields["context"].flatMap { readContext($0) }
        let types = fields["type"].map { readObjectTypes($0) } ?? [.file, .directory]
        reportMisspellings(in: fields, of: "this permission")

        guard let object, !object.isEmpty else { return nil }
        return Permission(
            object: object, pattern: pattern ?? Permission.everything, except: except, owner: owner, group: group,
            mode: mode, acls: acls, context: context, types: types)
    }

    /// A list of strings; the agent iterates it, so a single string is an error.
    private mutating func stringList(_ node: Node, named what: String, example: String) -> [String] {
        guard let items = items(of: node, named: what, hint: "write it as a list: `\(example)`") else { return [] }
        return items.compactMap { string($0, named: "an entry of \(what)", hint: "write it as a list: `\(example)`") }
    }

    private mutating func readObjectTypes(_ node: Node) -> Set<Permission.ObjectType> {
        let hint = "write `type: [file]`, `type: [directory]` or both"
        guard let items = items(of: node, named: "`type`", hint: hint) else { return [] }
        var types: Set<Permission.ObjectType> = []
        for item in items {
            guard let text = string(item, named: "a permission type", hint: hint) else { continue }
            if let type = Permission.ObjectType(rawValue: text) {
                types.insert(type)
            } else {
                report("unsupported permission type `\(text)`", at: item, hint: "use `file` or `directory`")
            }
        }
        return types
    }

    // MARK: - mode

    /// Octal digits, 1 to 4 of them, as the agent's `ModeInfo` reads them.
    ///
    /// An unquoted mode with a leading zero is a trap: YAML 1.1 reads `0644` as the octal
    /// number 420, and the agent then applies mode 420 (`r---w----`). That is reported
    /// rather than followed, whenever the number YAML reads differs from the digits written.
    private mutating func readMode(_ node: Node) -> Int? {
        let hint = "write 1 to 4 octal digits, such as 644 or \"0755\" (symbolic modes like u+x are not supported)"
        guard let text = string(node, named: "`mode`", hint: hint) else { return nil }
        if text.isEmpty {
            report("`mode` is empty", at: node, hint: hint)
            return nil
        }
        if let bad = text.first(where: { !("0"..."7").contains($0) }) {
            report("mode `\(text)` has a character that is not an octal digit (`\(bad)`)", at: node, hint: hint)
            return nil
        }
        guard text.count <= 4, let value = Int(text, radix: 8) else {
            report("mode `\(text)` is longer than 4 digits", at: node, hint: hint)
            return nil
        }
        let asWritten = String(Int(text) ?? 0)
        if node.isPlainScalar, text.hasPrefix("0"), node.tagName == .int, let read = node.int, String(read) != asWritten {
            report(
                "the unquoted mode \(text) is read by YAML as the octal number \(read), which the agent applies as mode \(read)",
                at: node, hint: "quote it (\"\(text)\") or drop the leading zero (\(asWritten))")
            return nil
        }
        return value
    }

    // MARK: - acls

    private mutating func readACLs(_ node: Node) -> [String] {
        let entries = stringList(node, named: "`acls`", example: "acls: [\"u:deploy:rwx\"]")
        guard case .sequence(let items) = node else { return entries }
        let shape = "write entries as [d:][u|g|m|o]:[name]:perms, such as u:deploy:rwx or d:g:web:r-x"
        for (item, entry) in zip(items, entries) {
            switch AccessControlEntry.problem(in: entry) {
            case nil: break
            case .malformed:
                report("malformed ACL entry `\(entry)`", at: item, hint: shape)
            case .baseEntry:
                report(
                    "ACL entry `\(entry)` sets base permissions (owner, owning group or others)", at: item,
                    hint: "use `mode` for those; ACL entries name a user or group, or are mask or default entries")
            case .invalidPermission(let character):
                report(
                    "ACL entry `\(entry)` has an invalid permission character `\(character)`", at: item,
                    hint: "use r, w, x and -, or one octal digit")
            }
        }
        return entries
    }

    // MARK: - context

    private mutating func readContext(_ node: Node) -> SELinuxContext? {
        guard let fields = fields(
            of: node, named: "`context`", known: ["user", "name", "type", "range"],
            hint: "write `context:` with `type:` (and optionally `user:` and `range:`) below it")
        else { return nil }
        // The guide's key is `user`; agent 1.8.1 reads `name`. Either is accepted.
        let user = (fields["user"] ?? fields["name"]).flatMap { string($0, named: "the SELinux user", hint: "give a user such as system_u") }
        var type: String?
        if let node = fields["type"] {
            type = string(node, named: "the SELinux type", hint: "give a type such as httpd_sys_content_t")
        } else {
            reportMissing(
                "type", in: fields, message: "SELinux context has no `type`",
                hint: "add `type:`, such as httpd_sys_content_t")
        }
        var range: String?
        if let node = fields["range"], let text = string(node, named: "the SELinux range", hint: "give a range such as s0") {
            if let problem = SELinuxRange.problem(in: text) {
                report(
                    "malformed SELinux range `\(text)`: \(problem)", at: node,
                    hint: "write s<N>[-s<N>][:c<N>[.c<N>],…], such as s0 or s0-s1:c0.c3 (categories up to c1023)")
            } else {
                range = text
            }
        }
        reportMisspellings(in: fields, of: "this context")
        guard let type else { return nil }
        return SELinuxContext(user: user, type: type, range: range)
    }
}
