import CutoverCore
import Foundation
import GRDB

/// A deployment as `cutover history` lists it.
public struct DeploymentSummary: Sendable, Equatable, Codable {
    /// `ID@SESSION`: unique in the history (a simulator's ids repeat from run to run).
    public var key: String
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
    /// What the provider recorded to resume it (`cutover resume`).
    public var context: String?
}

extension HistoryDatabase {
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
    /// The history's key of a deployment of a session: `ID@SESSION`, and `.N` after it
    /// for the Nth simulated cloud of a session (each numbers its deployments from 1).
    public static func key(_ id: String, session: Int64?, cloud: Int = 1) -> String {
        "\(id)@\(session ?? 0)" + (cloud > 1 ? ".\(cloud)" : "")
    }

    public func recordDeployment(_ spec: DeploymentSpec, session: Int64?, provider: String, policySource: String? = nil,
                                 seed: UInt64? = nil, faults: String? = nil) throws(HistoryError) {
        try record([Item(spec: spec, session: session, provider: provider, isNew: true, events: [], policySource: policySource,
                         seed: seed, faults: faults)])
    }

    /// Records events before the commands that follow them are carried out (the caller
    /// writes each batch as the engine returns it).
    public func recordEvents(_ events: [RecordedEvent], of spec: DeploymentSpec, session: Int64?) throws(HistoryError) {
        try record([Item(spec: spec, session: session, provider: "", isNew: false, events: events)])
    }

    /// What one write records for a deployment: the deployment itself when it is new,
    /// and events.
    public struct Item: Sendable {
        public var spec: DeploymentSpec
        public var session: Int64?
        public var provider: String
        public var isNew: Bool
        public var events: [RecordedEvent]
        public var policySource: String?
        public var seed: UInt64?
        public var faults: String?
        /// Which simulated cloud of the session (see `key`).
        public var cloud: Int
        /// What the provider needs to resume it (written with the deployment).
        public var context: String?

        public init(spec: DeploymentSpec, session: Int64?, provider: String, isNew: Bool, events: [RecordedEvent],
                    policySource: String? = nil, seed: UInt64? = nil, faults: String? = nil, cloud: Int = 1,
                    context: String? = nil) {
            self.context = context
            self.spec = spec
            self.session = session
            self.provider = provider
            self.isNew = isNew
            self.events = events
            self.policySource = policySource
            self.seed = seed
            self.faults = faults
            self.cloud = cloud
        }
    }

