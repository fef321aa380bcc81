import Foundation
import GRDB
import GlossCore
import GlossMerge

/// A statement's optional descriptive fields.
public struct StatementMetadata: Sendable {
    public var title: String?
    public var source: String?
    /// An ISO 8601 date, `YYYY-MM-DD`.
    public var published: String?

    public init(title: String? = nil, source: String? = nil, published: String? = nil) {
        self.title = title
        self.source = source
        self.published = published
    }
}

extension Store {
    /// The largest statement text accepted, in bytes.
    public static let maximumTextBytes = 10_000_000

    /// Imports a statement from UTF-8 bytes: normalised to NFC, pinned by
    /// its SHA-256, written as one change.
    ///
    /// - Throws: ``StoreError/invalidInput(_:)``, with nothing written, for
    ///   text over 10 MB, invalid UTF-8, empty text, bad metadata, or a text
    ///   already imported.
    public func addStatement(utf8 bytes: [UInt8], metadata: StatementMetadata, now: Int) throws(StoreError) -> StatementState {
        try requireMembership()
        let text = try Self.statementText(bytes)
        try Self.check(metadata)
        let revision = RevisionHash(text: text)
        return try write { writer in
            if let existing = try String.fetchOne(writer.db, sql: "SELECT id FROM statement WHERE revision = ?", arguments: [revision.hex]) {
                throw StoreError.invalidInput("expected a new text, found the text of statement \(existing.prefix(8)) again")
            }
            try writer.db.execute(sql: "INSERT OR IGNORE INTO text (revision, body) VALUES (?, ?)", arguments: [revision.hex, text])
            let entity = EntityID(createdBy: writer.key.id, seq: try writer.nextSeq())
            var operations: [ChangeOperation] = [.set(field: "revision", value: .string(revision.hex))]
            for (field, value) in [("title", metadata.title), ("source", metadata.source), ("published", metadata.published)] {
                if let value { operations.append(.set(field: field, value: .string(value.nfc))) }
            }
            try writer.append(kind: .statement, entity: entity, operations: operations, now: now)
            return try Self.statement(entity, in: writer.db)!
        }
    }

    static func statementText(_ bytes: [UInt8]) throws(StoreError) -> String {
        guard bytes.count <= maximumTextBytes else {
            throw .invalidInput("expected a text of at most 10 MB, found \(bytes.count) bytes")
        }
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let text = String(validating: body, as: UTF8.self) else {
            var iterator = body.makeIterator()
            var decoder = UTF8()
            var offset = body.startIndex
            loop: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar): offset += UTF8.width(scalar)
                case .emptyInput, .error: break loop
                }
            }
            throw .invalidInput("expected UTF-8 text, found an invalid byte at offset \(offset)")
        }
        if let nul = text.utf8.firstIndex(of: 0) {
            throw .invalidInput("expected a text without U+0000 (NUL), found one at offset \(text.utf8.distance(from: text.utf8.startIndex, to: nul) + body.startIndex)")
        }
        guard text.contains(where: { !$0.isWhitespace }) else {
            throw .invalidInput("expected a text with at least one visible character, found an empty text")
        }
        return text.nfc
    }

    private static func check(_ metadata: StatementMetadata) throws(StoreError) {
        if let title = metadata.title, title.isEmpty || title.count > 1_000 {
            throw .invalidInput("expected a title of 1 to 1000 characters, found \(title.count)")
        }
        if let source = metadata.source {
            guard let url = URL(string: source), let scheme = url.scheme, ["http", "https"].contains(scheme.lowercased()),
                  url.host != nil, source.count <= 2_000 else {
                throw .invalidInput("expected a source URL such as https://example.org/release, found \"\(source)\"")
            }
        }
        if let published = metadata.published {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd"
            guard published.count == 10, let date = formatter.date(from: published), formatter.string(from: date) == published else {
                throw .invalidInput("expected a publication date as YYYY-MM-DD, found \"\(published)\"")
            }
        }
    }

    /// Every statement, oldest first.
    public func statements() throws(StoreError) -> [StatementState] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM statement ORDER BY created_ms, created_counter, id").map { try Self.statement(from: $0, in: db) }
        }
    }

    /// The statement `id`, or an error naming it.
    public func statement(_ id: EntityID) throws(StoreError) -> StatementState {
        guard let statement = try read({ db in try Self.statement(id, in: db) }) else {
            throw .notFound(kind: .statement, prefix: id.rawValue)
        }
        return statement
    }

    /// The text of a statement revision.
    public func text(of revision: RevisionHash) throws(StoreError) -> String {
        guard let text = try read({ db in
            try String.fetchOne(db, sql: "SELECT body FROM text WHERE revision = ?", arguments: [revision.hex])
        }) else {
            throw .database("the text of revision \(revision.hex.prefix(12)) is missing")
        }
        return text
    }

    /// How many annotations (deleted ones excluded) each statement has.
    public func annotationCounts() throws(StoreError) -> [EntityID: Int] {
        try read { db in
            var counts: [EntityID: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT statement, count(*) AS n FROM annotation WHERE NOT deleted GROUP BY statement") {
                if let id = EntityID(rawValue: row["statement"]) { counts[id] = row["n"] }
            }
            return counts
        }
    }

    static func statement(_ id: EntityID, in db: Database) throws -> StatementState? {
        try Row.fetchOne(db, sql: "SELECT * FROM statement WHERE id = ?", arguments: [id.rawValue]).map { try statement(from: $0, in: db) }
    }

    static func statement(from row: Row, in db: Database) throws -> StatementState {
        StatementState(id: try row.parsed("id", of: "statement", EntityID.init(rawValue:)), title: row["title"], source: row["source"],
                       published: row["published"], revision: try row.parsed("revision", of: "statement", RevisionHash.init(hex:)),
                       author: try row.parsed("author", of: "statement", DeviceID.init(rawValue:)),
                       created: HLCTimestamp(milliseconds: row["created_ms"], counter: row["created_counter"]),
                       conflicts: try conflicts(of: row["id"], in: db))
    }
}
