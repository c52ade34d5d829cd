import MotoHarness
import Testing

/// `@Suite(.moto)`: one moto server for the whole suite, started before its first test
/// and stopped (with its process group) after its last; tests read it from
/// `MotoServer.current`.
struct MotoSuiteTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try MotoServer.start()
        defer { server.stop() }
        try await MotoServer.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == MotoSuiteTrait {
    static var moto: MotoSuiteTrait { MotoSuiteTrait() }
}
