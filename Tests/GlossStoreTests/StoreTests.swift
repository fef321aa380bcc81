import Foundation
import GRDB
import GlossCore
import GlossMerge
import GlossStore
import Testing

@Suite("Store: writing and deriving")
struct StoreTests {
    @Test("init writes a genesis change naming the founding device as the only member")
    func genesis() throws {
        let workspace = try TestWorkspace()
        let store = workspace.store
        #expect(try store.members() == [store.device: "Dara"])
        let log = try store.log()
        #expect(log.count == 1)
        #expect(log[0].change.kind == .workspace)
        #expect(log[0].change.seq == 1)
        #expect(log[0].change.publicKey != nil)
        #expect(try store.verify().isEmpty)
    }

    @Test("the private key file is readable by its owner only")
    func keyPermissions() throws {
        let workspace = try TestWorkspace()
        let attributes = try FileManager.default.attributesOfItem(atPath: workspace.root.appendingPathComponent(".gloss/device.key").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test("the device key is read with blanks around it, in either case, and refused when it is not 64 hex digits")
    func keyFile() throws {
        let workspace = try TestWorkspace()
        let file = workspace.root.appendingPathComponent(".gloss/device.key")
        let hex = try String(contentsOf: file, encoding: .utf8).filter(\.isHexDigit)
        for text in [" \t\(hex)\r\n\n", hex.uppercased()] {
            try text.write(to: file, atomically: true, encoding: .utf8)
            #expect(try Store.open(WorkspaceFolder(root: workspace.root)).device == workspace.store.device)
        }
        for text in ["", "\n", String(hex.dropLast()), hex + "0", String(hex.prefix(32)) + " " + String(hex.dropFirst(32)),
                     "g" + String(hex.dropFirst())] {
            try text.write(to: file, atomically: true, encoding: .utf8)
            #expect(throws: StoreError.unreadableWorkspace(workspace.root.standardizedFileURL.path,
                                                           reason: "the device key \(file.standardizedFileURL.path) is not 64 hex digits")) {
                try Store.open(WorkspaceFolder(root: workspace.root))
            }
        }
    }

    @Test("every commit syncs the write-ahead log, in a new workspace and in one opened again, by a pool or one connection")
    func commitsAreSynced() throws {
        let workspace = try TestWorkspace()
        // 2 is FULL; GRDB's default for a pool's writer, NORMAL (1), syncs only at checkpoints.
        let level = { (store: Store) in try store.dbWriter.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") } }
        #expect(try level(workspace.store) == 2)
        #expect(try level(Store.open(WorkspaceFolder(root: workspace.root))) == 2)
        #expect(try level(Store.open(WorkspaceFolder(root: workspace.root), access: .single)) == 2)
    }

    @Test("a store opened with one connection reads without writing to the database file; a pool's set-up writes to it")
    func singleConnectionReadsWithoutWriting() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try Store.create(WorkspaceFolder(root: root), name: "test", deviceName: "Dara", now: 1)  // and closed
        let file = root.appendingPathComponent(".gloss/gloss.sqlite")
        let before = try Data(contentsOf: file)
        for access in [Store.Access.single, .concurrent] {
            do {
                let store = try Store.open(WorkspaceFolder(root: root), access: access)
                #expect(try store.members().count == 1)
            }
            #expect((try Data(contentsOf: file) == before) == (access == .single), "\(access)")
            #expect(!FileManager.default.fileExists(atPath: file.path + "-wal"))
        }
    }

    @Test("a workspace opened read-only reads as its file stands, and refuses every write without touching its files")
    func readOnlyAccess() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = WorkspaceFolder(root: root)
        let annotation = try {
            let store = try Store.create(folder, name: "test", deviceName: "Dara", now: 1)
            let statement = try store.addStatement(utf8: Array("Charges of treason must be dropped.".utf8), metadata: StatementMetadata(), now: 2)
            return try store.annotate(statement.id, span: .quote("treason", occurrence: nil), edit: AnnotationEdit(note: "why?"), now: 3).id
        }()
        let file = root.appendingPathComponent(".gloss/gloss.sqlite")
        let before = try Data(contentsOf: file)

