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
        return try revise(statement, to: revision, text: text, now: now)
    }

    /// Writes `revision` as the statement's revision (on top of all its
    /// heads) and re-anchors, on `text`, each annotation not already on it.
    func revise(_ statement: EntityID, to revision: RevisionHash, text: String, now: Int) throws(StoreError) -> RevisionReport {
        let newText = StatementText(statement: statement, text: text)
        return try write { writer in
            try writer.db.execute(sql: "INSERT OR IGNORE INTO text (revision, body) VALUES (?, ?)", arguments: [revision.hex, text])
            try writer.append(kind: .statement, entity: statement, operations: [.set(field: "revision", value: .string(revision.hex))], now: now)
            var outcomes: [(AnnotationState, Reanchored)] = []
            let ids = try String.fetchAll(writer.db, sql: "SELECT id FROM annotation WHERE statement = ? ORDER BY start, id",
                                          arguments: [statement.rawValue])
            for id in ids.compactMap(EntityID.init(rawValue:)) {
                guard let annotation = try writer.annotation(id) else { continue }
                var operations: [ChangeOperation]
                let outcome: Reanchored
                if let kept = Self.liveTarget(of: annotation, on: revision) {
                    // Concurrent re-anchorings: keep the one made on this revision.
                    guard annotation.conflicts.contains(where: { $0.field == "target" || $0.field == "anchor" }) else { continue }
                    outcome = Reanchored(state: kept.anchor.state, target: kept.target, score: kept.anchor.score)
                    operations = [.set(field: "target", value: kept.target.json), .set(field: "anchor", value: kept.anchor.json)]
                } else {
                    outcome = newText.reanchor(annotation.target)
                    operations = outcome.target.map { [.set(field: "target", value: $0.json)] } ?? []
                    operations.append(.set(field: "anchor", value: Anchor(state: outcome.state, score: outcome.score).json))
                }
                try writer.append(kind: .annotation, entity: id, operations: operations, now: now)
                outcomes.append((try writer.annotation(id)!, outcome))
            }
            return RevisionReport(statement: try Self.statement(statement, in: writer.db)!, annotations: outcomes)
        }
    }

    /// The annotation's target on `revision`, with the anchor written beside
    /// it: its current one, or the live value of a conflicted target.
    private static func liveTarget(of annotation: AnnotationState, on revision: RevisionHash) -> (target: Target, anchor: Anchor)? {
        if annotation.target.revision == revision && !annotation.conflicts.contains(where: { $0.field == "target" }) {
            return (annotation.target, annotation.anchor)
        }
        let targets = annotation.conflicts.first { $0.field == "target" }?.values ?? []
        guard let live = targets.first(where: { (try? Target(json: $0.value))?.revision == revision }),
              let target = try? Target(json: live.value) else { return nil }
        let anchor = annotation.conflicts.first { $0.field == "anchor" }?.values.first { $0.change == live.change }
            .flatMap { try? Anchor(json: $0.value) } ?? annotation.anchor
        return (target, anchor)
    }

    /// The texts of every revision of a statement, oldest first.
    public func revisions(of statement: EntityID) throws(StoreError) -> [(revision: RevisionHash, text: String)] {
        let changes = try read { db in try LogReader.changes(of: statement, in: db, workspace: workspace) }
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
