import Foundation
import GRDB
import GlossCore
import GlossMerge

extension Store {
    /// An audit file of `statements` (every statement when nil): their
    /// texts, their annotations as this store derives them, every change of
    /// those entities and of the workspace (which names the devices), and
    /// the authors' keys, signed by this device (see ``AuditFile``).
    ///
    /// - Complexity: O(n) in the size of the log.
    public func auditExport(statements selected: [EntityID]? = nil, now: Int) throws(StoreError) -> [UInt8] {
        let file = try read { db in
            let statementIDs = try selected ?? String.fetchAll(db, sql: "SELECT id FROM statement ORDER BY created_ms, id")
                .compactMap(EntityID.init(rawValue:))
            let statements = try statementIDs.map { id in
                guard let state = try Store.statement(id, in: db) else { throw StoreError.notFound(kind: .statement, prefix: id.rawValue) }
                return state
            }
            var annotationIDs: [String] = []
            for statement in statementIDs {
                annotationIDs += try String.fetchAll(db, sql: "SELECT id FROM annotation WHERE statement = ? ORDER BY start, id",
                                                     arguments: [statement.rawValue])
            }
            if selected == nil {
                // Members' annotations on a statement that a removed device made
                // after its removal, which takes no effect: they travel with
                // that statement's changes, so that the checker sees why it is absent.
                annotationIDs += try String.fetchAll(db, sql: """
                    SELECT id FROM annotation
                    WHERE statement NOT IN (SELECT id FROM statement) AND statement IN (SELECT id FROM entity WHERE kind = 'statement')
                    ORDER BY statement, start, id
                    """)
            }
            let annotations = try annotationIDs.compactMap { try Store.annotation(EntityID(rawValue: $0)!, in: db) }
            let entities = Set([EntityID(rawValue: workspace.rawValue)!] + statementIDs + annotations.flatMap { [$0.id, $0.target.statement] })
            var reader = LogReader(db, workspace: workspace)
            let changes = try reader.changesByArrival("ORDER BY c.arrival").filter { entities.contains($0.change.entity) }
            let revisions = Set(changes.flatMap { signed in
                signed.change.operations.compactMap { if case .set("revision", .string(let hex)) = $0 { hex } else { nil } }
            })
            let texts = try Row.fetchAll(db, sql: "SELECT revision, body FROM text ORDER BY revision")
                .filter { revisions.contains($0["revision"]) }.map { $0["body"] as String }
            var keys: [DeviceID: [UInt8]] = [device: Array(key.publicKey.rawRepresentation)]
            for author in Set(changes.map(\.change.author)) {
                // Every author's first change carried its key into `device`.
                keys[author] = try Data.fetchOne(db, sql: "SELECT public_key FROM device WHERE id = ?", arguments: [author.rawValue])
                    .map(Array.init)
            }
            return AuditFile(workspace: workspace, exporter: device, exported: now, keys: keys, texts: texts,
                             changes: changes, statements: statements, annotations: annotations)
        }
        return file.encoded(signingWith: key)
    }
}