    /// Several deployments' records in one transaction (the simulator writes a run's
    /// events at once: thousands of commits cost seconds).
    public func record(_ items: [Item]) throws(HistoryError) {
        guard !items.isEmpty else { return }
        let encoder = JSONEncoder()
        struct Prepared { var item: Item; var key: String; var spec: String?; var rows: [(RecordedEvent, String, String?, String)] }
        var prepared: [Prepared] = []
        for item in items {
            var specJSON: String?
            if item.isNew {
                guard let data = try? encoder.encode(item.spec) else {
                    throw .unusable(path: path, "cannot encode the specification of \(item.spec.id)")
                }
                specJSON = String(decoding: data, as: UTF8.self)
            }
            var rows: [(RecordedEvent, String, String?, String)] = []
            for e in item.events {
                guard let data = try? encoder.encode(e.event) else { continue }
                rows.append((e, e.jsonLine(targets: item.spec.targets), Self.target(e.event, item.spec),
                             String(decoding: data, as: UTF8.self)))
            }
            prepared.append(Prepared(item: item, key: Self.key(item.spec.id, session: item.session, cloud: item.cloud),
                                     spec: specJSON, rows: rows))
        }
        try write { db in
            for p in prepared {
                let spec = p.item.spec
                if let json = p.spec {
                    try db.execute(sql: """
                        INSERT OR REPLACE INTO deployments (key, id, sessionId, provider, application, group_name, revision, platform,
                            creator, configuration, spec, policy_source, seed, faults, created_at, status, context)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'Created', ?)
                        """, arguments: [p.key, spec.id, p.item.session, p.item.provider, spec.application, spec.group, spec.revision,
                                         spec.platform.rawValue, spec.creator.rawValue, spec.configuration.name, json,
                                         p.item.policySource, p.item.seed.map { Int64(bitPattern: $0) }, p.item.faults,
                                         Date().timeIntervalSince1970, p.item.context])
                }
                let insert = try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO events (deployment, sequence, time_ms, kind, target, detail, event)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
                for (e, line, target, event) in p.rows {
                    try insert.execute(arguments: [p.key, e.sequence, e.time, Self.kind(line), target, line, event])
                    if case .started = e.event {
                        try db.execute(sql: "UPDATE deployments SET status = 'InProgress' WHERE key = ?", arguments: [p.key])
                    }
                    if case .ended(let status, let code, let message) = e.event {
                        try db.execute(sql: "UPDATE deployments SET status = ?, error = ?, message = ?, ended_at = ? WHERE key = ?",
                                       arguments: [status.rawValue, code?.rawValue, message, Date().timeIntervalSince1970, p.key])
                    }
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

    /// A session's inputs in order: their text (as stored: redacted) and whether they succeeded.
    public func inputs(session: Int64) throws(HistoryError) -> (session: SessionSummary, inputs: [(text: String, ok: Bool)]) {
        let found: (Row, [Row])? = try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT s.*, (SELECT COUNT(*) FROM inputs i WHERE i.sessionId = s.id) AS n_inputs,
                       (SELECT COUNT(*) FROM deployments d WHERE d.sessionId = s.id) AS n_deployments
                FROM sessions s WHERE s.id = ?
                """, arguments: [session]) else { return nil }
            return (row, try Row.fetchAll(db, sql: "SELECT text, ok FROM inputs WHERE sessionId = ? ORDER BY sequence", arguments: [session]))
        }
        guard let (row, inputs) = found else { throw .notFound("no session #\(session) in the history (cutover history lists them)") }
        let summary = SessionSummary(id: row["id"], kind: row["kind"], provider: row["provider"], command: row["command"],
                                     startedAt: Date(timeIntervalSince1970: row["started_at"]),
                                     endedAt: (row["ended_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                                     inputs: row["n_inputs"], deployments: row["n_deployments"])
        return (summary, inputs.map { ($0["text"], $0["ok"]) })
    }

    /// Deployments, newest first.
    public func deployments(limit: Int = 20) throws(HistoryError) -> [DeploymentSummary] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT d.*, (SELECT COUNT(*) FROM events e WHERE e.deployment = d.key) AS n FROM deployments d
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

    /// One deployment with its specification and events, by `ID@SESSION` or by id (the
    /// newest of that id); an unknown one is `notFound`.
    public func deployment(_ id: String) throws(HistoryError) -> RecordedDeployment {
        let found: (Row, [Row])? = try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT d.*, (SELECT COUNT(*) FROM events e WHERE e.deployment = d.key) AS n FROM deployments d
                WHERE d.key = ? OR d.id = ? ORDER BY d.created_at DESC, d.rowid DESC LIMIT 1
                """, arguments: [id, id]) else { return nil }
            let key: String = row["key"]
            let events = try Row.fetchAll(db, sql: "SELECT * FROM events WHERE deployment = ? ORDER BY sequence", arguments: [key])
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
            if let t = event.targetIndices.first(where: { !spec.targets.indices.contains($0) }) {
                throw .unusable(path: path, "event \(e["sequence"] as Int) of \(id) names target \(t), but the deployment has "
                                + "\(spec.targets.count) (the record is damaged)")
            }
            events.append(RecordedEvent(sequence: e["sequence"], time: e["time_ms"], event: event))
        }
        return RecordedDeployment(summary: Self.summary(row), spec: spec, events: events, policySource: row["policy_source"],
                                  seed: (row["seed"] as Int64?).map { UInt64(bitPattern: $0) }, faults: row["faults"],
                                  context: row["context"])
    }

    static func summary(_ row: Row) -> DeploymentSummary {
        DeploymentSummary(key: row["key"], id: row["id"], session: row["sessionId"], provider: row["provider"], application: row["application"],
                          group: row["group_name"], revision: row["revision"], platform: row["platform"], creator: row["creator"],
                          configuration: row["configuration"], createdAt: Date(timeIntervalSince1970: row["created_at"]),
                          status: row["status"], error: row["error"], message: row["message"],
                          endedAt: (row["ended_at"] as Double?).map(Date.init(timeIntervalSince1970:)), events: row["n"])
    }
}
