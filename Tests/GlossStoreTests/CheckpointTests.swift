import Foundation
import GRDB
import GlossCore
import GlossMerge
import GlossStore
import Testing

@Suite("Store: the write-ahead log is copied into the database off the writer's path")
struct CheckpointTests {
    /// The notes that the database file alone holds, without its
    /// write-ahead log: what checkpoints have copied into it so far.
    static func notesInDatabaseFile(of workspace: TestWorkspace) throws -> Set<String> {
        let copy = workspace.root.appendingPathComponent("file-alone-\(UUID().uuidString).sqlite")
        try FileManager.default.copyItem(atPath: workspace.databasePath, toPath: copy.path)
        let database = try DatabaseQueue(path: copy.path)
        defer { try? database.close() }
        return Set(try database.read { db in
            try db.tableExists("annotation") ? try String.fetchAll(db, sql: "SELECT note FROM annotation") : []
        })
    }

    static let pageBytes = 4_096

    /// How many pages the log of the database at `path` holds: its header,
    /// then each page with a header of its own.
    static func logPages(of path: String) throws -> Int {
        let bytes = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        return max(0, bytes - 32) / (pageBytes + 24)
    }

    static func logPages(of workspace: TestWorkspace) throws -> Int {
        try logPages(of: workspace.databasePath)
    }

    @Test("a commit that fills the log past the limit returns, and the checkpointer's own connection copies the log into the database")
    func commitAsksTheCheckpointer() throws {
        let workspace = try TestWorkspace()
        let store = workspace.store
        let statement = try workspace.addSeed()
        let annotation = try store.annotate(statement.id, span: .positions(start: 0, end: 8), edit: AnnotationEdit(note: "first"),
                                            now: workspace.tick()).id
        store.checkpointer.waitUntilIdle()
        #expect(store.checkpointer.runs == 0)
        #expect(try Self.notesInDatabaseFile(of: workspace).isEmpty)

        // Past the limit, but not twice past it.
        store.checkpointer.pagesBeforeCheckpoint = try Self.logPages(of: workspace) + 1
        _ = try store.edit(annotation, AnnotationEdit(note: "past the limit"), now: workspace.tick())
        store.checkpointer.waitUntilIdle()
        #expect(store.checkpointer.runs == 1)
        #expect(try Self.notesInDatabaseFile(of: workspace) == ["past the limit"])
    }

    @Test("a writer that never pauses keeps the log short, and every write is kept")
    func sustainedWrites() throws {
        let workspace = try TestWorkspace()
        let store = workspace.store
        let statement = try workspace.addSeed()
        let annotations = try (0..<5).map { index in
            try store.annotate(statement.id, span: .positions(start: index * 10, end: index * 10 + 8), edit: AnnotationEdit(note: "new"),
                               now: workspace.tick()).id
        }
        let empty = try DatabaseQueue(path: workspace.databasePath)
        try empty.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try empty.close()
        #expect(try Self.logPages(of: workspace) == 0)
        store.checkpointer.pagesBeforeCheckpoint = 16
        let edits = 200
        for k in 0..<edits {
            _ = try store.edit(annotations[k % annotations.count], AnnotationEdit(note: "edit \(k)"), now: workspace.tick())
        }
        store.checkpointer.waitUntilIdle()
        // Without checkpoints the log would hold every edit's pages (about
        // 2,000 of 4 KB); at the limit it starts over.
        #expect(try Self.logPages(of: workspace) < 100)
        #expect(store.checkpointer.runs > 0)

        let reopened = try Store.open(WorkspaceFolder(root: workspace.root))
        #expect(try reopened.verify().isEmpty)
        #expect(try reopened.log(LogFilter()).count == 1 + 1 + annotations.count + edits)
        #expect(try Set(reopened.annotations().map(\.note)) == Set((edits - annotations.count..<edits).map { "edit \($0)" }))
        let integrity = try DatabaseQueue(path: workspace.databasePath).read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == "ok")
    }

    @Test("the deferred batches of a pull or a bundle let the log grow ten times longer, until they are derived")
    func deferredBatchesCheckpointLessOften() throws {
        let (sophea, batch) = try Self.replicaBehind()
        let limit = sophea.store.checkpointer.pagesBeforeCheckpoint
        _ = try sophea.store.apply(batch, now: sophea.tick(), deferringDerivation: true)
        #expect(sophea.store.checkpointer.pagesBeforeCheckpoint == 10 * limit)
        try sophea.store.deriveStale()
        #expect(sophea.store.checkpointer.pagesBeforeCheckpoint == limit)
    }

    @Test("a deferred batch that is refused leaves nothing carried, and the log checkpoints at its usual length again")
    func refusedDeferredBatchRestoresTheLimit() throws {
        let (sophea, batch) = try Self.replicaBehind()
        let limit = sophea.store.checkpointer.pagesBeforeCheckpoint
        // Without the statement, the annotation's change comes after a gap in Dara's chain.
        #expect(throws: StoreError.self) {
            try sophea.store.apply(ChangeBatch(changes: Array(batch.changes.dropFirst()), texts: batch.texts), now: sophea.tick(),
                                   deferringDerivation: true)
        }
        #expect(!sophea.store.hasDeferredDerivation)
        #expect(sophea.store.checkpointer.pagesBeforeCheckpoint == limit)
    }

    /// Sophea's replica, and the batch that brings it level with Dara's: a
    /// statement, then an annotation of it.
    static func replicaBehind() throws -> (TestWorkspace, ChangeBatch) {
        let dara = try TestWorkspace()
        let sophea = try TestWorkspace(cloning: dara, seed: 2)
        let statement = try dara.addSeed()
        _ = try dara.store.annotate(statement.id, span: .positions(start: 0, end: 8), edit: AnnotationEdit(note: "new"), now: dara.tick())
        return (sophea, try dara.batch(missingFrom: sophea.store.heads()))
    }

    @Test("a store that goes away closes its checkpointer's connection, so that its last connection copies the log back and removes it")
    func closingRemovesTheLog() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let database = root.appendingPathComponent(".gloss/gloss.sqlite").path
        var outliving: Checkpointer?
        do {
            let store = try Store.create(WorkspaceFolder(root: root), name: "test", deviceName: "Dara", now: 1_700_000_000_000)
            store.checkpointer.pagesBeforeCheckpoint = try Self.logPages(of: database) + 1
            _ = try store.addStatement(utf8: Array(TestWorkspace.seedText.utf8), metadata: StatementMetadata(title: "Cambodia"),
                                       now: 1_700_000_001_000)
            store.checkpointer.waitUntilIdle()
            #expect(store.checkpointer.runs == 1)
            // As a checkpoint still running when the process exits holds it.
            outliving = store.checkpointer
        }
        #expect(!FileManager.default.fileExists(atPath: database + "-wal"))
        #expect(outliving != nil)
    }
}
