import CutoverCore
import Foundation
import Testing
@testable import CutoverHistory

/// A deployment run to its end by the pure engine, every lifecycle event succeeding.
private func run(_ id: String, hosts: Int = 3) -> (DeploymentSpec, [RecordedEvent]) {
    let spec = DeploymentSpec(
        id: id, application: "shop", group: "web", revision: "v2", lastSuccessfulRevision: "v1",
        configuration: DeploymentConfiguration(name: "CodeDeployDefault.OneAtATime", platform: .server, minimumHealthyHosts: .oneAtATime),
        targets: (1...hosts).map { TargetDescription(id: "web-\($0)", revision: "v1") })
    var engine = DeploymentEngine(spec: spec)
    var log = [RecordedEvent(sequence: 0, time: 0, event: .created)]
    var pending: [EngineInput] = [.start]
    var now: Int64 = 0
    while !pending.isEmpty {
        let input = pending.removeFirst()
        now += 1000
        let (events, commands) = engine.handle(input, now: now)
        for e in events { log.append(RecordedEvent(sequence: log.count, time: now, event: e)) }
        for case .runLifecycleEvent(let t, let event) in commands {
            pending.append(.lifecycleResult(target: t, event: event, status: .succeeded, error: .success, message: ""))
        }
    }
    return (spec, log)
}

private func temporaryPath() -> String {
    NSTemporaryDirectory() + "cutover-history-" + UUID().uuidString + "/history.sqlite"
}

@Suite struct HistoryDatabaseTests {
    @Test func aDeploymentComesBackAsItWasRecorded() throws {
        let store = try HistoryDatabase(path: temporaryPath())
        let (spec, log) = run("d-ONE")
        #expect(log.last.map { if case .ended(.succeeded, _, _) = $0.event { true } else { false } } == true)
        let session = try store.startSession(kind: "run", provider: "sim", command: "cutover run deploy.lua")
        try store.recordDeployment(spec, session: session, provider: "sim", policySource: "-- none", seed: 42)
        try store.recordEvents(Array(log.prefix(5)), of: spec, session: session)
        try store.recordEvents(Array(log.dropFirst(5)), of: spec, session: session)
        let back = try store.deployment("d-ONE")
        #expect(back.spec == spec)
        #expect(back.events == log)
        #expect(back.seed == 42)
        #expect(back.summary.status == "Succeeded")
        #expect(back.summary.events == log.count)
        // The recorded events rebuild the engine's state exactly.
        let rebuilt = DeploymentEngine(spec: back.spec, replaying: back.events.map(\.event))
        #expect(rebuilt.state.status == .succeeded)
        #expect(rebuilt.state.targetStatus == [.succeeded, .succeeded, .succeeded])
        let listed = try store.deployments()
        #expect(listed.map(\.id) == ["d-ONE"])
        #expect(try store.sessions().first?.deployments == 1)
    }

    /// Events naming a target the spec does not have (a record written by hand, or
    /// damaged) are refused when read back, with what is wrong, instead of trapping
    /// when the state is folded from them.
    @Test func eventsNamingAMissingTargetAreADamagedRecord() throws {
        let store = try HistoryDatabase(path: temporaryPath())
        let (spec, log) = run("d-TWO", hosts: 3)
        var small = spec
        small.targets = Array(spec.targets.prefix(2))
        let session = try store.startSession(kind: "run", provider: "sim", command: "cutover run deploy.lua")
        try store.recordDeployment(small, session: session, provider: "sim")
        try store.recordEvents(log, of: small, session: session)
        let error = #expect(throws: HistoryError.self) { try store.deployment("d-TWO") }
        #expect("\(error!)".contains("names target 2, but the deployment has 2 (the record is damaged)"), "\(error!)")
    }

