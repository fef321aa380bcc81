import Foundation
import GRDB
import GlossCore
import GlossMerge

/// Where a new annotation goes in its statement's text.
public enum Span: Sendable {
    /// An exact quote; `occurrence` (from 1) picks one when it repeats.
    case quote(String, occurrence: Int?)
    /// Code points `start..<end` of the NFC text.
    case positions(start: Int, end: Int)
}

/// The fields an annotation command sets; nil leaves a field as it is.
public struct AnnotationEdit: Sendable {
    public var note: String?
    public var addedTags: [String]
    public var removedTags: [String]
    public var status: Status?
    public var motivation: Motivation?

    public init(note: String? = nil, addedTags: [String] = [], removedTags: [String] = [], status: Status? = nil,
                motivation: Motivation? = nil) {
        self.note = note
        self.addedTags = addedTags
        self.removedTags = removedTags
        self.status = status
        self.motivation = motivation
    }
}

/// Which annotations a listing shows.
public struct AnnotationFilter: Sendable {
    public var statement: EntityID?
    public var tag: String?
    public var status: Status?
    public var author: DeviceID?
    public var includeDeleted: Bool
    /// Only annotations with a conflicted field.
    public var onlyConflicted: Bool
    /// Only annotations anchored so on their statement's current revision.
    public var anchor: AnchorState?

    public init(statement: EntityID? = nil, tag: String? = nil, status: Status? = nil, author: DeviceID? = nil,
                includeDeleted: Bool = false, onlyConflicted: Bool = false, anchor: AnchorState? = nil) {
        self.anchor = anchor
        self.onlyConflicted = onlyConflicted
        self.statement = statement
        self.tag = tag
        self.status = status
        self.author = author
        self.includeDeleted = includeDeleted
    }
}

extension Store {
    /// Annotates a span of `statement`'s current revision.
    ///
    /// - Throws: ``StoreError``, with nothing written, when the statement is
    ///   unknown, the span cannot be anchored, or a field is invalid.
    public func annotate(_ statement: EntityID, span: Span, edit: AnnotationEdit, now: Int) throws(StoreError) -> AnnotationState {
        try requireMembership()
        let state = try self.statement(statement)
        let text = StatementText(statement: statement, text: try self.text(of: state.revision))
        let target: Target
        do {
            switch span {
            case .quote(let quote, let occurrence): target = try text.target(quote: quote, occurrence: occurrence)
            case .positions(let start, let end): target = try text.target(start: start, end: end)
            }
        } catch {
            throw .anchor(error)
        }
        var operations: [ChangeOperation] = [
            .set(field: "target", value: target.json),
            .set(field: "status", value: .string((edit.status ?? .open).rawValue)),
            .set(field: "motivation", value: .string((edit.motivation ?? .commenting).rawValue)),
        ]
        operations += try Self.fieldOperations(edit, current: nil)
        return try write { writer in
            let entity = EntityID(createdBy: writer.key.id, seq: try writer.nextSeq())
            try writer.append(kind: .annotation, entity: entity, operations: operations, now: now)
            return try writer.annotation(entity)!
        }
    }

    /// Changes the fields `edit` names.
    ///
    /// - Throws: ``StoreError/invalidInput(_:)`` when `edit` changes nothing.
    public func edit(_ annotation: EntityID, _ edit: AnnotationEdit, now: Int) throws(StoreError) -> AnnotationState {
        try write { writer in
            try writer.requireMembership()
            guard let current = try writer.annotation(annotation) else {
                throw StoreError.notFound(kind: .annotation, prefix: annotation.rawValue)
            }
            let operations = try Self.fieldOperations(edit, current: current)
            guard !operations.isEmpty else {
                throw StoreError.invalidInput("expected an edit that changes annotation \(annotation.short), found only its current values")
            }
            try writer.append(kind: .annotation, entity: annotation, operations: operations, now: now)
            return try writer.annotation(annotation)!
        }
    }

    /// Deletes (`true`) or restores (`false`) an annotation. A deleted
    /// annotation keeps its history and can be restored.
    public func setDeleted(_ annotation: EntityID, _ deleted: Bool, now: Int) throws(StoreError) -> AnnotationState {
        try write { writer in
            try writer.requireMembership()
            guard let current = try writer.annotation(annotation) else {
                throw StoreError.notFound(kind: .annotation, prefix: annotation.rawValue)
            }
            guard current.isDeleted != deleted else {
                throw StoreError.invalidInput("expected a \(deleted ? "live" : "deleted") annotation, found annotation \(annotation.short) already \(deleted ? "deleted" : "live")")
            }
            try writer.append(kind: .annotation, entity: annotation, operations: [deleted ? .delete : .restore], now: now)
            return try writer.annotation(annotation)!
        }
    }

