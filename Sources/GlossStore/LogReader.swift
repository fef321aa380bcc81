import Foundation
import GRDB
import GRDBSQLite
import GlossCore

/// Reads changes back from the log, re-creating each one's exact bytes from
/// its row (see ``StoredChange``).
struct LogReader {
    let db: Database
    let workspace: WorkspaceID
    /// The authors and entities named so far, by number.
    private(set) var names: Names

    /// What rows name by number: a device's or an entity's number never
    /// changes, so a reader may take over another's (a clone's pages do).
    struct Names {
        var authors: [Int64: DeviceID] = [:]
        var entities: [Int64: (id: EntityID, kind: EntityKind)] = [:]
    }

    init(_ db: Database, workspace: WorkspaceID, names: Names = Names()) {
        self.db = db
        self.workspace = workspace
        self.names = names
    }

    /// Every column ``recreate(_:blobs:known:)`` reads, in the order it reads them, from
    /// the log `c` joined to its author's previous change `p` and to its
    /// entity `e`. Callers add their `WHERE` and `ORDER BY`.
    static let select = """
        SELECT c.arrival, c.id, c.author, c.seq, c.entity, c.hlc_ms, c.hlc_counter, c.body, c.signature, p.id, e.id, e.kind
        FROM change c LEFT JOIN change p ON p.author = c.author AND p.seq = c.seq - 1 LEFT JOIN entity e ON e.number = c.entity
        """

    /// The changes that `clauses`, appended to ``select``, choose.
    mutating func changes(_ clauses: String, _ arguments: StatementArguments = []) throws -> [SignedChange] {
        try decode(Row.fetchAll(db.cachedStatement(sql: Self.select + "\n" + clauses), arguments: arguments))
    }

    /// The changes that rows of ``select`` hold, in any order. Parents
    /// among the rows are found there rather than looked up.
    mutating func decode(_ rows: [Row]) throws -> [SignedChange] {
        var known = Known()
        for row in rows {
            if let id = ChangeID(bytes: row[1] as Data) { known[row[0]] = (id, row[4]) }
        }
        return try rows.map { row in try decode(row, known: known) }
    }

    /// Changes already read, by arrival: their ids and entity numbers.
    typealias Known = [Int64: (id: ChangeID, entity: Int64)]

    /// The changes that `clauses`, appended to ``select`` and ending in
    /// `ORDER BY c.arrival`, choose, with where they arrived. Each row is
    /// read where SQLite holds it rather than copied first (GRDB decodes a
    /// copied row's columns by unspecialized generic code, a third of the
    /// cost of reading a change), so the rows are read in one pass: in
    /// arrival order, a change's parents among them come before it.
    mutating func changesByArrival(_ clauses: String, _ arguments: StatementArguments = [],
                                   known: inout Known) throws -> [(arrival: Int64, change: SignedChange)] {
        let statement = try db.cachedStatement(sql: Self.select + "\n" + clauses)
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        var changes: [(arrival: Int64, change: SignedChange)] = []
        while let row = try rows.next() {
            let arrival: Int64 = row[0]
            let blobs = Blobs(statement)
            if let id = blobs.id { known[arrival] = (id, row[4]) }
            changes.append((arrival, try decode(row, blobs: blobs, known: known)))
        }
        return changes
    }

    /// The changes that `clauses`, ending in `ORDER BY c.arrival`, choose
    /// (see ``changesByArrival(_:_:known:)``).
    mutating func changesByArrival(_ clauses: String, _ arguments: StatementArguments = []) throws -> [SignedChange] {
        var known = Known()
        return try changesByArrival(clauses, arguments, known: &known).map(\.change)
    }

    /// Every change of `entity`, in arrival order.
    mutating func changes(of entity: EntityID) throws -> [SignedChange] {
        try changesByArrival("WHERE c.entity = (SELECT number FROM entity WHERE id = ?) ORDER BY c.arrival", [entity.rawValue])
    }

    /// The changes that arrived at `arrivals`, in arrival order.
    mutating func changes(at arrivals: [Int64]) throws -> [SignedChange] {
        try changesByArrival("WHERE c.arrival IN (SELECT value FROM json_each(?)) ORDER BY c.arrival",
                             ["[" + arrivals.map(String.init).joined(separator: ",") + "]"])
    }

