import Foundation
import GRDB
import GRDBSQLite
import GlossCore
import GlossMerge

/// Appends this device's changes to the log inside one open transaction,
/// and keeps the derived state in step with the log.
struct LogWriter {
    let db: Database
    let key: DeviceKey
    let workspace: WorkspaceID
    /// What this transaction has read or written of the log's numbering,
    /// so that each is looked up once. It ends with the transaction.
    private let memo = Memo()

    private final class Memo {
        var devices: [DeviceID: Int64] = [:]
        var entities: [EntityID: (number: Int64, kind: EntityKind)] = [:]
        var changes: [ChangeID: (arrival: Int64, entity: Int64)] = [:]
        /// Every entity marked stale, once read in full (only to advance
        /// an annotation, outside a clone, when there are few or none).
        var stale: Set<EntityID>?
        /// The entities this transaction marked stale.
        var marked: Set<EntityID> = []
        /// Entities' heads and annotations' states as the tables hold them:
        /// once read, kept in step as changes extend them, and forgotten
        /// when a derivation rewrites them (see `settle` and `save`).
        var heads: [EntityID: [ChangeID]] = [:]
        var annotations: [EntityID: AnnotationState] = [:]
        /// Whether the log's index by id is known to exist: false only in a
        /// clone's batches, until checked (see `requireIndexById()`).
        var hasIndexById = true
        /// Full-text entries to replace as the transaction ends, or sooner
        /// once they hold `searchBytes` of text (see `writeSearch()`).
        var search: [EntityID: (kind: EntityKind, body: String?)] = [:]
        var searchBytes = 0
    }

    /// How much full text a transaction holds before writing it.
    static let searchBytes = 4 << 20

    private init(db: Database, key: DeviceKey, workspace: WorkspaceID) {
        self.db = db
        self.key = key
        self.workspace = workspace
    }

    /// Runs `body` with a writer inside the open transaction of `db`, then
    /// writes the full text it held back (`writeSearch()`).
    @discardableResult
    static func writing<T>(_ db: Database, key: DeviceKey, workspace: WorkspaceID, _ body: (LogWriter) throws -> T) throws -> T {
        let writer = LogWriter(db: db, key: key, workspace: workspace)
        let result = try body(writer)
        try writer.writeSearch()
        return result
    }

