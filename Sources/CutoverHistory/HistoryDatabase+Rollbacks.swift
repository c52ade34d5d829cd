import CutoverCore
import Foundation
import GRDB

extension HistoryDatabase {
    /// The deployments a recorded one is linked to by rollbacks: the one it rolls back
    /// (its `rollbackOf`) and the rollback deployment that undid it, each when the
    /// history has it. Both are looked for in the same session and simulated cloud
    /// (the same key suffix, `@SESSION[.N]`): a simulator's ids repeat between runs.
    public func rollbackLinks(of recorded: RecordedDeployment) throws(HistoryError)
        -> (rollsBack: DeploymentSummary?, rolledBackBy: DeploymentSummary?) {
        let key = recorded.summary.key
        let suffix = key.firstIndex(of: "@").map { String(key[$0...]) } ?? ""
        let original = recorded.spec.rollbackOf
        return try read { db in
            var rollsBack: DeploymentSummary?
            if let original {
                rollsBack = try Row.fetchOne(db, sql: """
                    SELECT d.*, (SELECT COUNT(*) FROM events e WHERE e.deployment = d.key) AS n FROM deployments d WHERE d.key = ?
                    """, arguments: [original + suffix]).map(Self.summary)
            }
            let rolledBackBy = try Row.fetchOne(db, sql: """
                SELECT d.*, (SELECT COUNT(*) FROM events e WHERE e.deployment = d.key) AS n FROM deployments d
                WHERE json_extract(d.spec, '$.rollbackOf') = ? AND substr(d.key, instr(d.key, '@')) = ? AND d.key <> ?
                ORDER BY d.created_at, d.rowid LIMIT 1
                """, arguments: [recorded.summary.id, suffix, key]).map(Self.summary)
            return (rollsBack, rolledBackBy)
        }
    }
}