    /// The operations that turn `current` (nil: a new annotation) into what
    /// `edit` asks for, leaving out what would change nothing.
    private static func fieldOperations(_ edit: AnnotationEdit, current: AnnotationState?) throws(StoreError) -> [ChangeOperation] {
        var operations: [ChangeOperation] = []
        if let note = edit.note?.nfc, note != current?.note ?? "" {
            guard note.utf8.count <= maximumNoteBytes else {
                throw .invalidInput("expected a note of at most 1 MB, found \(note.utf8.count) bytes")
            }
            operations.append(.set(field: "note", value: .string(note)))
        }
        if let status = edit.status, let current, status != current.status {
            operations.append(.set(field: "status", value: .string(status.rawValue)))
        }
        if let motivation = edit.motivation, let current, motivation != current.motivation {
            operations.append(.set(field: "motivation", value: .string(motivation.rawValue)))
        }
        let tags = Set(current?.tags ?? [])
        let added = Set(edit.addedTags.map(\.nfc))
        let removed = Set(edit.removedTags.map(\.nfc))
        if let both = added.intersection(removed).sorted().first {
            throw .invalidInput("expected a tag to be added or removed, found \"\(both)\" in both")
        }
        for tag in added.union(removed).sorted() {
            if let problem = Tag.problem(with: tag) { throw .invalidInput("expected \(problem)") }
        }
        operations += added.subtracting(tags).sorted().map { .addTag($0) }
        operations += removed.intersection(tags).sorted().map { .removeTag($0) }
        return operations
    }

    /// The annotation `id`, or an error naming it.
    public func annotation(_ id: EntityID) throws(StoreError) -> AnnotationState {
        guard let annotation = try read({ db in try Self.annotation(id, in: db) }) else {
            throw .notFound(kind: .annotation, prefix: id.rawValue)
        }
        return annotation
    }

