import CutoverCore
import Yams

/// The EC2/on-premises form (reference §2), read as agent 1.8.1 reads it.
extension AppSpecReader {
    static let serverKeys = ["version", "os", "files", "file_exists_behavior", "permissions", "hooks"]

    mutating func readServer(_ root: MappingFields) -> ServerAppSpec? {
        checkVersion(in: root, platform: .server)
        let os = readOperatingSystem(root)
        let files = root["files"].map { readFiles($0) } ?? []
        let fileExistsBehavior = root["file_exists_behavior"].flatMap { readFileExistsBehavior($0) }
        var permissions: [Permission] = []
        if let entry = root.entry("permissions"), !entry.value.isNull {
            permissions = readPermissions(entry.value)
            if os == .windows, !permissions.isEmpty {
                report(
                    "permissions are not supported on Windows", at: entry.keyNode,
                    hint: "remove the `permissions` section, or deploy to Linux (`os: linux`)")
            }
        }
        let hooks = root["hooks"].map { readServerHooks($0) } ?? [:]
        reportMisspellings(in: root, of: "the appspec")

        guard let os else { return nil }
        return ServerAppSpec(
            os: os, files: files, fileExistsBehavior: fileExistsBehavior, permissions: permissions, hooks: hooks)
    }

    // MARK: - os, file_exists_behavior

    /// Each agent accepts only its own system; a validator does not know which agent will
    /// read the file, so both are accepted here.
    private mutating func readOperatingSystem(_ root: MappingFields) -> ServerAppSpec.OperatingSystem? {
        let hint = "write `os: linux` (or `os: windows`)"
        guard let node = root["os"] else {
            reportMissing("os", in: root, message: "the appspec has no `os`", hint: hint)
            return nil
        }
        guard let text = string(node, named: "`os`", hint: hint) else { return nil }
        if let os = ServerAppSpec.OperatingSystem(rawValue: text) { return os }
        let meant = ServerAppSpec.OperatingSystem.allCases.first { $0.rawValue == text.lowercased() }
        report(
            "unsupported operating system `\(text)`", at: node,
            hint: meant.map { "did you mean `\($0.rawValue)`? (lower case)" } ?? "use `linux` or `windows`")
        return nil
    }

    private mutating func readFileExistsBehavior(_ node: Node) -> FileExistsBehavior? {
        let hint = "use DISALLOW, OVERWRITE or RETAIN"
        guard let text = string(node, named: "`file_exists_behavior`", hint: hint) else { return nil }
        if let behavior = FileExistsBehavior(rawValue: text) { return behavior }
        let meant = FileExistsBehavior(rawValue: text.uppercased())
        report(
            "invalid file_exists_behavior `\(text)`", at: node,
            hint: meant.map { "did you mean `\($0.rawValue)`? (upper case)" } ?? hint)
        return nil
    }

    // MARK: - files

    private mutating func readFiles(_ node: Node) -> [FileMapping] {
        let shape = "write each entry as `- source: PATH` with `destination: PATH` below it"
        guard let items = items(of: node, named: "`files`", hint: shape) else { return [] }
        var mappings: [(mapping: FileMapping, node: Node, destination: Node)] = []
        for item in items {
            guard let fields = fields(of: item, named: "a `files` entry", known: ["source", "destination"], hint: shape)
            else { continue }
            var source: String?
            if let node = fields["source"] {
                source = string(node, named: "`source`", hint: "give a path in the bundle")
            } else {
                reportMissing(
                    "source", in: fields, message: "file mapping has no `source`",
                    hint: "add `source:` with a path in the bundle (`/` for all of it)")
            }
            var destination: String?
            if let node = fields["destination"] {
                destination = string(node, named: "`destination`", hint: "give an absolute path on the instance")
                if let path = destination, !Self.isAbsolute(path) {
                    report(
                        "destination `\(path)` is not an absolute path", at: node,
                        hint: "CodeDeploy needs a fully qualified destination, such as /var/www/app")
                }
            } else {
                reportMissing(
                    "destination", in: fields, message: "file mapping has no `destination`",
                    hint: "add `destination:` with the absolute path to copy to")
            }
            reportMisspellings(in: fields, of: "this file mapping")
            if let source, let destination, let destinationNode = fields["destination"] {
                mappings.append((FileMapping(source: source, destination: destination), item, destinationNode))
            }
        }
        reportDuplicateDestinations(mappings.map { ($0.mapping, $0.node, $0.destination) })
        return mappings.map(\.mapping)
    }

