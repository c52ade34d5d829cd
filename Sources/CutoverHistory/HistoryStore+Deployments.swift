import CutoverCore
import Foundation
import GRDB

/// A deployment as `cutover history` lists it.
public struct DeploymentSummary: Sendable, Equatable, Codable {
    public var id: String
    public var session: Int64?
    public var provider: String
    public var application: String
    public var group: String
    public var revision: String
    public var platform: String
    public var creator: String
    public var configuration: String
    public var createdAt: Date
    public var status: String
    public var error: String?
    public var message: String?
    public var endedAt: Date?
    public var events: Int
}

/// A session as `cutover history` lists it.
public struct SessionSummary: Sendable, Equatable, Codable {
    public var id: Int64
    public var kind: String
    public var provider: String
    public var command: String
    public var startedAt: Date
    public var endedAt: Date?
    public var inputs: Int
    public var deployments: Int
}

/// A recorded deployment: its specification and its events, as they happened.
public struct RecordedDeployment: Sendable {
    public var summary: DeploymentSummary
    public var spec: DeploymentSpec
    public var events: [RecordedEvent]
    public var policySource: String?
    public var seed: UInt64?
    public var faults: String?
}

extension HistoryStore {
    // MARK: - Sessions

    /// Starts a session (a prompt, or a run of a file) and returns its number.
    public func startSession(kind: String, provider: String, command: String) throws(HistoryError) -> Int64 {
        try write { db in
            try db.execute(sql: "INSERT INTO sessions (kind, provider, command, started_at) VALUES (?, ?, ?, ?)",
                           arguments: [kind, provider, Redactor.standard.redact(command), Date().timeIntervalSince1970])
            return db.lastInsertedRowID
        }
    }

    public func endSession(_ id: Int64) throws(HistoryError) {
        try write { db in
            try db.execute(sql: "UPDATE sessions SET ended_at = ? WHERE id = ?", arguments: [Date().timeIntervalSince1970, id])
        }
    }

