import CutoverCore
import Foundation
import GRDB

/// The history: one SQLite database (WAL, numbered migrations, file mode 0600) holding
/// sessions, their inputs, deployments with their full specification, and every event
/// of every deployment. Several `cutover` processes may write at once: SQLite's WAL
/// serialises the writers, and a busy database is waited for, not failed.
public final class HistoryDatabase: Sendable {
    public let path: String
    let pool: DatabasePool

    /// How long a write waits for another process's write before it gives up.
    let busyTimeout: Double

    /// Opens (creating when needed) the database at `path`. A write waits up to
    /// `busyTimeout` seconds for another process holding the database.
    public init(path: String, busyTimeout: Double = 10) throws(HistoryError) {
        self.busyTimeout = busyTimeout
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .unusable(path: path, "cannot create \(directory): \(error.localizedDescription)")
        }
        // The file is made private before SQLite writes anything to it.
        if !FileManager.default.fileExists(atPath: path) {
            FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.label = "cutover.history"
        // WAL with synchronous NORMAL: a committed event survives the process being
        // killed (kill -9); only a power loss can take the last commits.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw .unusable(path: path, Self.describe(error))
        }
        for file in [path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            try? FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file)
        }
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? DatabaseError {
            switch e.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT: return "the file is not a Cutover history database or is damaged (\(e.message ?? "\(e)"))"
            case .SQLITE_BUSY, .SQLITE_LOCKED: return "the database stayed locked by another process (SQLite: \(e.message ?? "busy"))"
            case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM: return "the database cannot be written (\(e.message ?? "\(e)"))"
            default: return e.message ?? "\(e)"
            }
        }
        return "\(error)"
    }

    /// Numbered migrations: each runs once, in order, recorded in the database.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("1 sessions, inputs, deployments, events") { db in
            try db.create(table: "sessions") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()          // prompt or run
                t.column("provider", .text).notNull()
                t.column("command", .text).notNull()
                t.column("started_at", .double).notNull()
                t.column("ended_at", .double)
            }
            try db.create(table: "inputs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("session", inTable: "sessions").notNull()
                t.column("sequence", .integer).notNull()
                t.column("at", .double).notNull()
                t.column("text", .text).notNull()
                t.column("ok", .boolean).notNull()
                t.column("result", .text).notNull()
            }
            // A simulator's ids repeat from run to run: the key is the id in its session.
            try db.create(table: "deployments") { t in
                t.column("key", .text).primaryKey()          // ID@SESSION
                t.column("id", .text).notNull()
                t.belongsTo("session", inTable: "sessions")
                t.column("provider", .text).notNull()
                t.column("application", .text).notNull()
                t.column("group_name", .text).notNull()
                t.column("revision", .text).notNull()
                t.column("platform", .text).notNull()
                t.column("creator", .text).notNull()
                t.column("configuration", .text).notNull()
                t.column("spec", .text).notNull()            // DeploymentSpec as JSON
                t.column("policy_source", .text)
                t.column("seed", .integer)
                t.column("faults", .text)
                t.column("created_at", .double).notNull()
                t.column("status", .text).notNull()
                t.column("error", .text)
                t.column("message", .text)
                t.column("ended_at", .double)
            }
            try db.create(table: "events") { t in
                t.column("deployment", .text).notNull().references("deployments", onDelete: .cascade)
                t.column("sequence", .integer).notNull()
                t.column("time_ms", .integer).notNull()
                t.column("kind", .text).notNull()
                t.column("target", .text)
                t.column("detail", .text).notNull()          // the event's JSON line
                t.column("event", .text).notNull()           // DeploymentEvent as JSON, to rebuild the state
                t.primaryKey(["deployment", "sequence"])
            }
            try db.create(index: "deployments_by_time", on: "deployments", columns: ["created_at"])
        }
        m.registerMigration("2: what a provider needs to resume a deployment") { db in
            // JSON the provider writes and reads back (`cutover resume`); opaque here.
            try db.alter(table: "deployments") { t in t.add(column: "context", .text) }
            try db.create(index: "deployments_by_id", on: "deployments", columns: ["id"])
        }
        return m
    }

    func write<T>(_ body: (Database) throws -> T) throws(HistoryError) -> T {
        do {
            return try pool.write(body)
        } catch {
            throw .unusable(path: path, Self.describe(error))
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(HistoryError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw .unusable(path: path, Self.describe(error))
        }
    }
}

/// Why the history cannot be used; the database file is named, nothing is deleted.
public enum HistoryError: Error, CustomStringConvertible, Sendable {
    case unusable(path: String, String)
    case notFound(String)

    public var description: String {
        switch self {
        case .unusable(let path, let why): "history database \(path): \(why)"
        case .notFound(let what): what
        }
    }
}