        do {
            let store = try Store.open(folder, access: .readOnly)
            #expect(store.isReadOnly)
            #expect(try store.annotation(annotation).note == "why?")
            #expect(try store.search("treason").count == 2)
            #expect(try store.verify().isEmpty)
            #expect(throws: StoreError.readOnly(folder.root.path)) { try store.edit(annotation, AnnotationEdit(note: "because"), now: 4) }
            #expect(throws: StoreError.readOnly(folder.root.path)) { try store.addRemote("office", address: "10.0.0.5:7420") }
            #expect(try store.annotation(annotation).note == "why?")
        }
        #expect(try Data(contentsOf: file) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path).sorted() == ["device.key", "gloss.sqlite"])

        // A clone cut short is completed by the next open, which cannot write here.
        let queue = try DatabaseQueue(path: file.path)
        try queue.write { try $0.execute(sql: "INSERT INTO stale_entity (entity, kind) VALUES (?, 'annotation')", arguments: [annotation.rawValue]) }
        try queue.close()
        let error = #expect(throws: StoreError.self) { try Store.open(folder, access: .readOnly) }
        #expect(error?.description.contains("a clone cut short left it to be completed") == true, "\(String(describing: error))")
    }

    @Test("a read-only open is refused while the write-ahead log holds changes the database file lacks")
    func readOnlyRefusesUncheckpointedLog() throws {
        let workspace = try TestWorkspace()  // its store stays open: its commits are in the log
        _ = try workspace.addSeed()
        let error = #expect(throws: StoreError.self) { try Store.open(WorkspaceFolder(root: workspace.root), access: .readOnly) }
        #expect(error?.description.contains("its write-ahead log (gloss.sqlite-wal) holds changes the database lacks") == true, "\(String(describing: error))")
    }

    @Test("init refuses a folder that already holds a workspace, and leaves it as it was")
    func initTwice() throws {
        let workspace = try TestWorkspace()
        #expect(throws: StoreError.workspaceExists(workspace.root.standardizedFileURL.path)) {
            try Store.create(WorkspaceFolder(root: workspace.root), name: "x", deviceName: "y", now: 0)
        }
        #expect(try Store.open(WorkspaceFolder(root: workspace.root)).device == workspace.store.device)
    }

    @Test("a workspace is found from a nested folder, as git finds a repository")
    func findFromSubfolder() throws {
        let workspace = try TestWorkspace()
        let nested = workspace.root.appendingPathComponent("a/b")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        #expect(try WorkspaceFolder.find(from: nested).root.path == workspace.root.standardizedFileURL.path)
    }

    @Test("a statement is stored as NFC text pinned by its SHA-256")
    func statementNFC() throws {
        let workspace = try TestWorkspace()
        let statement = try workspace.store.addStatement(utf8: Array("Le proce\u{300}s".utf8), metadata: StatementMetadata(), now: workspace.tick())
        let text = try workspace.store.text(of: statement.revision)
        #expect(Array(text.unicodeScalars) == Array("Le procès".unicodeScalars))
        #expect(statement.revision == RevisionHash(text: "Le procès"))
    }

    static let badTexts: [(String, [UInt8], String)] = [
        ("empty", [], "expected a text with at least one visible character, found an empty text"),
        ("blank", Array(" \n\t ".utf8), "expected a text with at least one visible character, found an empty text"),
        ("invalid UTF-8", Array("abc".utf8) + [0xFF] + Array("def".utf8), "expected UTF-8 text, found an invalid byte at offset 3"),
    ]

    @Test("a bad statement text is refused with a clear message and nothing written", arguments: badTexts)
    func badStatement(_ name: String, _ bytes: [UInt8], _ message: String) throws {
        let workspace = try TestWorkspace()
        let before = try workspace.store.changeCount()
        #expect(throws: StoreError.invalidInput(message)) {
            try workspace.store.addStatement(utf8: bytes, metadata: StatementMetadata(), now: workspace.tick())
        }
        #expect(try workspace.store.changeCount() == before)
        #expect(try workspace.store.statements().isEmpty)
    }

    @Test("a text over 10 MB is refused and nothing written")
    func oversizedStatement() throws {
        let workspace = try TestWorkspace()
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: Store.maximumTextBytes + 1)
        #expect(throws: StoreError.invalidInput("expected a text of at most 10 MB, found 10000001 bytes")) {
            try workspace.store.addStatement(utf8: bytes, metadata: StatementMetadata(), now: workspace.tick())
        }
        #expect(try workspace.store.changeCount() == 1)
    }

    @Test("bad metadata is refused", arguments: [
        (StatementMetadata(source: "not a url"), "expected a source URL such as https://example.org/release, found \"not a url\""),
        (StatementMetadata(published: "14/11/2019"), "expected a publication date as YYYY-MM-DD, found \"14/11/2019\""),
        (StatementMetadata(published: "2019-02-30"), "expected a publication date as YYYY-MM-DD, found \"2019-02-30\""),
    ])
    func badMetadata(_ metadata: StatementMetadata, _ message: String) throws {
        let workspace = try TestWorkspace()
        #expect(throws: StoreError.invalidInput(message)) {
            try workspace.store.addStatement(utf8: Array("text".utf8), metadata: metadata, now: workspace.tick())
        }
        #expect(try workspace.store.changeCount() == 1)
    }

    @Test("annotating, editing, deleting and restoring update the derived state and keep every version")
    func annotationLifecycle() throws {
        let workspace = try TestWorkspace()
        let store = workspace.store
        let statement = try workspace.addSeed()
        let created = try store.annotate(statement.id, span: .quote("article 443 of the Criminal Code", occurrence: nil),
                                         edit: AnnotationEdit(note: "treason charge", addedTags: ["legal"]), now: workspace.tick())
        #expect(created.target.start == 106)
        #expect(created.target.exact == "article 443 of the Criminal Code")
        #expect(created.status == .open)
        #expect(created.motivation == .commenting)
        let edited = try store.edit(created.id, AnnotationEdit(note: "spurious treason charge", addedTags: ["treason"],
                                                               removedTags: ["legal"], status: .checked), now: workspace.tick())
        #expect(edited.note == "spurious treason charge")
        #expect(edited.tags == ["treason"])
        #expect(edited.status == .checked)
        #expect(edited.modified > edited.created)
        #expect(try store.setDeleted(created.id, true, now: workspace.tick()).isDeleted)
        #expect(try store.annotations().isEmpty)
        #expect(try store.annotations(AnnotationFilter(includeDeleted: true)).count == 1)
        #expect(try !store.setDeleted(created.id, false, now: workspace.tick()).isDeleted)
        #expect(try store.annotation(created.id) == AnnotationState(deriving: store.log(LogFilter(entity: created.id))))
        #expect(try store.history(of: created.id).count == 4)
        #expect(try store.verify().isEmpty)
    }

    @Test("an edit that changes nothing, or an invalid tag, writes nothing")
    func refusedEdits() throws {
        let workspace = try TestWorkspace()
        let store = workspace.store
        let statement = try workspace.addSeed()
        let annotation = try store.annotate(statement.id, span: .positions(start: 0, end: 2), edit: AnnotationEdit(status: .open), now: workspace.tick())
        let count = try store.changeCount()
        #expect(throws: StoreError.invalidInput("expected an edit that changes annotation \(annotation.id.short), found only its current values")) {
            try store.edit(annotation.id, AnnotationEdit(status: .open), now: workspace.tick())
        }
        #expect(throws: StoreError.invalidInput("expected a tag without spaces or control characters, found \"two words\"")) {
            try store.edit(annotation.id, AnnotationEdit(addedTags: ["two words"]), now: workspace.tick())
        }
        #expect(throws: StoreError.invalidInput("expected a deleted annotation, found annotation \(annotation.id.short) already live")) {
            try store.setDeleted(annotation.id, false, now: workspace.tick())
        }
        #expect(try store.changeCount() == count)
    }

    @Test("filters select by statement, tag, status and author")
    func filters() throws {
        let workspace = try TestWorkspace()
        let store = workspace.store
        let statement = try workspace.addSeed()
        let a = try store.annotate(statement.id, span: .quote("treason", occurrence: nil), edit: AnnotationEdit(addedTags: ["legal"]), now: workspace.tick())
        let b = try store.annotate(statement.id, span: .quote("Kem Sokha", occurrence: 2), edit: AnnotationEdit(status: .disputed), now: workspace.tick())
        #expect(try store.annotations().map(\.id) == [a.id, b.id])
        #expect(try store.annotations(AnnotationFilter(tag: "legal")).map(\.id) == [a.id])
        #expect(try store.annotations(AnnotationFilter(status: .disputed)).map(\.id) == [b.id])
        #expect(try store.annotations(AnnotationFilter(author: store.device)).count == 2)
        #expect(try store.resolveAuthor("dara") == store.device)
    }

    @Test("ids resolve from any unambiguous prefix")
    func prefixes() throws {
        let workspace = try TestWorkspace()
        let statement = try workspace.addSeed()
        #expect(try workspace.store.resolve(String(statement.id.rawValue.prefix(3)).uppercased(), as: .statement) == statement.id)
        #expect(throws: StoreError.notFound(kind: .annotation, prefix: statement.id.short)) {
            try workspace.store.resolve(statement.id.short, as: .annotation)
        }
        #expect(throws: StoreError.invalidID(kind: .statement, text: "no-such!")) {
            try workspace.store.resolve("no-such!", as: .statement)
        }
    }

    @Test("search finds words in notes, quotes, tags and statements, ignoring accents and case, not deleted annotations")
    func search() throws {
        let workspace = try TestWorkspace()
        let store = workspace.store
        let statement = try workspace.addSeed()
        let annotation = try store.annotate(statement.id, span: .quote("treason", occurrence: nil),
                                            edit: AnnotationEdit(note: "Procès politique", addedTags: ["légal"]), now: workspace.tick())
        #expect(try store.search("PROCES").map(\.entity) == [annotation.id])
        #expect(try store.search("legal").map(\.entity) == [annotation.id])
        #expect(try Set(store.search("treason").map(\.entity)) == [annotation.id, statement.id])
        #expect(try store.search("\"unbalanced AND (").isEmpty, "query syntax is never interpreted")
        _ = try store.setDeleted(annotation.id, true, now: workspace.tick())
        #expect(try store.search("proces").isEmpty)
    }

    @Test("one batch with more full text than a transaction holds back indexes all of it, written part way and at its end")
    func searchAcrossTheHeldBackText() throws {
        let dara = try TestWorkspace()
        let sophea = try TestWorkspace(cloning: dara, seed: 2)
        // Over 4 MiB of text in the first two statements, so the third
        // statement and the annotation are written after a part-way write.
        let filler = String(repeating: "release ", count: 300_000)
        let first = try dara.store.addStatement(utf8: Array("alpha \(filler)".utf8), metadata: StatementMetadata(), now: dara.tick())
        let second = try dara.store.addStatement(utf8: Array("bravo \(filler)".utf8), metadata: StatementMetadata(), now: dara.tick())
        let third = try dara.store.addStatement(utf8: Array("charlie".utf8), metadata: StatementMetadata(), now: dara.tick())
        let annotation = try dara.store.annotate(third.id, span: .quote("charlie", occurrence: nil), edit: AnnotationEdit(note: "delta"),
                                                 now: dara.tick())
        _ = try dara.send(to: sophea)
        for (word, entities) in [("alpha", [first.id]), ("bravo", [second.id]), ("charlie", [third.id, annotation.id]), ("delta", [annotation.id])] {
            #expect(try Set(sophea.store.search(word).map(\.entity)) == Set(entities), "\(word)")
        }
    }

    @Test("the log filters by entity, author, time and count, newest first")
    func log() throws {
        let workspace = try TestWorkspace()
        let store = workspace.store
        let statement = try workspace.addSeed()
        let since = workspace.tick()
        let annotation = try store.annotate(statement.id, span: .positions(start: 0, end: 2), edit: AnnotationEdit(), now: since)
        _ = try store.edit(annotation.id, AnnotationEdit(note: "x"), now: workspace.tick())
        #expect(try store.log().count == 4)
        #expect(try store.log(LogFilter(entity: annotation.id)).map(\.change.seq) == [4, 3])
        #expect(try store.log(LogFilter(since: since)).count == 2)
        #expect(try store.log(LogFilter(limit: 1)).map(\.change.seq) == [4])
        #expect(try store.log(LogFilter(author: store.device)).count == 4)
    }
}
