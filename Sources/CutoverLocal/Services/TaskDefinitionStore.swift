import Foundation

/// Registered task definitions: revisions 1, 2, 3… per family, never changed once
/// registered; persisted in `services/task-definitions.json`.
final class TaskDefinitionStore: @unchecked Sendable {
    static let arnPrefix = "arn:cutover:ecs:local:task-definition/"

    private let file: String
    private let lock = NSLock()
    private var definitions: [Control.TaskDefinition] = []

    init(file: String) {
        self.file = file
        if let data = FileManager.default.contents(atPath: file) {
            definitions = (try? JSONDecoder().decode([Control.TaskDefinition].self, from: data)) ?? []
        }
    }

    func list() -> [Control.TaskDefinition] { lock.withLock { definitions } }

    func register(_ request: Control.RegisterTaskDefinition) throws -> Control.TaskDefinition {
        guard Self.isName(request.family) else {
            throw ServiceError.invalid("family '\(request.family)' must be 1–255 letters, digits, - or _")
        }
        guard let program = request.command.first, !program.isEmpty else {
            throw ServiceError.invalid("task definition \(request.family): command must name a program (argv, first element looked up in PATH)")
        }
        let portVariable = request.containerPortEnv ?? "PORT"
        guard !portVariable.isEmpty, !portVariable.contains("=") else {
            throw ServiceError.invalid("container_port_env '\(portVariable)' is not a variable name")
        }
        let healthPath = request.healthPath ?? "/health"
        guard healthPath.hasPrefix("/") else { throw ServiceError.invalid("health_path must start with /, got '\(healthPath)'") }
        if let key = request.environment?.keys.first(where: { $0.isEmpty || $0.contains("=") }) {
            throw ServiceError.invalid("environment variable name '\(key)' is not valid")
        }
        return try lock.withLock {
            let revision = (definitions.filter { $0.family == request.family }.map(\.revision).max() ?? 0) + 1
            let definition = Control.TaskDefinition(
                arn: Self.arnPrefix + "\(request.family):\(revision)", family: request.family, revision: revision,
                command: request.command, environment: request.environment ?? [:],
                containerName: request.containerName ?? request.family, containerPortEnv: portVariable,
                healthPath: healthPath, workingDirectory: request.workingDirectory)
            definitions.append(definition)
            do {
                try save()
            } catch {
                definitions.removeLast()
                throw ServiceError.invalid("cannot save \(file): \(error.localizedDescription)")
            }
            return definition
        }
    }

    /// `FAMILY:REV`, `FAMILY` (its latest revision) or the arn of either.
    func find(_ reference: String) throws -> Control.TaskDefinition {
        let bare = reference.hasPrefix(Self.arnPrefix) ? String(reference.dropFirst(Self.arnPrefix.count)) : reference
        let parts = bare.split(separator: ":", omittingEmptySubsequences: false)
        let found: Control.TaskDefinition? = lock.withLock {
            switch parts.count {
            case 1: return definitions.filter { $0.family == bare }.max { $0.revision < $1.revision }
            case 2: return definitions.first { $0.family == parts[0] && String($0.revision) == parts[1] }
            default: return nil
            }
        }
        guard let found else { throw ServiceError.taskDefinitionNotFound(reference) }
        return found
    }

    /// ECS's rule for family and service names.
    static func isName(_ name: String) -> Bool {
        (1...255).contains(name.count) && name.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "_" }
    }

    private func save() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(definitions).write(to: URL(fileURLWithPath: file), options: .atomic)
    }
}