    /// Reports entries that would copy the same bundle file to the same place twice,
    /// which fails the agent's Install event (reference §2.3).
    ///
    /// Without the bundle it is unknown which sources are files and which directories,
    /// so only conflicts that hold either way are reported: entry B's source is A's
    /// source or lies inside it (by the relative path R), and B's destination is A's
    /// destination followed by R. Then A installs B's source at the place B installs it
    /// (or, if it is a file, B wants a directory where A puts that file). For example
    /// `/ → /srv/app` and `config → /srv/app/config`.
    private mutating func reportDuplicateDestinations(_ entries: [(FileMapping, Node, Node)]) {
        let paths = entries.map { (Self.components($0.0.source), Self.components($0.0.destination)) }
        for later in entries.indices {
            for earlier in entries.indices where earlier < later {
                let (a, b) = (paths[earlier], paths[later])
                let overlaps =
                    (b.0.starts(with: a.0) && b.1 == a.1 + b.0.dropFirst(a.0.count))
                    || (a.0.starts(with: b.0) && a.1 == b.1 + a.0.dropFirst(b.0.count))
                guard overlaps else { continue }
                let first = entries[earlier].0
                let line = entries[earlier].1.mark.map { "line \($0.line)" } ?? "another entry"
                report(
                    "this file mapping installs files in the same place as the one at \(line) "
                        + "(`\(first.source)` → `\(first.destination)`)",
                    at: entries[later].2,
                    hint: "remove one of them: the Install event fails when two copies target the same file")
                break
            }
        }
    }

    /// A path as the agent's `File.expand_path` sees it, split into names.
    static func components(_ path: String) -> [Substring] {
        var result: [Substring] = []
        for part in path.split(whereSeparator: { $0 == "/" || $0 == "\\" }) {
            if part == "." { continue }
            if part == ".." {
                _ = result.popLast()
                continue
            }
            result.append(part)
        }
        return result
    }

    /// `/x` on Linux; `C:\x`, `C:/x` or `\\server\x` on Windows.
    private static func isAbsolute(_ path: String) -> Bool {
        if path.hasPrefix("/") || path.hasPrefix("\\\\") { return true }
        let characters = Array(path.prefix(3))
        return characters.count == 3 && characters[0].isLetter && characters[1] == ":"
            && (characters[2] == "\\" || characters[2] == "/")
    }

    // MARK: - hooks

    private mutating func readServerHooks(_ node: Node) -> [LifecycleEvent: [HookScript]] {
        guard case .mapping(let mapping) = node else {
            report(
                "`hooks` must be a mapping of lifecycle events to scripts, not \(node.kindDescription)", at: node,
                hint: "write each event as `EventName:` followed by a list of `- location: …` entries")
            return [:]
        }
        var hooks: [LifecycleEvent: [HookScript]] = [:]
        for (key, value) in mapping {
            let event = hookableEvent(named: key, on: .server)
            let scripts = readScripts(value, of: key.text ?? "this event", keyNode: key)
            if let event { hooks[event] = scripts }
        }
        return hooks
    }

    private mutating func readScripts(_ node: Node, of event: String, keyNode: Node) -> [HookScript] {
        let shape = "list the scripts below it, each as `- location: scripts/NAME.sh`"
        if node.isNull {
            report("`\(event)` has no scripts", at: keyNode, hint: shape + ", or remove the event")
            return []
        }
        guard let items = items(of: node, named: "the scripts of `\(event)`", hint: shape) else { return [] }
        var scripts: [HookScript] = []
        for item in items {
            guard case .mapping = item else {
                report(
                    "a script must be a mapping with a `location`, not \(item.kindDescription)", at: item,
                    hint: "write `- location: \(item.text ?? "scripts/NAME.sh")`")
                continue
            }
            if let script = readScript(MappingFields(item, known: ["location", "timeout", "runas", "sudo"])) {
                scripts.append(script)
            }
        }
        return scripts
    }

    private mutating func readScript(_ fields: MappingFields) -> HookScript? {
        var location: String?
        if let node = fields["location"] {
            location = string(node, named: "`location`", hint: "give the script's path in the bundle")?.trimmingWhitespace()
            if location == "" {
                report("script has an empty `location`", at: node, hint: "give the script's path in the bundle")
            }
        } else {
            reportMissing(
                "location", in: fields, message: "script has no `location`",
                hint: "add `location:` with the script's path in the bundle")
        }
        var timeout = HookScript.defaultTimeout
        if let node = fields["timeout"] {
            let hint = "give the seconds the script may run, at most 3600 (the default)"
            if let seconds = integer(node, named: "`timeout`", hint: hint) {
                if seconds > 0 {
                    timeout = .seconds(seconds)
                } else {
                    report("timeout must be more than 0 seconds, not \(seconds)", at: node, hint: hint)
                }
            }
        }
        let runas = fields["runas"]
            .flatMap { string($0, named: "`runas`", hint: "give a user name") }?.trimmingWhitespace()
        var sudo = false
        if let node = fields["sudo"] {
            if node.tagName == .bool, node.isPlainScalar, let value = node.bool {
                sudo = value
            } else {
                report("`sudo` must be true or false", at: node, hint: "write `sudo: true` or leave it out")
            }
        }
        reportMisspellings(in: fields, of: "this script")
        guard let location, !location.isEmpty else { return nil }
        return HookScript(location: location, timeout: timeout, runas: runas?.isEmpty == false ? runas : nil, sudo: sudo)
    }
}
