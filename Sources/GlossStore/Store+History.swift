import Foundation
import GRDB
import GlossCore
import GlossMerge

/// A moment in the past to view the store at.
public enum AsOf: Sendable {
    /// Every change whose clock reads at or before this (ms since 1970).
    case time(Int)
    /// The change and its ancestors: a change of the annotation viewed.
    case change(ChangeID)
}

extension Store {
    /// The change whose id starts with `prefix` (hex).
    public func change(_ prefix: String) throws(StoreError) -> SignedChange {
        let hex = prefix.lowercased()
        guard !hex.isEmpty, hex.count <= 64, hex.allSatisfy(\.isHexDigit) else {
            throw .invalidInput("expected a change id (hex digits), found \"\(prefix)\"")
        }
        let found = try read { db in
            var reader = LogReader(db, workspace: workspace)
            return try reader.changes("WHERE lower(hex(c.id)) LIKE ? LIMIT 2", [hex + "%"])
        }
        guard found.count == 1 else {
            throw found.isEmpty ? .invalidInput("expected a change id, found no change starting with \"\(prefix)\"")
                : .invalidInput("expected one change, found several starting with \"\(prefix)\"; type more digits")
        }
        return found[0]
    }

    /// The annotation as it stood then: derived from exactly the changes
    /// `moment` selects, conflicts included; nil if it did not exist yet.
    public func annotation(_ id: EntityID, asOf moment: AsOf) throws(StoreError) -> AnnotationState? {
        let changes = try read { db in try LogReader.changes(of: id, in: db, workspace: workspace) }
        guard !changes.isEmpty else { throw .notFound(kind: .annotation, prefix: id.rawValue) }
        return AnnotationState(deriving: try Self.select(changes, asOf: moment, entity: id))
    }

    /// Every annotation as it stood at `time`, by statement and position.
    public func annotations(asOf time: Int, includeDeleted: Bool = false) throws(StoreError) -> [AnnotationState] {
        let ids = try read { db in try String.fetchAll(db, sql: "SELECT id FROM entity WHERE kind = 'annotation'") }
        var states: [AnnotationState] = []
        for id in ids.compactMap(EntityID.init(rawValue:)) {
            if let state = try annotation(id, asOf: .time(time)), includeDeleted || !state.isDeleted { states.append(state) }
        }
        return states.sorted { ($0.target.statement, $0.target.start, $0.target.end, $0.id) < ($1.target.statement, $1.target.start, $1.target.end, $1.id) }
    }

    private static func select(_ changes: [SignedChange], asOf moment: AsOf, entity: EntityID) throws(StoreError) -> ChangeGraph {
        switch moment {
        case .time(let milliseconds):
            return ChangeGraph(changes.filter { $0.change.clock.milliseconds <= milliseconds })
        case .change(let id):
            let graph = ChangeGraph(changes)
            if let position = graph.ordered.firstIndex(where: { $0.id == id }) {
                let ancestors = graph.ancestorIDs(of: position)
                return ChangeGraph(graph.ordered.filter { $0.id == id || ancestors.contains($0.id) })
            }
            throw .invalidInput("expected a change of annotation \(entity.short) for --at, or a time")
        }
    }

    /// For each annotation of `statement`, who set each field's current value.
    public func blame(_ statement: EntityID) throws(StoreError) -> [(annotation: AnnotationState, fields: [FieldBlame])] {
        let annotations = try self.annotations(AnnotationFilter(statement: statement, includeDeleted: true))
        return try annotations.map { annotation throws(StoreError) in
            let changes = try read { db in try LogReader.changes(of: annotation.id, in: db, workspace: workspace) }
            let ignored = try read { db in try LogReader.ignored(among: changes, db) }
            return (annotation, AnnotationState.blame(ChangeGraph(changes, ignoring: ignored)))
        }
    }

    /// Every change's exact bytes, in arrival order, one at a time.
    public func exportLog(_ body: (SignedChange) throws -> Void) throws {
        try changes(missingFrom: Heads()) { page in for change in page { try body(change) } }
    }
}
