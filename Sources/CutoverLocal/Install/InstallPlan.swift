import Foundation

/// What one Install does, in order: directories and copies from `files`, then the
/// permission changes from `permissions` (reference §15.4 step 2).
public struct InstallPlan: Sendable, Equatable, Encodable {
    public var instructions: [InstallInstruction]

    public init(instructions: [InstallInstruction] = []) {
        self.instructions = instructions
    }

    /// `{"instructions": [...]}`, keys sorted so that equal plans give equal files.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, numbers and arrays cannot fail.
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