    /// The change a row of ``select`` holds.
    ///
    /// - Throws: ``StoreError/database(_:)`` when the row does not re-create
    ///   a change: the log has been altered.
    mutating func decode(_ row: Row, blobs: Blobs? = nil, known: Known = [:]) throws -> SignedChange {
        do {
            return try recreate(row, blobs: blobs, known: known)
        } catch {
            throw StoreError.database("a stored change is malformed (\(error)); run `gloss verify`")
        }
    }

    /// Why a row does not re-create a change, in the terms of `gloss verify`.
    struct Problem: Error, CustomStringConvertible {
        var kind: VerificationProblem.Kind
        var description: String

        init(_ kind: VerificationProblem.Kind, _ description: String) {
            self.kind = kind
            self.description = description
        }
    }

    /// Re-creates the change a row of ``select`` holds: its bytes, and the
    /// id stored with them, which ``Store/verify()`` compares with their hash
    /// (a change kept verbatim has the hash of its bytes). Parents are found
    /// in `known` first, then in the log. `blobs`, when given, are the
    /// row's blob columns already read; otherwise they are read from `row`.
    mutating func recreate(_ row: Row, blobs: Blobs? = nil, known: Known = [:]) throws(Problem) -> SignedChange {
        let blobs = blobs ?? Blobs(row)
        let seq: Int = row[3]
        let clock = HLCTimestamp(milliseconds: row[5], counter: row[6])
        guard let storedBody = blobs.body, let signature = blobs.signature else { throw Problem(.format, "its body or signature is missing") }
        let previous = blobs.previous
        guard signature.count == 64 else { throw Problem(.format, "its signature is \(signature.count) bytes, not 64") }
        let author = try self.author(row[2])
        let (entity, kind) = try self.entity(row[4], id: row[10], kind: row[11])
        if seq > 1 && previous == nil {
            throw Problem(.chain, "its author's change seq \(seq - 1), which its prev names, is not in the log")
        }

        let body: StoredChange.Body
        do { body = try StoredChange.Body(decoding: storedBody, seq: seq) } catch { throw Problem(.format, "its stored body is malformed: \(error)") }
        switch body {
        case .verbatim(let bytes):
            let signed: SignedChange
            do { signed = try SignedChange(bytes: Array(bytes), signature: signature) } catch {
                throw Problem(.format, "its bytes are not a valid change: \(error)")
            }
            let change = signed.change
            guard change.author == author, change.seq == seq, change.entity == entity, change.kind == kind, change.clock == clock else {
                throw Problem(.format, "its indexed columns disagree with its bytes")
            }
            guard change.workspace == workspace else {
                throw Problem(.format, "it belongs to workspace \(change.workspace), not \(workspace)")
            }
            guard change.previous == previous else {
                throw Problem(.chain, "its prev does not match the id of its author's seq \(seq - 1)")
            }
            return signed
        case .compact(let parentArrivals, let publicKey, let operationBytes):
            var parents: [ChangeID] = []
            for arrival in parentArrivals {
                let parent: (id: ChangeID, entity: Int64)
                if let held = known[arrival] { parent = held } else { parent = try self.parent(arrival) }
                guard parent.entity == row[4] as Int64 else {
                    throw Problem(.parent, "its parent \(parent.id.hex.prefix(12)) is a change of another entity")
                }
                parents.append(parent.id)
            }
            let operations: [ChangeOperation]
            do { operations = try Change.operations(decoding: operationBytes) } catch {
                throw Problem(.format, "its operations are not valid: \(error)")
            }
            let change = Change(workspace: workspace, author: author, seq: seq, previous: seq > 1 ? previous : nil, publicKey: publicKey,
                                clock: clock, kind: kind, entity: entity, parents: parents, operations: operations)
            var bytes = change.encodedHeader
            bytes.reserveCapacity(bytes.count + operationBytes.count + 1)
            bytes += operationBytes
            bytes.append(UInt8(ascii: "}"))
            guard let id = blobs.id else { throw Problem(.format, "its stored id is not 32 bytes") }
            return SignedChange(change: change, bytes: bytes, id: id, signature: signature)
        }
    }