    @Test func theFileIsPrivate() throws {
        let path = temporaryPath()
        _ = try HistoryDatabase(path: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func newestFirstWithALimit() throws {
        let store = try HistoryDatabase(path: temporaryPath())
        for i in 1...5 {
            let (spec, log) = run("d-\(i)", hosts: 1)
            try store.recordDeployment(spec, session: nil, provider: "sim")
            try store.recordEvents(log, of: spec, session: nil)
        }
        #expect(try store.deployments(limit: 3).map(\.id) == ["d-5", "d-4", "d-3"])
    }

    /// Two stores on one file (as two `cutover` processes would be) writing at once lose nothing.
    @Test func concurrentWritersLoseNothing() throws {
        let path = temporaryPath()
        let stores = [try HistoryDatabase(path: path), try HistoryDatabase(path: path)]
        let (spec, log) = run("d-BASE", hosts: 40)
        DispatchQueue.concurrentPerform(iterations: 2) { w in
            for k in 0..<10 {
                var s = spec
                s.id = "d-W\(w)-\(k)"
                try? stores[w].recordDeployment(s, session: nil, provider: "sim")
                for e in log { try? stores[w].recordEvents([e], of: s, session: nil) }
            }
        }
        let all = try stores[0].deployments(limit: 100)
        #expect(all.count == 20)
        #expect(all.allSatisfy { $0.events == log.count })
    }

    /// A file that is not a history database is reported, and left as it was.
    @Test func aCorruptDatabaseIsAClearErrorAndIsNotTouched() throws {
        let path = temporaryPath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        FileManager.default.createFile(atPath: path, contents: garbage)
        #expect {
            _ = try HistoryDatabase(path: path)
        } throws: { error in
            "\(error)".contains("history database \(path)") && "\(error)".contains("not a Cutover history database")
        }
        #expect(FileManager.default.contents(atPath: path) == garbage)
    }

    /// Another process holding the database: a write gives up with a clear error after
    /// its wait, what was recorded before is intact, and the write succeeds once the
    /// other lets go.
    @Test func aLockedDatabaseIsAClearErrorAndLosesNothing() throws {
        let path = temporaryPath()
        let store = try HistoryDatabase(path: path, busyTimeout: 0.3)
        let (spec, log) = run("d-BEFORE")
        try store.recordDeployment(spec, session: nil, provider: "local")
        try store.recordEvents(log, of: spec, session: nil)

        // Another writer (the sqlite3 shell, as another process would) holds the lock.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        holder.arguments = [path]
        let input = Pipe(), output = Pipe()
        holder.standardInput = input
        holder.standardOutput = output
        try holder.run()
        input.fileHandleForWriting.write(Data("BEGIN EXCLUSIVE;\nSELECT 'locked';\n".utf8))
        _ = output.fileHandleForReading.availableData   // 'locked': the lock is held
        var other = spec
        other.id = "d-DURING"
        #expect {
            try store.recordDeployment(other, session: nil, provider: "local")
        } throws: { error in
            "\(error)".contains("history database \(path)") && "\(error)".contains("locked by another process")
        }
        input.fileHandleForWriting.write(Data("ROLLBACK;\n.quit\n".utf8))
        holder.waitUntilExit()

        try store.recordDeployment(other, session: nil, provider: "local")
        let all = try store.deployments(limit: 10)
        #expect(Set(all.map(\.id)) == ["d-BEFORE", "d-DURING"])
        #expect(try store.deployment("d-BEFORE").events.count == log.count)
    }

    /// A simulator's ids repeat from run to run: each run's deployment keeps its own events.
    @Test func theSameIdInTwoSessionsIsTwoDeployments() throws {
        let store = try HistoryDatabase(path: temporaryPath())
        var keys: [String] = []
        for hosts in [1, 2] {
            let (spec, log) = run("d-000000001", hosts: hosts)
            let session = try store.startSession(kind: "run", provider: "sim", command: "x")
            try store.recordDeployment(spec, session: session, provider: "sim")
            try store.recordEvents(log, of: spec, session: session)
            keys.append(HistoryDatabase.key(spec.id, session: session))
        }
        #expect(try store.deployments().map(\.key) == keys.reversed())
        #expect(try store.deployment(keys[0]).spec.targets.count == 1)
        #expect(try store.deployment("d-000000001").spec.targets.count == 2) // the newest
    }

    @Test func unknownDeploymentsAreNotFound() throws {
        let store = try HistoryDatabase(path: temporaryPath())
        #expect(throws: HistoryError.self) { try store.deployment("d-NOPE") }
    }

    @Test(arguments: [
        ("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "export AWS_ACCESS_KEY_ID=[REDACTED]"),
        ("db.connect{ password = 'hunter2' }", "db.connect{ [REDACTED] }"),
        ("curl -H 'Authorization: Bearer abc.def.ghi'", "curl -H 'Authorization: [REDACTED]'"),
        ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "[REDACTED]"),
        ("print(d.status)", "print(d.status)"),
    ])
    func secretsAreRedacted(input: String, stored: String) {
        #expect(Redactor.standard.redact(input) == stored)
    }

    @Test func inputsAreStoredRedacted() throws {
        let store = try HistoryDatabase(path: temporaryPath())
        let session = try store.startSession(kind: "prompt", provider: "local", command: "cutover")
        try store.recordInput(session: session, text: "token = 'abc123'", ok: true, result: "nil")
        try store.endSession(session)
        let s = try #require(try store.sessions().first)
        #expect(s.inputs == 1)
        #expect(s.endedAt != nil)
        let text = try store.read { db in try String.fetchOne(db, sql: "SELECT text FROM inputs") }
        #expect(text == "[REDACTED]")
    }
}