    /// One input of a session, its secrets redacted first.
    public func recordInput(session: Int64, text: String, ok: Bool, result: String) throws(HistoryError) {
        let redactor = Redactor.standard
        try write { db in
            let next = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(sequence), 0) + 1 FROM inputs WHERE sessionId = ?",
                                        arguments: [session]) ?? 1
            try db.execute(sql: "INSERT INTO inputs (sessionId, sequence, at, text, ok, result) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [session, next, Date().timeIntervalSince1970, redactor.redact(text), ok,
                                       redactor.redact(String(result.prefix(500)))])
        }
    }

    // MARK: - Deployments

    /// A new deployment: its full specification, where it runs and how it was started.
    public func recordDeployment(_ spec: DeploymentSpec, session: Int64?, provider: String, policySource: String? = nil,
                                 seed: UInt64? = nil, faults: String? = nil) throws(HistoryError) {
        let json: String
        do {
            json = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
        } catch {
            throw .unusable(path: path, "cannot encode the specification of \(spec.id): \(error)")
        }
        try write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO deployments (id, sessionId, provider, application, group_name, revision, platform, creator,
                    configuration, spec, policy_source, seed, faults, created_at, status)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'Created')
                """, arguments: [spec.id, session, provider, spec.application, spec.group, spec.revision, spec.platform.rawValue,
                                 spec.creator.rawValue, spec.configuration.name, json, policySource,
                                 seed.map { Int64(bitPattern: $0) }, faults, Date().timeIntervalSince1970])
        }
    }

    /// Records events before the commands that follow them are carried out (the caller
    /// writes each batch as the engine returns it).
    public func recordEvents(_ events: [RecordedEvent], of spec: DeploymentSpec) throws(HistoryError) {
        guard !events.isEmpty else { return }
        let encoder = JSONEncoder()
        var rows: [(RecordedEvent, String, String?, String)] = []
        for e in events {
            guard let data = try? encoder.encode(e.event) else { continue }
            rows.append((e, e.jsonLine(targets: spec.targets), Self.target(e.event, spec), String(decoding: data, as: UTF8.self)))
        }
        try write { db in
            for (e, line, target, event) in rows {
                try db.execute(sql: """
                    INSERT OR REPLACE INTO events (deploymentId, sequence, time_ms, kind, target, detail, event)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [spec.id, e.sequence, e.time, Self.kind(line), target, line, event])
                if case .started = e.event {
                    try db.execute(sql: "UPDATE deployments SET status = 'InProgress' WHERE id = ?", arguments: [spec.id])
                }
                if case .ended(let status, let code, let message) = e.event {
                    try db.execute(sql: "UPDATE deployments SET status = ?, error = ?, message = ?, ended_at = ? WHERE id = ?",
                                   arguments: [status.rawValue, code?.rawValue, message, Date().timeIntervalSince1970, spec.id])
                }
            }
        }
    }

    static func kind(_ line: String) -> String {
        guard let range = line.range(of: "\"kind\":\"") else { return "" }
        return String(line[range.upperBound...].prefix { $0 != "\"" })
    }

    static func target(_ event: DeploymentEvent, _ spec: DeploymentSpec) -> String? {
        let index: Int? = switch event {
        case .lifecycleStarted(let t, _), .lifecycleEnded(let t, _, _, _, _), .targetEnded(let t, _): t
        default: nil
        }
        return index.flatMap { $0 < spec.targets.count ? spec.targets[$0].id : nil }
    }

    // MARK: - Reading

    /// Deployments, newest first.
    public func deployments(limit: Int = 20) throws(HistoryError) -> [DeploymentSummary] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.*, (SELECT COUNT(*) FROM events e WHERE e.deploymentId = d.id) AS n FROM deployments d
                ORDER BY d.created_at DESC, d.rowid DESC LIMIT ?
                """, arguments: [limit]).map(Self.summary)
        }
    }

    /// Sessions, newest first.
    public func sessions(limit: Int = 20) throws(HistoryError) -> [SessionSummary] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.*, (SELECT COUNT(*) FROM inputs i WHERE i.sessionId = s.id) AS n_inputs,
                       (SELECT COUNT(*) FROM deployments d WHERE d.sessionId = s.id) AS n_deployments
                FROM sessions s ORDER BY s.id DESC LIMIT ?
                """, arguments: [limit]).map { row in
                SessionSummary(id: row["id"], kind: row["kind"], provider: row["provider"], command: row["command"],
                               startedAt: Date(timeIntervalSince1970: row["started_at"]),
                               endedAt: (row["ended_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                               inputs: row["n_inputs"], deployments: row["n_deployments"])
            }
        }
    }

    /// One deployment with its specification and events; an unknown id is `notFound`.
    public func deployment(_ id: String) throws(HistoryError) -> RecordedDeployment {
        let found: (Row, [Row])? = try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT d.*, (SELECT COUNT(*) FROM events e WHERE e.deploymentId = d.id) AS n FROM deployments d WHERE d.id = ?
                """, arguments: [id]) else { return nil }
            let events = try Row.fetchAll(db, sql: "SELECT * FROM events WHERE deploymentId = ? ORDER BY sequence", arguments: [id])
            return (row, events)
        }
        guard let (row, eventRows) = found else {
            throw .notFound("no deployment \(id) in the history (cutover history lists them)")
        }
        let decoder = JSONDecoder()
        let specText: String = row["spec"]
        guard let spec = try? decoder.decode(DeploymentSpec.self, from: Data(specText.utf8)) else {
            throw .unusable(path: path, "the specification of \(id) cannot be read back")
        }
        var events: [RecordedEvent] = []
        for e in eventRows {
            let text: String = e["event"]
            guard let event = try? decoder.decode(DeploymentEvent.self, from: Data(text.utf8)) else {
                throw .unusable(path: path, "event \(e["sequence"] as Int) of \(id) cannot be read back")
            }
            events.append(RecordedEvent(sequence: e["sequence"], time: e["time_ms"], event: event))
        }
        return RecordedDeployment(summary: Self.summary(row), spec: spec, events: events, policySource: row["policy_source"],
                                  seed: (row["seed"] as Int64?).map { UInt64(bitPattern: $0) }, faults: row["faults"])
    }

    static func summary(_ row: Row) -> DeploymentSummary {
        DeploymentSummary(id: row["id"], session: row["sessionId"], provider: row["provider"], application: row["application"],
                          group: row["group_name"], revision: row["revision"], platform: row["platform"], creator: row["creator"],
                          configuration: row["configuration"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
                          status: row["status"], error: row["error"], message: row["message"],
                          endedAt: (row["ended_at"] as Double?).map(Date.init(timeIntervalSince1970:)), events: row["n"])
    }
}