    /// The id and entity number of the change that arrived `arrival`th.
    ///
    /// A delta's server looks up most of its changes' parents this way, so
    /// the statement is run through SQLite's C interface, as GRDB allows
    /// for its statements (see `LogWriter.insertRow`): GRDB's cursor and
    /// arguments took more instructions than SQLite's search.
    private func parent(_ arrival: Int64) throws(Problem) -> (id: ChangeID, entity: Int64) {
        let handle: OpaquePointer
        do {
            handle = try db.cachedStatement(sql: "SELECT id, entity FROM change WHERE arrival = ?").sqliteStatement
        } catch {
            throw Problem(.parent, "its parent could not be read: \(error)")
        }
        defer { sqlite3_reset(handle) }
        let code = sqlite3_bind_int64(handle, 1, arrival) == SQLITE_OK ? sqlite3_step(handle) : SQLITE_ERROR
        guard code == SQLITE_ROW || code == SQLITE_DONE else {
            throw Problem(.parent, "its parent could not be read: \(String(cString: sqlite3_errmsg(db.sqliteConnection)))")
        }
        // Columns are read only from a row: SQLite leaves them undefined otherwise.
        guard code == SQLITE_ROW, let id = Self.bytes(inColumn: 0, of: handle).flatMap({ ChangeID(bytes: $0) }) else {
            throw Problem(.parent, "its parent, the change that arrived \(arrival)th, is not in the log")
        }
        return (id, sqlite3_column_int64(handle, 1))
    }

    /// The bytes in `column` of the row that `handle` stands on, where
    /// SQLite holds them (until the statement moves); nil for NULL. Text
    /// reads as its bytes, as through `Data`.
    fileprivate static func bytes(inColumn column: CInt, of handle: OpaquePointer) -> UnsafeRawBufferPointer? {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL else { return nil }
        let start = sqlite3_column_blob(handle, column)  // before its size, as SQLite asks
        return UnsafeRawBufferPointer(start: start, count: Int(sqlite3_column_bytes(handle, column)))
    }

    private mutating func author(_ number: Int64) throws(Problem) -> DeviceID {
        if let known = names.authors[number] { return known }
        let id: DeviceID?
        do {
            id = try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM device WHERE number = ?"), arguments: [number])
                .flatMap(DeviceID.init(rawValue:))
        } catch {
            throw Problem(.format, "its author could not be read: \(error)")
        }
        guard let id else { throw Problem(.format, "its author, device number \(number), is not a known device") }
        names.authors[number] = id
        return id
    }

    /// The entity with `number`, whose id and kind the row joined (nil when
    /// the entity table has no such number).
    private mutating func entity(_ number: Int64, id: String?, kind: String?) throws(Problem) -> (id: EntityID, kind: EntityKind) {
        if let known = names.entities[number] { return known }
        guard let id = id.flatMap(EntityID.init(rawValue:)), let kind = kind.flatMap(EntityKind.init(rawValue:)) else {
            throw Problem(.format, "its entity, number \(number), is not a known entity")
        }
        names.entities[number] = (id, kind)
        return (id, kind)
    }
}

extension LogReader {
    /// The blob columns of a row of ``select``: the change's id, stored
    /// body and signature, and the id of its author's change before it.
    struct Blobs {
        var id: ChangeID?
        var body: [UInt8]?
        var signature: [UInt8]?
        var previous: ChangeID?

        /// Read through GRDB, from any row.
        init(_ row: Row) {
            id = (row[1] as Data?).flatMap { ChangeID(bytes: $0) }
            body = (row[7] as Data?).map { Array($0) }
            signature = (row[8] as Data?).map { Array($0) }
            previous = (row[9] as Data?).flatMap { ChangeID(bytes: $0) }
        }

        /// Read where SQLite holds them, from the row `statement` stands
        /// on: through `Data`, each was copied twice (a tenth of a
        /// server's reading).
        init(_ statement: Statement) {
            let handle = statement.sqliteStatement
            func bytes(_ column: CInt) -> UnsafeRawBufferPointer? { LogReader.bytes(inColumn: column, of: handle) }
            id = bytes(1).flatMap { ChangeID(bytes: $0) }
            body = bytes(7).map { Array($0) }
            signature = bytes(8).map { Array($0) }
            previous = bytes(9).flatMap { ChangeID(bytes: $0) }
        }
    }

    /// Every change of `entity`, in arrival order.
    static func changes(of entity: EntityID, in db: Database, workspace: WorkspaceID) throws -> [SignedChange] {
        var reader = LogReader(db, workspace: workspace)
        return try reader.changes(of: entity)
    }

    /// Those of `changes` that removed devices wrote after their removal.
    static func ignored(among changes: [SignedChange], _ db: Database) throws -> Set<ChangeID> {
        let lastSeqs = try Store.removalLimits(in: db)
        guard !lastSeqs.isEmpty else { return [] }
        return Set(changes.filter { signed in lastSeqs[signed.change.author.rawValue].map { signed.change.seq > $0 } ?? false }.map(\.id))
    }
}
