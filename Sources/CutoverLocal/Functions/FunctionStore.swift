import Foundation

/// Functions on disk, under `<state>/functions/NAME/`:
///
///     function.json      $LATEST's configuration (handler, timeout, environment, code hash)
///     latest/            $LATEST's code
///     versions/N/        version N's code: a copy, never changed after publishing
///     versions/N.json    version N's configuration, as $LATEST's was when it was published
///     aliases.json       the aliases
///
/// Every file is written whole and renamed into place, so a daemon killed at any
/// moment finds either the old or the new state when it starts again.
struct FunctionStore {
    /// What a version runs with (and what $LATEST runs with now).
    struct Configuration: Codable, Equatable {
        var handler: String
        var runtime: CodeTree.Runtime
        var timeoutMilliseconds: Int
        var environment: [String: String]
        var codeSha256: String
    }

    struct Function: Codable {
        var name: String
        var configuration: Configuration
        var lastModified: String
        /// Published versions, oldest first (not in function.json: read from versions/).
        var versions: [Version] = []
        /// By name (not in function.json: read from aliases.json).
        var aliases: [String: Control.FunctionAlias] = [:]

        enum CodingKeys: String, CodingKey { case name, configuration, lastModified }
    }

    struct Version: Codable {
        var number: Int
        var createdAt: String
        var configuration: Configuration
    }

    let root: String

    init(paths: LocalPaths) {
        root = paths.root + "/functions"
    }

    func directory(of name: String) -> String { root + "/" + name }
    func latestCode(of name: String) -> String { directory(of: name) + "/latest" }
    func code(of name: String, version: Int) -> String { directory(of: name) + "/versions/\(version)" }

    // MARK: - Reading

    /// Every function of an earlier run (a directory that cannot be read is skipped).
    func load() -> [String: Function] {
        let fm = FileManager.default
        var functions: [String: Function] = [:]
        for name in (try? fm.contentsOfDirectory(atPath: root)) ?? [] where !name.hasPrefix(".") {
            let directory = directory(of: name)
            guard let data = fm.contents(atPath: directory + "/function.json"),
                  var function = try? JSONDecoder().decode(Function.self, from: data) else { continue }
            let files = (try? fm.contentsOfDirectory(atPath: directory + "/versions")) ?? []
            function.versions = files.compactMap { file -> Version? in
                guard file.hasSuffix(".json"), let data = fm.contents(atPath: directory + "/versions/" + file) else { return nil }
                return try? JSONDecoder().decode(Version.self, from: data)
            }.sorted { $0.number < $1.number }
            if let data = fm.contents(atPath: directory + "/aliases.json"),
               let aliases = try? JSONDecoder().decode([Control.FunctionAlias].self, from: data) {
                function.aliases = Dictionary(aliases.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
            }
            functions[name] = function
        }
        return functions
    }

    // MARK: - Writing

    /// Copies new code in as $LATEST and writes its configuration; returns the code's hash.
    func installLatest(of name: String, code tree: CodeTree) throws(FunctionProblem) -> String {
        let fm = FileManager.default
        let directory = directory(of: name)
        let staging = directory + "/.staging-" + UUID().uuidString
        do {
            try fm.createDirectory(atPath: directory + "/versions", withIntermediateDirectories: true)
        } catch {
            throw .storage("cannot create \(directory): \(error.localizedDescription)")
        }
        try tree.copy(to: staging)
        let hash = CodeTree.sha256(of: staging)
        // Swap the directories: an invocation starting in between would miss its working
        // directory for a moment, never see half the new code.
        let latest = latestCode(of: name)
        let old = directory + "/.old-" + UUID().uuidString
        if fm.fileExists(atPath: latest) { rename(latest, old) }
        guard rename(staging, latest) == 0 else {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(atPath: staging)
            throw .storage("cannot install the code of \(name): \(reason)")
        }
        try? fm.removeItem(atPath: old)
        return hash
    }

    func save(_ function: Function) throws(FunctionProblem) {
        try write(function, to: directory(of: function.name) + "/function.json")
    }

    /// Copies $LATEST's code to versions/N and writes the version's configuration.
    func publish(_ function: Function, as number: Int, createdAt: String) throws(FunctionProblem) -> Version {
        let fm = FileManager.default
        let directory = directory(of: function.name)
        let staging = directory + "/.staging-" + UUID().uuidString
        do {
            try fm.copyItem(atPath: latestCode(of: function.name), toPath: staging)
        } catch {
            throw .storage("cannot copy the code of \(function.name): \(error.localizedDescription)")
        }
        let destination = code(of: function.name, version: number)
        try? fm.removeItem(atPath: destination) // a leftover of a publish that died before its .json
        guard rename(staging, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            try? fm.removeItem(atPath: staging)
            throw .storage("cannot publish version \(number) of \(function.name): \(reason)")
        }
        let version = Version(number: number, createdAt: createdAt, configuration: function.configuration)
        try write(version, to: destination + ".json")
        return version
    }

    func saveAliases(_ function: Function) throws(FunctionProblem) {
        try write(function.aliases.values.sorted { $0.name < $1.name }, to: directory(of: function.name) + "/aliases.json")
    }

    private func write<T: Encodable>(_ value: T, to path: String) throws(FunctionProblem) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try encoder.encode(value).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .storage("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
