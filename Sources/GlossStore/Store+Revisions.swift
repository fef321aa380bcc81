import GRDB
import GlossCore
import GlossMerge

/// What revising a statement did to its annotations.
public struct RevisionReport: Sendable {
    public var statement: StatementState
    /// Each annotation of the statement and where it landed.
    public var annotations: [(annotation: AnnotationState, outcome: Reanchored)]

    public func count(_ state: AnchorState) -> Int { annotations.filter { $0.outcome.state == state }.count }
}

extension Store {
    /// Makes `bytes` the statement's new revision and re-anchors each of its
    /// annotations on it, all in one transaction: one change for the
    /// statement and one per annotation, so history and sync carry the
    /// re-anchoring and every replica ends with the same anchors.
    ///
    /// - Throws: ``StoreError/invalidInput(_:)`` for a text refused as by
    ///   ``addStatement(utf8:metadata:now:)``, or the current text again.
    public func revise(_ statement: EntityID, utf8 bytes: [UInt8], now: Int) throws(StoreError) -> RevisionReport {
        try requireMembership()
        let current = try self.statement(statement)
        let text = try Self.statementText(bytes)
        let revision = RevisionHash(text: text)
        guard revision != current.revision else {
            throw .invalidInput("expected a changed text, found the text of statement \(statement.short)'s current revision")
        }
        let newText = StatementText(statement: statement, text: text)
        return try write { writer in
            try writer.db.execute(sql: "INSERT OR IGNORE INTO text (revision, body) VALUES (?, ?)", arguments: [revision.hex, text])
            try writer.append(kind: .statement, entity: statement, operations: [.set(field: "revision", value: .string(revision.hex))], now: now)
            var outcomes: [(AnnotationState, Reanchored)] = []
            let ids = try String.fetchAll(writer.db, sql: "SELECT id FROM annotation WHERE statement = ? ORDER BY start, id",
                                          arguments: [statement.rawValue])
            for id in ids.compactMap(EntityID.init(rawValue:)) {
                guard let annotation = try Self.annotation(id, in: writer.db) else { continue }
                let outcome = newText.reanchor(annotation.target)
                var operations: [ChangeOperation] = []
                if let target = outcome.target { operations.append(.set(field: "target", value: target.json)) }
                operations.append(.set(field: "anchor", value: Anchor(state: outcome.state, score: outcome.score).json))
                try writer.append(kind: .annotation, entity: id, operations: operations, now: now)
                outcomes.append((try Self.annotation(id, in: writer.db)!, outcome))
            }
            return RevisionReport(statement: try Self.statement(statement, in: writer.db)!, annotations: outcomes)
        }
    }

    /// The texts of every revision of a statement, oldest first.
    public func revisions(of statement: EntityID) throws(StoreError) -> [(revision: RevisionHash, text: String)] {
        let changes = try read { db in try LogReader.changes(of: statement, in: db) }
        guard !changes.isEmpty else { throw .notFound(kind: .statement, prefix: statement.rawValue) }
        var seen: [RevisionHash] = []
        for signed in ChangeGraph(changes).ordered {
            for case .set("revision", .string(let hex)) in signed.change.operations {
                if let hash = RevisionHash(hex: hex), !seen.contains(hash) { seen.append(hash) }
            }
        }
        return try seen.map { hash throws(StoreError) in (hash, try text(of: hash)) }
    }
}
