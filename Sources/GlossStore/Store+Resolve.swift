import GlossCore
import GlossMerge

/// How a conflicted field is settled.
public enum Resolution: Sendable {
    /// The value one of the live writes wrote, named by its change id (or a
    /// prefix of it).
    case take(change: String)
    /// A new value for the field: a status or motivation name, a note's
    /// text, or for `deleted`, "delete" or "keep".
    case value(String)
}

extension Store {
    /// Settles a conflicted field of an annotation with a change whose
    /// parents are all the annotation's heads, so it supersedes every live
    /// write; history keeps both sides and who resolved them.
    ///
    /// - Throws: ``StoreError/invalidInput(_:)`` when the field is not in
    ///   conflict, the change is not one of its live values, or the value
    ///   does not suit the field.
    public func resolve(_ annotation: EntityID, field: String, with resolution: Resolution, now: Int) throws(StoreError) -> AnnotationState {
        try requireMembership()
        let current = try self.annotation(annotation)
        let chosen = try Self.chosenValue(of: field, in: current.conflicts, of: "annotation \(annotation.short)", resolution)
        let operation = try Self.resolvingOperation(field: field, value: chosen)
        return try write { writer in
            try writer.append(kind: .annotation, entity: annotation, operations: [operation], now: now)
            return try writer.annotation(annotation)!
        }
    }

    /// Settles a conflicted field of a statement the same way. Settling its
    /// revision re-anchors the annotations made on the other revision.
    public func resolveStatement(_ statement: EntityID, field: String, with resolution: Resolution,
                                 now: Int) throws(StoreError) -> StatementState {
        try requireMembership()
        let current = try self.statement(statement)
        let chosen = try Self.chosenValue(of: field, in: current.conflicts, of: "statement \(statement.short)", resolution)
        guard case .string(let value) = chosen else { throw .invalidInput("expected a text value for \"\(field)\"") }
        if field == "revision" {
            guard let revision = RevisionHash(hex: value) else {
                throw .invalidInput("expected --take CHANGE for a conflicted revision")
            }
            return try revise(statement, to: revision, text: try text(of: revision), now: now).statement
        }
        return try write { writer in
            try writer.append(kind: .statement, entity: statement, operations: [.set(field: field, value: chosen)], now: now)
            return try Self.statement(statement, in: writer.db)!
        }
    }

    /// The value `resolution` picks for the conflicted `field`.
    private static func chosenValue(of field: String, in conflicts: [Conflict], of subject: String,
                                    _ resolution: Resolution) throws(StoreError) -> CanonicalJSON {
        guard let conflict = conflicts.first(where: { $0.field == field }) else {
            let fields = conflicts.map(\.field)
            throw .invalidInput("expected a conflicted field of \(subject) (\(fields.isEmpty ? "it has none" : fields.joined(separator: ", "))), found \"\(field)\"")
        }
        switch resolution {
        case .take(let prefix):
            let matches = conflict.values.filter { $0.change.hex.hasPrefix(prefix.lowercased()) }
            guard matches.count == 1, !prefix.isEmpty else {
                let ids = conflict.values.map { String($0.change.hex.prefix(12)) }.joined(separator: ", ")
                throw .invalidInput("expected one of the live changes of \"\(field)\" (\(ids)), found \"\(prefix)\"")
            }
            return matches[0].value
        case .value(let text):
            return .string(text.nfc)
        }
    }

    private static func resolvingOperation(field: String, value: CanonicalJSON) throws(StoreError) -> ChangeOperation {
        guard case .string(let text) = value else { return .set(field: field, value: value) }
        switch field {
        case "deleted":
            switch text {
            case "delete": return .delete
            case "keep", "edit", "restore": return .restore
            default: throw .invalidInput("expected \"delete\" or \"keep\" for the deleted mark, found \"\(text)\"")
            }
        case "status" where Status(rawValue: text) == nil:
            throw .invalidInput("expected a status (\(Status.allCases.map(\.rawValue).joined(separator: ", "))), found \"\(text)\"")
        case "motivation" where Motivation(rawValue: text) == nil:
            throw .invalidInput("expected a W3C motivation, found \"\(text)\"")
        case "note" where text.utf8.count > maximumNoteBytes:
            throw .invalidInput("expected a note of at most 1 MB, found \(text.utf8.count) bytes")
        case "target":
            throw .invalidInput("expected --take CHANGE for a conflicted target")
        default:
            return .set(field: field, value: value)
        }
    }

    /// Every conflicted statement and annotation, by entity.
    public func conflictedEntities() throws(StoreError) -> [(kind: EntityKind, entity: EntityID, conflicts: [Conflict])] {
        try read { db in
            let ids = try String.fetchAll(db, sql: "SELECT DISTINCT entity FROM conflict ORDER BY entity")
            return try ids.map { id in
                let kind = try String.fetchOne(db, sql: "SELECT kind FROM conflict WHERE entity = ? LIMIT 1", arguments: [id]) ?? ""
                return (EntityKind(rawValue: kind) ?? .annotation, EntityID(rawValue: id)!, try Self.conflicts(of: id, in: db))
            }
        }
    }
}