    /// The annotations `filter` selects, by statement and position.
    public func annotations(_ filter: AnnotationFilter = AnnotationFilter()) throws(StoreError) -> [AnnotationState] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let statement = filter.statement {
            conditions.append("statement = ?")
            arguments += [statement.rawValue]
        }
        if let tag = filter.tag {
            conditions.append("id IN (SELECT annotation FROM annotation_tag WHERE tag = ?)")
            arguments += [tag.nfc]
        }
        if let status = filter.status {
            conditions.append("status = ?")
            arguments += [status.rawValue]
        }
        if let author = filter.author {
            conditions.append("author = ?")
            arguments += [author.rawValue]
        }
        if !filter.includeDeleted { conditions.append("NOT deleted") }
        if filter.onlyConflicted { conditions.append("id IN (SELECT entity FROM conflict)") }
        if let anchor = filter.anchor {
            conditions.append("anchor_state = ?")
            arguments += [anchor.rawValue]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT \(Self.annotationSelection) FROM annotation \(whereClause) ORDER BY statement, start, \"end\", id",
                                        arguments: arguments)
            let (tags, conflicts) = rows.isEmpty ? ([:], [:]) : try Self.tagsAndConflicts(of: Self.jsonArray(rows.map { $0[0] }), in: db)
            return try rows.map { row in try Self.annotation(from: row, tags: tags[row[0]] ?? [], conflicts: conflicts[row[0]] ?? []) }
        }
    }

    /// Every version of an annotation, oldest first.
    public func history(of annotation: EntityID) throws(StoreError) -> [AnnotationVersion] {
        let changes = try read { db in try LogReader.changes(of: annotation, in: db, workspace: workspace) }
        guard !changes.isEmpty else { throw .notFound(kind: .annotation, prefix: annotation.rawValue) }
        return AnnotationState.versions(of: ChangeGraph(changes))
    }

    static func annotation(_ id: EntityID, in db: Database) throws -> AnnotationState? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(annotationSelection) FROM annotation WHERE id = ?"), arguments: [id.rawValue]) else {
            return nil
        }
        let tags = try String.fetchAll(db.cachedStatement(sql: "SELECT tag FROM annotation_tag WHERE annotation = ? ORDER BY tag"), arguments: [id.rawValue])
        return try annotation(from: row, tags: tags, conflicts: try conflicts(of: id.rawValue, in: db))
    }

    /// The annotations among `ids` that the table holds, with their tags and
    /// conflicts: three queries, however many there are.
    static func annotations(_ ids: some Collection<EntityID>, in db: Database) throws -> [EntityID: AnnotationState] {
        let list = jsonArray(ids.map(\.rawValue))
        let (tags, conflicts) = try tagsAndConflicts(of: list, in: db)
        var states: [EntityID: AnnotationState] = [:]
        states.reserveCapacity(ids.count)
        // Each row is read where SQLite holds it, not copied first.
        let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT \(annotationSelection) FROM annotation WHERE id IN (SELECT value FROM json_each(?))"),
                                       arguments: [list])
        while let row = try rows.next() {
            let id: String = row[0]
            let state = try annotation(from: row, tags: tags[id] ?? [], conflicts: conflicts[id] ?? [])
            states[state.id] = state
        }
        return states
    }

    /// The tags and the conflicts of the annotations in `list`, a JSON array
    /// of ids (``jsonArray(_:)``): by id, each in the order
    /// ``annotation(_:in:)`` reads them.
    private static func tagsAndConflicts(of list: String, in db: Database) throws -> (tags: [String: [String]], conflicts: [String: [Conflict]]) {
        // The rows come grouped by annotation: each group is stored once.
        var tags: [String: [String]] = [:]
        var annotation: String?, group: [String] = []
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT annotation, tag FROM annotation_tag WHERE annotation IN (SELECT value FROM json_each(?)) ORDER BY annotation, tag
            """), arguments: [list])
        while let row = try rows.next() {
            let id: String = row[0]
            if id != annotation {
                if let annotation { tags[annotation] = group }
                (annotation, group) = (id, [])
            }
            group.append(row[1])
        }
        if let annotation { tags[annotation] = group }
        let conflictRows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM conflict WHERE entity IN (SELECT value FROM json_each(?)) ORDER BY entity, field, rank
            """), arguments: [list])
        return (tags, try Dictionary(grouping: conflictRows) { $0["entity"] as String }.mapValues { try conflicts(from: $0) })
    }

    /// Entity ids as a JSON array, for `json_each`: one statement for any
    /// number of them. Entity ids are lowercase base32, with nothing to escape.
    static func jsonArray(_ ids: some Sequence<String>) -> String {
        "[" + ids.map { "\"\($0)\"" }.joined(separator: ",") + "]"
    }

    /// The columns of the `annotation` table, in the order that
    /// ``annotation(from:tags:conflicts:)`` reads them and `LogWriter` writes them.
    static let annotationColumns = [
        "id", "statement", "revision", "exact", "prefix", "suffix", "start", "end", "note", "status", "motivation", "deleted",
        "author", "created_ms", "created_counter", "modified_by", "modified_ms", "modified_counter", "anchor_state", "anchor_score",
        "origin", "origin_id",
    ]

    /// ``annotationColumns`` as an SQL column list.
    static let annotationSelection = annotationColumns.map { "\"\($0)\"" }.joined(separator: ", ")

    /// The annotation a row of ``annotationColumns`` holds.
    private static func annotation(from row: Row, tags: [String], conflicts: [Conflict]) throws(StoreError) -> AnnotationState {
        let table = "annotation"
        let target = Target(statement: try row.parsed(1, of: table, EntityID.init(rawValue:)), revision: try row.parsed(2, of: table, RevisionHash.init(hex:)),
                            exact: row[3], prefix: row[4], suffix: row[5], start: row[6], end: row[7])
        return AnnotationState(
            id: try row.parsed(0, of: table, EntityID.init(rawValue:)), target: target,
            anchor: Anchor(state: AnchorState(rawValue: row[18]) ?? .exact, score: row[19]),
            note: row[8], tags: tags,
            status: try row.parsed(9, of: table, Status.init(rawValue:)), motivation: try row.parsed(10, of: table, Motivation.init(rawValue:)),
            isDeleted: row[11], author: try row.parsed(12, of: table, DeviceID.init(rawValue:)),
            created: HLCTimestamp(milliseconds: row[13], counter: row[14]),
            modifiedBy: try row.parsed(15, of: table, DeviceID.init(rawValue:)),
            modified: HLCTimestamp(milliseconds: row[16], counter: row[17]),
            conflicts: conflicts,
            origin: (row[20] as String?).flatMap { try? Origin(json: CanonicalJSON(parsing: Array($0.utf8))) })
    }
}
