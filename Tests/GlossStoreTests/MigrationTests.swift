import Foundation
import GRDB
import GlossCore
import GlossStore
import Testing

/// A store written before the compact log (migration 9) opens with its log
/// carried over change for change.
@Suite("Store: upgrading to the compact log")
struct MigrationTests {
    /// A workspace with a statement, an annotation with three edits, and a
    /// second device's concurrent edit: changes with keys, prevs, parents
    /// and a merge.
    func populated() throws -> (TestWorkspace, [SignedChange]) {
        let workspace = try TestWorkspace()
        let statement = try workspace.addSeed()
        let annotation = try workspace.store.annotate(statement.id, span: .quote("treason", occurrence: nil),
                                                      edit: AnnotationEdit(note: "one", addedTags: ["law"]), now: workspace.tick())
        let other = try TestWorkspace(cloning: workspace, seed: 2, admitAs: "Sophea")
        _ = try workspace.store.edit(annotation.id, AnnotationEdit(note: "two"), now: workspace.tick())
        _ = try other.store.edit(annotation.id, AnnotationEdit(note: "deux", status: .checked), now: other.tick())
        try other.send(to: workspace)
        _ = try workspace.store.edit(annotation.id, AnnotationEdit(note: "three"), now: workspace.tick())
        return (workspace, try workspace.batch(missingFrom: Heads()).changes)
    }

    /// Puts the log back as migration 1 laid it out (exact bytes, text
    /// columns, devices without numbers) and forgets migration 9, as a store
    /// from before it would be; `alter` then edits that old log.
    func downgrade(_ workspace: TestWorkspace, _ changes: [SignedChange], alter: String = "") throws {
        let queue = try DatabaseQueue(path: workspace.databasePath)
        try queue.write { db in
            try db.execute(sql: """
                DROP TABLE change;
                DROP TABLE entity;
                CREATE TABLE old_device (id TEXT PRIMARY KEY, public_key BLOB NOT NULL) WITHOUT ROWID;
                INSERT INTO old_device SELECT id, public_key FROM device;
                DROP TABLE device;
                ALTER TABLE old_device RENAME TO device;
                CREATE TABLE change (
                    arrival INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, author TEXT NOT NULL, seq INTEGER NOT NULL,
                    hlc_ms INTEGER NOT NULL, hlc_counter INTEGER NOT NULL, kind TEXT NOT NULL, entity TEXT NOT NULL,
                    bytes BLOB NOT NULL, signature BLOB NOT NULL, UNIQUE (author, seq)
                );
                CREATE INDEX change_by_entity ON change (entity, arrival);
                CREATE INDEX change_by_clock ON change (hlc_ms, hlc_counter);
                DELETE FROM grdb_migrations WHERE identifier = '9-compact-log';
                """)
            for signed in changes {
                let change = signed.change
                try db.execute(sql: """
                    INSERT INTO change (id, author, seq, hlc_ms, hlc_counter, kind, entity, bytes, signature)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [Data(signed.id.bytes), change.author.rawValue, change.seq, change.clock.milliseconds,
                                     change.clock.counter, change.kind.rawValue, change.entity.rawValue, Data(signed.bytes),
                                     Data(signed.signature)])
            }
            if !alter.isEmpty { try db.execute(sql: alter) }
        }
        try queue.close()
    }

    @Test("every change is carried over compactly and re-created byte for byte")
    func upgrade() throws {
        let (workspace, changes) = try populated()
        let annotations = try workspace.store.annotations(AnnotationFilter(includeDeleted: true))
        try downgrade(workspace, changes)

        let reopened = try Store.open(WorkspaceFolder(root: workspace.root))
        var carried: [SignedChange] = []
        try reopened.changes(missingFrom: Heads()) { carried += $0 }
        #expect(carried == changes)
        #expect(try reopened.verify() == [])
        #expect(try reopened.annotations(AnnotationFilter(includeDeleted: true)) == annotations)
        let formats = try DatabaseQueue(path: workspace.databasePath).read { db in
            try Int.fetchAll(db, sql: "SELECT DISTINCT unicode(CAST(substr(body, 1, 1) AS TEXT)) FROM change")
        }
        #expect(formats == [1])
        // The upgraded log takes new changes as before.
        let annotation = try #require(annotations.first)
        _ = try reopened.edit(annotation.id, AnnotationEdit(note: "four"), now: workspace.tick())
        #expect(try reopened.annotation(annotation.id).note == "four")
        #expect(try reopened.verify() == [])
    }

    @Test("a store from before the compact log is refused read-only, as it must be upgraded where it can be written; there it opens")
    func readOnlyNeedsUpgrade() throws {
        let (workspace, changes) = try populated()
        try downgrade(workspace, changes)
        let queue = try DatabaseQueue(path: workspace.databasePath)
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
        let error = #expect(throws: StoreError.self) { try Store.open(WorkspaceFolder(root: workspace.root), access: .readOnly) }
        #expect(error?.description.contains("its database was made by an earlier version of Gloss") == true, "\(String(describing: error))")
        #expect(try Store.open(WorkspaceFolder(root: workspace.root)).verify() == [])
    }

    @Test("a row that did not hold together is carried over verbatim, and verify still names it")
    func upgradeKeepsAlteredRows() throws {
        let (workspace, changes) = try populated()
        let altered = changes[3]
        try downgrade(workspace, changes, alter: "UPDATE change SET hlc_ms = 0 WHERE arrival = 4")

        let reopened = try Store.open(WorkspaceFolder(root: workspace.root))
        let problems = try reopened.verify()
        #expect(problems.map(\.description) == [
            "change \(altered.id.hex.prefix(12)) (\(altered.change.author.short) seq \(altered.change.seq)): its indexed columns disagree with its bytes",
        ])
        let body = try DatabaseQueue(path: workspace.databasePath).read { db in
            try Data.fetchOne(db, sql: "SELECT body FROM change WHERE arrival = 4")
        }
        #expect(body == Data([0] + altered.bytes))
    }
}
