import Foundation
import GRDB
import GlossCore

/// The database schema, built only by these numbered migrations.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("1-log-and-state") { db in
            try db.execute(sql: """
                -- The record log: each change's exact bytes and signature, plus
                -- columns copied out of the bytes so they can be indexed.
                CREATE TABLE change (
                    arrival INTEGER PRIMARY KEY,      -- local arrival order
                    id BLOB NOT NULL UNIQUE,          -- SHA-256 of bytes
                    author TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    hlc_ms INTEGER NOT NULL,
                    hlc_counter INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    entity TEXT NOT NULL,
                    bytes BLOB NOT NULL,
                    signature BLOB NOT NULL,
                    UNIQUE (author, seq)
                );
                CREATE INDEX change_by_entity ON change (entity, arrival);
                CREATE INDEX change_by_clock ON change (hlc_ms, hlc_counter);

                -- Each author's latest change: the end of its hash chain.
                CREATE TABLE author_head (
                    author TEXT PRIMARY KEY,
                    seq INTEGER NOT NULL,
                    id BLOB NOT NULL
                ) WITHOUT ROWID;

                -- Each entity's heads: its changes no other change names as parent.
                CREATE TABLE entity_head (
                    entity TEXT NOT NULL,
                    change BLOB NOT NULL,
                    PRIMARY KEY (entity, change)
                ) WITHOUT ROWID;

                -- Devices whose public key a seq-1 change has introduced.
                CREATE TABLE device (
                    id TEXT PRIMARY KEY,
                    public_key BLOB NOT NULL
                ) WITHOUT ROWID;

                -- The local hybrid logical clock's last reading (one row).
                CREATE TABLE clock (
                    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                    ms INTEGER NOT NULL,
                    counter INTEGER NOT NULL
                );

                -- Statement revisions' texts, addressed by their SHA-256.
                CREATE TABLE text (
                    revision TEXT PRIMARY KEY,
                    body TEXT NOT NULL
                ) WITHOUT ROWID;

                -- Derived state: a cache of what the log says, rebuilt per entity.
                CREATE TABLE workspace (
                    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                    id TEXT NOT NULL,
                    name TEXT NOT NULL
                );
                CREATE TABLE member (
                    device TEXT PRIMARY KEY,
                    name TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE statement (
                    id TEXT PRIMARY KEY,
                    title TEXT,
                    source TEXT,
                    published TEXT,
                    revision TEXT NOT NULL,
                    author TEXT NOT NULL,
                    created_ms INTEGER NOT NULL,
                    created_counter INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE annotation (
                    id TEXT PRIMARY KEY,
                    statement TEXT NOT NULL,
                    revision TEXT NOT NULL,
                    exact TEXT NOT NULL,
                    prefix TEXT NOT NULL,
                    suffix TEXT NOT NULL,
                    start INTEGER NOT NULL,
                    "end" INTEGER NOT NULL,
                    note TEXT NOT NULL,
                    status TEXT NOT NULL,
                    motivation TEXT NOT NULL,
                    deleted INTEGER NOT NULL,
                    author TEXT NOT NULL,
                    created_ms INTEGER NOT NULL,
                    created_counter INTEGER NOT NULL,
                    modified_by TEXT NOT NULL,
                    modified_ms INTEGER NOT NULL,
                    modified_counter INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX annotation_by_statement ON annotation (statement, start);
                CREATE TABLE annotation_tag (
                    annotation TEXT NOT NULL,
                    tag TEXT NOT NULL,
                    PRIMARY KEY (annotation, tag)
                ) WITHOUT ROWID;
                CREATE INDEX annotation_tag_by_tag ON annotation_tag (tag);

                -- Full text over notes, quotes, tags, statement titles and texts.
                CREATE VIRTUAL TABLE search USING fts5 (
                    entity UNINDEXED, kind UNINDEXED, body,
                    tokenize = 'unicode61 remove_diacritics 2'
                );
                """)
        }
        migrator.registerMigration("2-conflicts") { db in
            try db.execute(sql: """
                -- Derived state: the live values of each conflicted field,
                -- the provisional winner at rank 0.
                CREATE TABLE conflict (
                    entity TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    field TEXT NOT NULL,
                    rank INTEGER NOT NULL,
                    change BLOB NOT NULL,
                    author TEXT NOT NULL,
                    hlc_ms INTEGER NOT NULL,
                    hlc_counter INTEGER NOT NULL,
                    value TEXT NOT NULL,          -- canonical JSON
                    PRIMARY KEY (entity, field, rank)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("3-removed-devices") { db in
            try db.execute(sql: """
                -- Derived state: devices removed from the workspace, each with
                -- the last seq of theirs that stays valid.
                CREATE TABLE removed_device (
                    device TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    last_seq INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("4-remotes") { db in
            try db.execute(sql: """
                -- This replica's own address book of peers; never synced.
                CREATE TABLE remote (
                    name TEXT PRIMARY KEY,
                    address TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("5-anchors") { db in
            try db.execute(sql: """
                ALTER TABLE annotation ADD COLUMN anchor_state TEXT NOT NULL DEFAULT 'exact';
                ALTER TABLE annotation ADD COLUMN anchor_score INTEGER NOT NULL DEFAULT 1000;
                CREATE INDEX annotation_by_anchor ON annotation (anchor_state);
                """)
        }
        migrator.registerMigration("6-origins") { db in
            try db.execute(sql: """
                -- Where an imported annotation came from (canonical JSON), and its id there.
                ALTER TABLE annotation ADD COLUMN origin TEXT;
                ALTER TABLE annotation ADD COLUMN origin_id TEXT;
                CREATE INDEX annotation_by_origin ON annotation (origin_id);
                """)
        }
        migrator.registerMigration("7-search-rows") { db in
            try db.execute(sql: """
                -- Each entity's full-text row: FTS5 finds rows fast only by rowid.
                CREATE TABLE search_row (
                    entity TEXT PRIMARY KEY,
                    row INTEGER NOT NULL UNIQUE
                ) WITHOUT ROWID;
                INSERT INTO search_row (entity, row) SELECT entity, rowid FROM search;
                """)
        }
        migrator.registerMigration("8-stale-entities") { db in
            try db.execute(sql: """
                -- Entities whose derived state a clone's batches left for later.
                CREATE TABLE stale_entity (
                    entity TEXT PRIMARY KEY,
                    kind TEXT NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("9-compact-log") { db in
            try db.execute(sql: """
                -- Devices and entities get numbers, which the log's rows and
                -- indexes hold instead of their ids.
                CREATE TABLE device_numbered (
                    number INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    public_key BLOB NOT NULL
                );
                INSERT INTO device_numbered (id, public_key) SELECT id, public_key FROM device ORDER BY id;
                -- (An author with no key could only come from a log altered by hand.)
                INSERT OR IGNORE INTO device_numbered (id, public_key) SELECT DISTINCT author, x'' FROM change;
                DROP TABLE device;
                ALTER TABLE device_numbered RENAME TO device;
                CREATE TABLE entity (
                    number INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL
                );
                INSERT INTO entity (id, kind) SELECT entity, min(kind) FROM change GROUP BY entity ORDER BY min(arrival);

                -- The record log: each change as the columns and body from
                -- which its exact bytes are re-created (see StoredChange).
                CREATE TABLE compact_change (
                    arrival INTEGER PRIMARY KEY,      -- local arrival order
                    id BLOB NOT NULL,                 -- SHA-256 of the change's bytes
                    author INTEGER NOT NULL,          -- device.number
                    seq INTEGER NOT NULL,
                    entity INTEGER NOT NULL,          -- entity.number
                    hlc_ms INTEGER NOT NULL,
                    hlc_counter INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    signature BLOB NOT NULL
                );
                """)
            try compactLog(db)
            try db.execute(sql: """
                DROP TABLE change;
                ALTER TABLE compact_change RENAME TO change;
                -- A change is found by the first 8 bytes of its id: a quarter of
                -- the index a whole id would take. (The applier keeps ids unique.)
                CREATE INDEX change_by_id ON change (substr(id, 1, 8));
                CREATE UNIQUE INDEX change_by_author ON change (author, seq);
                CREATE INDEX change_by_entity ON change (entity, arrival);
                CREATE INDEX change_by_clock ON change (hlc_ms, hlc_counter);
                """)
        }
        return migrator
    }

    /// Copies every row of the log of migration 1 into `compact_change`,
    /// keeping each change's arrival number. A row that would not re-create
    /// its own bytes (they do not decode, disagree with its columns or
    /// chain, or name a parent not held) is kept verbatim, for `gloss verify`
    /// to name.
    private static func compactLog(_ db: Database) throws {
        let workspace = try String.fetchOne(db, sql: "SELECT id FROM workspace")
        let rows = try Row.fetchCursor(db, sql: """
            SELECT c.arrival, c.id, c.author, c.seq, c.hlc_ms, c.hlc_counter, c.entity, e.kind, c.bytes, c.signature, p.id AS prev
            FROM change c JOIN entity e ON e.id = c.entity LEFT JOIN change p ON p.author = c.author AND p.seq = c.seq - 1
            ORDER BY c.arrival
            """)
        while let row = try rows.next() {
            let bytes = Array(row["bytes"] as Data)
            var body = [StoredChange.verbatim] + bytes
            if let signed = try? SignedChange(bytes: bytes, signature: Array(row["signature"] as Data)) {
                let change = signed.change
                let arrivals = try change.parents.compactMap { parent in
                    try Int64.fetchOne(db.cachedStatement(sql: "SELECT arrival FROM change WHERE id = ?"), arguments: [parent.data])
                }
                if change.workspace.rawValue == workspace, change.author.rawValue == row["author"], change.seq == row["seq"],
                   change.entity.rawValue == row["entity"], change.kind.rawValue == row["kind"],
                   change.clock == HLCTimestamp(milliseconds: row["hlc_ms"], counter: row["hlc_counter"]),
                   change.previous.map({ $0.data }) == row["prev"] {
                    body = StoredChange.body(of: signed, parentArrivals: arrivals)
                }
            }
            try db.cachedStatement(sql: """
                INSERT INTO compact_change (arrival, id, author, seq, entity, hlc_ms, hlc_counter, body, signature)
                VALUES (?, ?, (SELECT number FROM device WHERE id = ?), ?, (SELECT number FROM entity WHERE id = ?), ?, ?, ?, ?)
                """).execute(arguments: [row["arrival"], row["id"], row["author"], row["seq"], row["entity"], row["hlc_ms"],
                                         row["hlc_counter"], Data(body), row["signature"]])
        }
    }

    /// The log's indexes that a clone builds once at its end rather than
    /// change by change: each of its batches would otherwise write most of
    /// their pages again, as a batch's changes spread over every entity
    /// and their ids fall anywhere. Nothing a clone's batches do reads by
    /// entity or clock (see ``DeferredDerivation``); a batch that must find
    /// a change by its id builds that index first (`LogWriter.held(_:)`).
    static let deferredLogIndexes = [
        "change_by_entity": "CREATE INDEX change_by_entity ON change (entity, arrival)",
        "change_by_clock": "CREATE INDEX change_by_clock ON change (hlc_ms, hlc_counter)",
        indexById: "CREATE INDEX change_by_id ON change (substr(id, 1, 8))",
    ]
    static let indexById = "change_by_id"

    static func dropDeferredLogIndexes(_ db: Database) throws {
        for name in deferredLogIndexes.keys.sorted() { try db.execute(sql: "DROP INDEX \(name)") }
    }

    /// Those of ``deferredLogIndexes`` that a clone left to build.
    static func missingDeferredLogIndexes(_ db: Database) throws -> [String] {
        let present = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'"))
        return deferredLogIndexes.keys.filter { !present.contains($0) }.sorted()
    }

    /// Builds whichever of ``deferredLogIndexes`` (or of those `among`) a
    /// clone left to build.
    static func buildDeferredLogIndexes(_ db: Database, among names: Set<String>? = nil) throws {
        for name in try missingDeferredLogIndexes(db) where names?.contains(name) ?? true {
            try db.execute(sql: deferredLogIndexes[name]!)
        }
    }
}
