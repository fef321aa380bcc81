import Foundation
import GlossCore
import GlossMerge

/// The JSON shapes of `--json` output. Field names are part of the CLI's
/// contract: change them only with the README.
struct PersonJSON: Encodable {
    var device: String
    var name: String?

    init(_ device: DeviceID, _ members: [DeviceID: String]) {
        self.device = device.rawValue
        name = members[device]
    }
}

struct AnnotationJSON: Encodable {
    struct Quote: Encodable { var exact, prefix, suffix: String }
    struct Position: Encodable { var start, end: Int }

    var id: String
    var statement: String
    var revision: String
    var quote: Quote
    var position: Position
    var anchor: String
    var anchorScore: Double
    var note: String
    var tags: [String]
    var status: String
    var motivation: String
    var deleted: Bool
    var author: PersonJSON
    var created: String
    var modifiedBy: PersonJSON
    var modified: String
    var conflicts: [ConflictJSON]
    var origin: OriginJSON?

    struct OriginJSON: Encodable {
        var id: String
        var creator, created: String?
        var heads, conflicts: [String]
    }

    init(_ annotation: AnnotationState, _ members: [DeviceID: String]) {
        id = annotation.id.rawValue
        statement = annotation.target.statement.rawValue
        revision = annotation.target.revision.hex
        quote = Quote(exact: annotation.target.exact, prefix: annotation.target.prefix, suffix: annotation.target.suffix)
        position = Position(start: annotation.target.start, end: annotation.target.end)
        anchor = annotation.anchor.state.rawValue
        anchorScore = Double(annotation.anchor.score) / 1000
        note = annotation.note
        tags = annotation.tags
        status = annotation.status.rawValue
        motivation = annotation.motivation.rawValue
        deleted = annotation.isDeleted
        author = PersonJSON(annotation.author, members)
        created = annotation.created.iso8601
        modifiedBy = PersonJSON(annotation.modifiedBy, members)
        modified = annotation.modified.iso8601
        conflicts = annotation.conflicts.map { ConflictJSON($0, members) }
        origin = annotation.origin.map { OriginJSON(id: $0.id, creator: $0.creator, created: $0.created, heads: $0.heads, conflicts: $0.conflicts) }
    }
}

struct StatementJSON: Encodable {
    var id: String
    var title: String?
    var source: String?
    var published: String?
    var revision: String
    var length: Int
    var annotations: Int
    var author: PersonJSON
    var created: String
    var text: String?

    init(_ statement: StatementState, text: String, annotations: Int, members: [DeviceID: String], includeText: Bool) {
        id = statement.id.rawValue
        title = statement.title
        source = statement.source
        published = statement.published
        revision = statement.revision.hex
        length = text.unicodeScalars.count
        self.annotations = annotations
        author = PersonJSON(statement.author, members)
        created = statement.created.iso8601
        self.text = includeText ? text : nil
    }
}

struct ChangeJSON: Encodable {
    var id: String
    var author: PersonJSON
    var seq: Int
    var time: String
    var hlc: [Int]
    var kind: String
    var entity: String
    var parents: [String]
    var operations: [String]
    /// The exact bytes the author signed, as text.
    var line: String

    init(_ signed: SignedChange, _ members: [DeviceID: String]) {
        let change = signed.change
        id = signed.id.hex
        author = PersonJSON(change.author, members)
        seq = change.seq
        time = change.clock.iso8601
        hlc = [change.clock.milliseconds, change.clock.counter]
        kind = change.kind.rawValue
        entity = change.entity.rawValue
        parents = change.parents.map(\.hex)
        operations = change.operations.map(\.summary)
        line = String(decoding: signed.bytes, as: UTF8.self)
    }
}