    /// The sequence number this device's next change will carry.
    func nextSeq() throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT seq FROM author_head WHERE author = ?"), arguments: [key.id.rawValue]).map { $0 + 1 } ?? 1
    }

    /// Writes a change of `entity` made of `operations`, signed by this
    /// device, on top of the entity's current heads; then re-derives the
    /// entity's state. Only a member may write, except the genesis change
    /// of a workspace that has no members yet.
    @discardableResult
    func append(kind: EntityKind, entity: EntityID, operations: [ChangeOperation], now: Int) throws -> SignedChange {
        let author = key.id
        if try Bool(exists: "SELECT 1 FROM member", [], in: db) { try requireMembership() }
        let head = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, id FROM author_head WHERE author = ?"), arguments: [author.rawValue])
        let seq = (head?["seq"] as Int?).map { $0 + 1 } ?? 1
        let previous = (head?["id"] as Data?).flatMap { ChangeID(bytes: $0) }
        let parents = try heads(of: entity)
        var clock = HybridClock(last: try lastClockReading())
        let reading = clock.tick(now: now)
        try save(clock)
        let change = Change(workspace: workspace, author: author, seq: seq, previous: previous,
                            publicKey: seq == 1 ? Array(key.publicKey.rawRepresentation) : nil,
                            clock: reading, kind: kind, entity: entity, parents: parents, operations: operations)
        do {
            try change.validate()
        } catch {
            throw StoreError.rejected(error)
        }
        let signed = SignedChange(signing: change, with: key)
        try insert(signed)
        try moveAuthorHead(to: signed)
        let lastSeq = try Int.fetchOne(db.cachedStatement(sql: "SELECT last_seq FROM removed_device WHERE device = ?"), arguments: [author.rawValue])
        if try advance(signed, extending: parents, authorRemovedAfter: lastSeq) == nil { try rederive(kind: kind, entity: entity) }
        return signed
    }

    /// Throws unless this device is a member of the workspace.
    func requireMembership() throws {
        try Store.requireMembership(of: key.id, in: db)
    }

    /// Brings the derived state of `signed`'s annotation up to date from
    /// its cached state alone, when `signed` names every head the
    /// annotation had (`heads`, read before it was inserted) and its author's
    /// changes take effect (a removed author's, up to `lastSeq`). Returns
    /// how many fields were in conflict before and after; nil, changing
    /// nothing, when the caller must derive the annotation in full instead.
    ///
    /// - Complexity: O(1) reads and writes, against O(changes of the
    ///   annotation) for ``rederive(kind:entity:)``.
    func advance(_ signed: SignedChange, extending heads: [ChangeID], authorRemovedAfter lastSeq: Int?) throws -> (before: Int, after: Int)? {
        let change = signed.change
        guard change.kind == .annotation, !heads.isEmpty, Set(heads) == Set(change.parents), try !staleMarks().contains(change.entity) else { return nil }
        if let lastSeq, change.seq > lastSeq { return nil }
        guard let current = try annotation(change.entity), let next = current.extended(by: signed) else { return nil }
        try save(next, replacing: current)
        return (current.conflictedFields, next.conflictedFields)
    }

    /// The entity's heads: its changes that no other change names as a parent.
    func heads(of entity: EntityID) throws -> [ChangeID] {
        if let known = memo.heads[entity] { return known }
        let heads = try Data.fetchAll(db.cachedStatement(sql: "SELECT change FROM entity_head WHERE entity = ?"), arguments: [entity.rawValue])
            .compactMap { ChangeID(bytes: $0) }
        memo.heads[entity] = heads
        return heads
    }

    /// The annotation's state as the tables hold it; nil if they hold none.
    /// Read once a transaction: what writes it keeps the memo in step.
    func annotation(_ id: EntityID) throws -> AnnotationState? {
        if let known = memo.annotations[id] { return known }
        let state = try Store.annotation(id, in: db)
        memo.annotations[id] = state
        return state
    }

    /// Reads at once what applying changes of `entities` looks up for each:
    /// their numbers and kinds, their heads (and where those arrived), and
    /// the annotations' states. A batch of changes to many entities then
    /// costs a few queries instead of several per change.
    func prefetch(_ entities: Set<EntityID>) throws {
        let wanted = entities.filter { memo.heads[$0] == nil }
        guard wanted.count > 1 else { return }  // one costs the same either way
        let list = Store.jsonArray(wanted.map(\.rawValue))
        // Rows are read from cursors, where SQLite holds them, not copied first.
        let entities = try Row.fetchCursor(db.cachedStatement(sql: "SELECT id, number, kind FROM entity WHERE id IN (SELECT value FROM json_each(?))"),
                                           arguments: [list])
        while let row = try entities.next() {
            if let id = EntityID(rawValue: row[0]), let kind = EntityKind(rawValue: row[2]) { memo.entities[id] = (row[1], kind) }
        }
        for entity in wanted { memo.heads[entity] = [] }
        let heads = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT h.entity, h.change, c.arrival, c.entity FROM entity_head h
            JOIN change c ON substr(c.id, 1, 8) = substr(h.change, 1, 8) AND c.id = h.change
            WHERE h.entity IN (SELECT value FROM json_each(?))
            """), arguments: [list])
        while let row = try heads.next() {
            guard let entity = EntityID(rawValue: row[0]), let head = ChangeID(bytes: row[1] as Data) else { continue }
            memo.heads[entity, default: []].append(head)
            memo.changes[head] = (row[2], row[3])
        }
        for (id, state) in try Store.annotations(wanted, in: db) { memo.annotations[id] = state }
    }

    func save(_ clock: HybridClock) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO clock (singleton, ms, counter) VALUES (1, ?, ?)")
            .execute(arguments: [clock.last.milliseconds, clock.last.counter])
    }

    func lastClockReading() throws -> HLCTimestamp {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT ms, counter FROM clock")) else {
            return HLCTimestamp(milliseconds: 0, counter: 0)
        }
        return HLCTimestamp(milliseconds: row["ms"], counter: row["counter"])
    }

    /// Adds a checked change to the log and, unless the caller leaves them
    /// for ``rederive(kind:entity:)`` to settle, moves the entity's heads.
    /// Its parents must be held. The author's head is the caller's to move
    /// (``moveAuthorHead(to:)``), once for a batch.
    /// Returns where it arrived, and its entity's number.
    @discardableResult
    func insert(_ signed: SignedChange, movingEntityHeads: Bool = true) throws -> (arrival: Int64, entity: Int64) {
        let change = signed.change
        if let publicKey = change.publicKey {
            try db.cachedStatement(sql: "INSERT OR IGNORE INTO device (id, public_key) VALUES (?, ?)")
                .execute(arguments: [change.author.rawValue, Data(publicKey)])
        }
        let entity = try self.entity(change.entity)?.number ?? number(newEntity: change.entity, kind: change.kind)
        let parents = try change.parents.map { parent in
            guard let arrival = try held(parent)?.arrival else {
                throw StoreError.database("the parent \(parent.hex.prefix(12)) of change \(signed.label) is not held")
            }
            return arrival
        }
        let arrival = try insertRow(signed, author: try device(change.author, of: signed), entity: entity,
                                    body: StoredChange.body(of: signed, parentArrivals: parents))
        memo.changes[signed.id] = (arrival, entity)
        guard movingEntityHeads else { return (arrival, entity) }
        for parent in change.parents {
            try db.cachedStatement(sql: "DELETE FROM entity_head WHERE entity = ? AND change = ?")
                .execute(arguments: [change.entity.rawValue, parent.data])
        }
        try db.cachedStatement(sql: "INSERT INTO entity_head (entity, change) VALUES (?, ?)")
            .execute(arguments: [change.entity.rawValue, signed.id.data])
        if let heads = memo.heads[change.entity] { memo.heads[change.entity] = heads.filter { !change.parents.contains($0) } + [signed.id] }
        return (arrival, entity)
    }

    /// Inserts the log's row of `signed` and returns where it arrived.
    ///
    /// The one statement of the log run for every change a clone receives,
    /// so it binds its values through SQLite's C interface, as GRDB allows
    /// for its statements: GRDB's arguments (each value boxed, checked
    /// against the statement and copied, ids and blobs first made `Data`)
    /// cost a fifth of a clone's commits.
    private func insertRow(_ signed: SignedChange, author: Int64, entity: Int64, body: [UInt8]) throws -> Int64 {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO change (id, author, seq, entity, hlc_ms, hlc_counter, body, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let handle = statement.sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        func check(_ code: CInt, is expected: CInt = SQLITE_OK) throws {
            guard code == expected else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                                    sql: statement.sql)
            }
        }
        func blob(_ index: CInt, _ bytes: UnsafeRawBufferPointer) -> CInt {
            sqlite3_bind_blob(handle, index, bytes.baseAddress, CInt(bytes.count), Self.transient)
        }
        let change = signed.change
        try check(signed.id.withUnsafeBytes { blob(1, $0) })
        try check(sqlite3_bind_int64(handle, 2, author))
        try check(sqlite3_bind_int64(handle, 3, Int64(change.seq)))
        try check(sqlite3_bind_int64(handle, 4, entity))
        try check(sqlite3_bind_int64(handle, 5, Int64(change.clock.milliseconds)))
        try check(sqlite3_bind_int64(handle, 6, Int64(change.clock.counter)))
        try check(body.withUnsafeBytes { blob(7, $0) })
        try check(signed.signature.withUnsafeBytes { blob(8, $0) })
        try check(sqlite3_step(handle), is: SQLITE_DONE)
        return db.lastInsertedRowID
    }

    /// SQLite's `SQLITE_TRANSIENT`: copy the bytes bound before returning.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    /// Records `signed` as the end of its author's hash chain.
    func moveAuthorHead(to signed: SignedChange) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO author_head (author, seq, id) VALUES (?, ?, ?)")
            .execute(arguments: [signed.change.author.rawValue, signed.change.seq, signed.id.data])
    }

    /// Where a held change arrived, and its entity's number; nil if the
    /// log does not hold it.
    func held(_ id: ChangeID) throws -> (arrival: Int64, entity: Int64)? {
        if let known = memo.changes[id] { return known }
        try requireIndexById()
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT arrival, entity FROM change WHERE substr(id, 1, 8) = substr(?1, 1, 8) AND id = ?1"),
                                         arguments: [id.data]) else { return nil }
        memo.changes[id] = (row[0], row[1])
        return (row[0], row[1])
    }

    /// Tells the writer that it writes a clone's batch, whose log may lack
    /// its index by id until the clone's end (see `Schema.deferredLogIndexes`).
    func mayLackIndexById() {
        memo.hasIndexById = false
    }

    /// Builds the log's index by id if a clone left it for its end: a change
    /// that a clone's batch must find by id before then, a parent it does
    /// not carry, needs it now.
    private func requireIndexById() throws {
        guard !memo.hasIndexById else { return }
        try Schema.buildDeferredLogIndexes(db, among: [Schema.indexById])
        memo.hasIndexById = true
    }

    /// Records what a clone carries of a head of an annotation, sparing
    /// the lookups of it and of the annotation's number.
    func remember(_ head: DeferredDerivation.Head, of annotation: EntityID) {
        memo.changes[head.id] = (head.arrival, head.entity)
        memo.entities[annotation] = (head.entity, .annotation)
    }

    /// The number and kind of an entity the log has changes of; nil for
    /// one it has none of.
    func entity(_ id: EntityID) throws -> (number: Int64, kind: EntityKind)? {
        if let known = memo.entities[id] { return known }
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT number, kind FROM entity WHERE id = ?"), arguments: [id.rawValue]),
              let kind = EntityKind(rawValue: row[1]) else { return nil }
        memo.entities[id] = (row[0], kind)
        return (row[0], kind)
    }

    private func number(newEntity id: EntityID, kind: EntityKind) throws -> Int64 {
        try db.cachedStatement(sql: "INSERT INTO entity (id, kind) VALUES (?, ?)").execute(arguments: [id.rawValue, kind.rawValue])
        memo.entities[id] = (db.lastInsertedRowID, kind)
        return db.lastInsertedRowID
    }

    private func device(_ id: DeviceID, of signed: SignedChange) throws -> Int64 {
        if let known = memo.devices[id] { return known }
        guard let number = try Int64.fetchOne(db.cachedStatement(sql: "SELECT number FROM device WHERE id = ?"), arguments: [id.rawValue]) else {
            throw StoreError.database("no key is held for \(id), the author of change \(signed.label)")
        }
        memo.devices[id] = number
        return number
    }

    /// Marks an entity's derived state as behind its changes, for
    /// ``Store/deriveStale()``.
    func markStale(_ kind: EntityKind, _ entity: EntityID) throws {
        guard memo.marked.insert(entity).inserted else { return }
        memo.stale?.insert(entity)
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO stale_entity (entity, kind) VALUES (?, ?)")
            .execute(arguments: [entity.rawValue, kind.rawValue])
    }

    /// How many fields of the entity the `conflict` table holds in conflict.
    func conflictedFields(of entity: EntityID) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT count(DISTINCT field) FROM conflict WHERE entity = ?"), arguments: [entity.rawValue]) ?? 0
    }

    /// Every entity marked stale.
    func staleMarks() throws -> Set<EntityID> {
        if let known = memo.stale { return known }
        let marks = Set(try String.fetchAll(db.cachedStatement(sql: "SELECT entity FROM stale_entity")).compactMap(EntityID.init(rawValue:)))
        memo.stale = marks
        return marks
    }

    /// Replaces the derived state of one entity, and its heads, with what
    /// its changes make, and clears its stale mark.
    ///
    /// With `arrivals`, where each of the entity's changes arrived, they are
    /// read from there: a clone derives its workspace so, while the log's
    /// indexes by entity wait for ``Store/deriveStale()``. With
    /// `deferringRemovals`, what a removal touched is marked stale for
    /// ``Store/deriveStale()`` rather than derived.
    func rederive(kind: EntityKind, entity: EntityID, arrivals: [Int64]? = nil, deferringRemovals: Bool = false) throws {
        var reader = LogReader(db, workspace: workspace)
        let changes = try arrivals.map { try reader.changes(at: $0) } ?? reader.changes(of: entity)
        let graph = ChangeGraph(changes, ignoring: try LogReader.ignored(among: changes, db))
        try settle(entity, heads: graph.heads)
        switch kind {
        case .workspace:
            let state = WorkspaceState(deriving: graph.ordered)
            try db.cachedStatement(sql: "UPDATE workspace SET name = ?").execute(arguments: [state.name])
            try db.execute(sql: "DELETE FROM member")
            for (device, name) in state.members {
                try db.cachedStatement(sql: "INSERT INTO member (device, name) VALUES (?, ?)").execute(arguments: [device.rawValue, name])
            }
            try record(removals: state, deferringDerivation: deferringRemovals)
        case .statement:
            guard let state = StatementState(deriving: graph) else { return try forget(entity, kind: kind) }
            try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO statement (id, title, source, published, revision, author, created_ms, created_counter)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [state.id.rawValue, state.title, state.source, state.published, state.revision.hex,
                                 state.author.rawValue, state.created.milliseconds, state.created.counter])
            try record(state.conflicts, of: entity, kind: kind)
            let text = try String.fetchOne(db.cachedStatement(sql: "SELECT body FROM text WHERE revision = ?"), arguments: [state.revision.hex]) ?? ""
            try index(entity, kind: kind, body: [state.title ?? "", text].joined(separator: "\n"))
        case .annotation:
            guard let state = AnnotationState(deriving: graph) else { return try forget(entity, kind: kind) }
            try save(state, replacing: nil)
        }
    }

    /// Removes the derived state of an entity that none of its changes
    /// creates: all were written by a removed device after its removal,
    /// which arrived after them.
    private func forget(_ entity: EntityID, kind: EntityKind) throws {
        try db.cachedStatement(sql: kind == .statement ? "DELETE FROM statement WHERE id = ?" : "DELETE FROM annotation WHERE id = ?")
            .execute(arguments: [entity.rawValue])
        try db.cachedStatement(sql: "DELETE FROM annotation_tag WHERE annotation = ?").execute(arguments: [entity.rawValue])
        try record([], of: entity, kind: kind)
        try index(entity, kind: kind, body: nil)
        memo.annotations.removeValue(forKey: entity)
    }

    /// Writes the state of an annotation derived elsewhere from all its
    /// changes, which end at `head`, and clears its stale mark.
    func settle(_ state: AnnotationState, head: ChangeID) throws {
        try settle(state.id, heads: [head])
        try save(state, replacing: nil)
    }

    /// Sets the entity's heads to `heads`, those of all its changes, and
    /// clears its stale mark: the two things a derivation settles besides
    /// the state itself.
    private func settle(_ entity: EntityID, heads: [ChangeID]) throws {
        try db.cachedStatement(sql: "DELETE FROM stale_entity WHERE entity = ?").execute(arguments: [entity.rawValue])
        memo.stale?.remove(entity)
        memo.marked.remove(entity)
        memo.heads.removeValue(forKey: entity)  // read again if needed: deriving a whole clone settles every entity
        try db.cachedStatement(sql: "DELETE FROM entity_head WHERE entity = ?").execute(arguments: [entity.rawValue])
        for head in heads {
            try db.cachedStatement(sql: "INSERT INTO entity_head (entity, change) VALUES (?, ?)").execute(arguments: [entity.rawValue, head.data])
        }
    }

    /// Writes an annotation's derived state: its row, tags, conflicts and
    /// search entry. With `previous`, the state the tables hold now, only
    /// what changed from it is written, and the state is remembered for the
    /// rest of the transaction.
    private func save(_ state: AnnotationState, replacing previous: AnnotationState?) throws {
        let entity = state.id
        let values = Self.values(of: state)
        if let previous {
            // Only the columns that changed, so that indexes on the others
            // are left alone. An edit changes a field or two and the
            // modification columns, so there are few such statements to cache.
            let before = Self.values(of: previous)
            let changed = values.indices.filter { values[$0] != before[$0] }
            if !changed.isEmpty {
                let assignments = changed.map { "\"\(Store.annotationColumns[$0])\" = ?" }.joined(separator: ", ")
                try db.cachedStatement(sql: "UPDATE annotation SET \(assignments) WHERE id = ?")
                    .execute(arguments: StatementArguments(changed.map { values[$0] } + [entity.rawValue.databaseValue]))
            }
        } else {
            try db.cachedStatement(sql: Self.insertAnnotation).execute(arguments: StatementArguments(values))
        }
        if previous?.conflicts != state.conflicts { try record(state.conflicts, of: entity, kind: .annotation) }
        if let previous {
            // Only the tags that changed: an annotation may have hundreds.
            if previous.tags != state.tags {
                for tag in Set(previous.tags).subtracting(state.tags) {
                    try db.cachedStatement(sql: "DELETE FROM annotation_tag WHERE annotation = ? AND tag = ?").execute(arguments: [entity.rawValue, tag])
                }
                for tag in Set(state.tags).subtracting(previous.tags) {
                    try db.cachedStatement(sql: "INSERT INTO annotation_tag (annotation, tag) VALUES (?, ?)").execute(arguments: [entity.rawValue, tag])
                }
            }
        } else {
            try db.cachedStatement(sql: "DELETE FROM annotation_tag WHERE annotation = ?").execute(arguments: [entity.rawValue])
            for tag in state.tags {
                try db.cachedStatement(sql: "INSERT INTO annotation_tag (annotation, tag) VALUES (?, ?)").execute(arguments: [entity.rawValue, tag])
            }
        }
        // The full text holds the quote, the note and the tags of a live annotation.
        let isIndexed = previous.map { $0.isDeleted == state.isDeleted && $0.target.exact == state.target.exact
            && $0.note == state.note && $0.tags == state.tags } ?? false
        if !isIndexed {
            try index(entity, kind: .annotation,
                      body: state.isDeleted ? nil : [state.target.exact, state.note, state.tags.joined(separator: " ")].joined(separator: "\n"))
        }
        // A state brought forward is remembered for the batch's next change;
        // one written whole (a derivation) is read again if needed, so that
        // deriving every annotation of a large clone does not hold them all.
        if previous != nil { memo.annotations[entity] = state } else { memo.annotations.removeValue(forKey: entity) }
    }

    /// An annotation's row in the `annotation` table, in the order of `Store.annotationColumns`.
    private static func values(of state: AnnotationState) -> [DatabaseValue] {
        [
            state.id.rawValue.databaseValue, state.target.statement.rawValue.databaseValue, state.target.revision.hex.databaseValue,
            state.target.exact.databaseValue, state.target.prefix.databaseValue, state.target.suffix.databaseValue,
            state.target.start.databaseValue, state.target.end.databaseValue, state.note.databaseValue,
            state.status.rawValue.databaseValue, state.motivation.rawValue.databaseValue, state.isDeleted.databaseValue,
            state.author.rawValue.databaseValue, state.created.milliseconds.databaseValue, state.created.counter.databaseValue,
            state.modifiedBy.rawValue.databaseValue, state.modified.milliseconds.databaseValue, state.modified.counter.databaseValue,
            state.anchor.state.rawValue.databaseValue, state.anchor.score.databaseValue,
            state.origin.map { String(decoding: $0.json.encoded, as: UTF8.self) }.databaseValue, state.origin?.id.databaseValue ?? .null,
        ]
    }

    private static let insertAnnotation = """
        INSERT OR REPLACE INTO annotation (\(Store.annotationSelection))
        VALUES (\(Array(repeating: "?", count: Store.annotationColumns.count).joined(separator: ", ")))
        """

    /// Records removed devices and re-derives (or, `deferringDerivation`,
    /// marks stale) every entity that a change of theirs, written after
    /// their removal, had touched.
    private func record(removals state: WorkspaceState, deferringDerivation: Bool) throws {
        for (device, lastSeq) in state.removed {
            let known = try Int.fetchOne(db.cachedStatement(sql: "SELECT last_seq FROM removed_device WHERE device = ?"),
                                         arguments: [device.rawValue])
            guard known != lastSeq else { continue }
            try db.cachedStatement(sql: "INSERT OR REPLACE INTO removed_device (device, name, last_seq) VALUES (?, ?, ?)")
                .execute(arguments: [device.rawValue, state.removedNames[device] ?? "", lastSeq])
            let touched = try Row.fetchAll(db, sql: """
                SELECT DISTINCT e.kind, e.id FROM change c JOIN entity e ON e.number = c.entity
                WHERE c.author = (SELECT number FROM device WHERE id = ?) AND c.seq > ? AND e.kind != 'workspace'
                """, arguments: [device.rawValue, lastSeq])
            for row in touched {
                let kind = try row.parsed("kind", of: "entity", EntityKind.init(rawValue:)), entity = try row.parsed("id", of: "entity", EntityID.init(rawValue:))
                if deferringDerivation { try markStale(kind, entity) } else { try rederive(kind: kind, entity: entity) }
            }
        }
    }

    /// Replaces the entity's conflicts with `conflicts`.
    private func record(_ conflicts: [Conflict], of entity: EntityID, kind: EntityKind) throws {
        try db.cachedStatement(sql: "DELETE FROM conflict WHERE entity = ?").execute(arguments: [entity.rawValue])
        for conflict in conflicts {
            for (rank, live) in conflict.values.enumerated() {
                try db.cachedStatement(sql: """
                    INSERT INTO conflict (entity, kind, field, rank, change, author, hlc_ms, hlc_counter, value)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [entity.rawValue, kind.rawValue, conflict.field, rank, Data(live.change.bytes),
                                     live.author.rawValue, live.clock.milliseconds, live.clock.counter,
                                     String(decoding: live.value.encoded, as: UTF8.self)])
            }
        }
    }

    /// Replaces the entity's full-text entry at the transaction's end, or
    /// once there are `searchBytes` of them; nil removes it.
    private func index(_ entity: EntityID, kind: EntityKind, body: String?) throws {
        memo.search[entity] = (kind, body)
        memo.searchBytes += body?.utf8.count ?? 0
        if memo.searchBytes >= Self.searchBytes { try writeSearch() }
    }

    /// Writes the full-text entries replaced so far, in the order of their
    /// rows.
    ///
    /// FTS5 holds a transaction's new terms in memory only while the rows it
    /// writes come in ascending order: each step back writes them out as a
    /// segment of their own, which later merges rewrite. Written as each
    /// change came, a batch of edits to annotations in any order stepped
    /// back every other change.
    ///
    /// Full-text rows are found by their rowid, kept in `search_row`: an FTS5
    /// table cannot look a row up by a column without scanning them all.
    fileprivate func writeSearch() throws {
        guard !memo.search.isEmpty else { return }
        var rows: [EntityID: Int64] = [:]
        for entity in memo.search.keys {
            rows[entity] = try Int64.fetchOne(db.cachedStatement(sql: "SELECT row FROM search_row WHERE entity = ?"), arguments: [entity.rawValue])
        }
        // New entries last: SQLite numbers them after every row there is.
        for (entity, (kind, body)) in memo.search.sorted(by: { (rows[$0.key] ?? .max, $0.key) < (rows[$1.key] ?? .max, $1.key) }) {
            let row = rows[entity]
            if let row { try db.cachedStatement(sql: "DELETE FROM search WHERE rowid = ?").execute(arguments: [row]) }
            guard let body else {
                try db.cachedStatement(sql: "DELETE FROM search_row WHERE entity = ?").execute(arguments: [entity.rawValue])
                continue
            }
            try db.cachedStatement(sql: "INSERT INTO search (rowid, entity, kind, body) VALUES (?, ?, ?, ?)")
                .execute(arguments: [row, entity.rawValue, kind.rawValue, body])
            if row == nil {
                try db.cachedStatement(sql: "INSERT INTO search_row (entity, row) VALUES (?, ?)")
                    .execute(arguments: [entity.rawValue, db.lastInsertedRowID])
            }
        }
        memo.search = [:]
        memo.searchBytes = 0
    }
}

extension AnnotationState {
    /// How many of its fields are in conflict.
    var conflictedFields: Int { Set(conflicts.map(\.field)).count }
}
