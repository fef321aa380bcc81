import Foundation
import GRDB
import GlossCore
import GlossStore
import Testing

/// Alters the log behind the store's back, as someone with the sqlite3
/// shell could, and checks that `verify` names each bad change.
@Suite("Store: verify detects tampering")
struct VerifyTests {
    /// A workspace with a statement and an annotation edited twice: seqs 1 to 5.
    func populated() throws -> (TestWorkspace, EntityID) {
        let workspace = try TestWorkspace()
        let statement = try workspace.addSeed()
        let annotation = try workspace.store.annotate(statement.id, span: .quote("treason", occurrence: nil),
                                                      edit: AnnotationEdit(note: "one"), now: workspace.tick())
        _ = try workspace.store.edit(annotation.id, AnnotationEdit(note: "two"), now: workspace.tick())
        _ = try workspace.store.edit(annotation.id, AnnotationEdit(note: "three"), now: workspace.tick())
        return (workspace, annotation.id)
    }

    func tamper(_ workspace: TestWorkspace, _ sql: String, _ arguments: StatementArguments = []) throws {
        let queue = try DatabaseQueue(path: workspace.databasePath)
        try queue.write { db in try db.execute(sql: sql, arguments: arguments) }
    }

    func problems(_ workspace: TestWorkspace) throws -> [String] {
        try workspace.store.verify().map { "seq \($0.seq): \($0.problem)" }
    }

    @Test("a sound log has no problems")
    func sound() throws {
        let (workspace, _) = try populated()
        #expect(try workspace.store.verify() == [])
    }

    /// Rewrites the stored body of the change with `seq` through `edit`.
    func alterBody(_ workspace: TestWorkspace, seq: Int, _ edit: (inout [UInt8]) -> Void) throws {
        let queue = try DatabaseQueue(path: workspace.databasePath)
        try queue.write { db in
            var body = Array(try Data.fetchOne(db, sql: "SELECT body FROM change WHERE seq = ?", arguments: [seq])!)
            edit(&body)
            try db.execute(sql: "UPDATE change SET body = ? WHERE seq = ?", arguments: [Data(body), seq])
        }
    }

    /// `bytes` with the first `old` replaced by `new`, of the same length.
    func replacing(_ old: String, with new: String, in bytes: inout [UInt8]) {
        let old = Array(old.utf8)
        let start = bytes.indices.first { bytes[$0...].starts(with: old) }!
        bytes.replaceSubrange(start ..< start + old.count, with: Array(new.utf8))
    }

    static let hashProblem = "its bytes, re-created from the log, do not hash to its id"
    static let signatureProblem = "its signature does not verify against its author's key"

    @Test("altered operations no longer hash to the change's id, nor match its signature")
    func alteredOperations() throws {
        let (workspace, _) = try populated()
        try alterBody(workspace, seq: 4) { replacing("\"two\"", with: "\"TWO\"", in: &$0) }
        #expect(try problems(workspace) == ["seq 4: \(Self.hashProblem)", "seq 4: \(Self.signatureProblem)"])
    }

    @Test("a change altered with a matching new id breaks its signature and the hash of the next change, which names it")
    func alteredChangeAndID() throws {
        let (workspace, _) = try populated()
        let fourth = try workspace.store.log().first { $0.change.seq == 4 }!
        var forged = fourth.bytes
        replacing("\"two\"", with: "\"TWO\"", in: &forged)
        try tamper(workspace, "UPDATE change SET id = ? WHERE seq = 4", [Data(ChangeID(hashing: forged).bytes)])
        try alterBody(workspace, seq: 4) { replacing("\"two\"", with: "\"TWO\"", in: &$0) }
        #expect(try problems(workspace) == [
            "seq 4: \(Self.signatureProblem)",
            "seq 5: \(Self.hashProblem)",
            "seq 5: \(Self.signatureProblem)",
        ])
    }

    @Test("a change replaced by a validly signed sibling breaks the hash of the next change, which names the original")
    func replacedBySibling() throws {
        let (workspace, annotation) = try populated()
        let log = try workspace.store.log()
        let third = log.first { $0.change.seq == 3 }!, fourth = log.first { $0.change.seq == 4 }!
        let key = try DeviceKey(seed: [UInt8](repeating: 1, count: 32))
        var other = fourth.change
        other.operations = [.set(field: "note", value: .string("deux"))]
        #expect(other.previous == third.id && other.entity == annotation && other.parents == [third.id])
        let sibling = SignedChange(signing: other, with: key)
        try tamper(workspace, "UPDATE change SET id = ?, body = ?, signature = ? WHERE seq = 4", [
            Data(sibling.id.bytes),
            Data(StoredChange.body(of: sibling, parentArrivals: [3])),
            Data(sibling.signature),
        ])
        #expect(try problems(workspace) == ["seq 5: \(Self.hashProblem)", "seq 5: \(Self.signatureProblem)"])
    }

    @Test("a signature replaced by another change's does not verify")
    func alteredSignature() throws {
        let (workspace, _) = try populated()
        try tamper(workspace, "UPDATE change SET signature = (SELECT signature FROM change WHERE seq = 2) WHERE seq = 3")
        #expect(try problems(workspace) == ["seq 3: its signature does not verify against its author's key"])
    }

    @Test("a change deleted from the middle of a chain shows as a gap")
    func deletedChange() throws {
        let (workspace, _) = try populated()
        try tamper(workspace, "DELETE FROM change WHERE seq = 4")
        #expect(try problems(workspace) == [
            "seq 5: its author's chain skips from seq 3 to 5",
            "seq 5: its author's change seq 4, which its prev names, is not in the log",
        ])
    }

    @Test("a parent that names no change in the log is caught, and the change cannot be read")
    func missingParent() throws {
        let (workspace, annotation) = try populated()
        let fifth = try workspace.store.log().first { $0.change.seq == 5 }!
        try tamper(workspace, "UPDATE change SET body = ? WHERE seq = 5", [Data(StoredChange.body(of: fifth, parentArrivals: [99]))])
        #expect(try problems(workspace) == ["seq 5: its parent, the change that arrived 99th, is not in the log"])
        #expect(throws: StoreError.database("a stored change is malformed (its parent, the change that arrived 99th, is not in the log); run `gloss verify`")) {
            try workspace.store.history(of: annotation)
        }
    }

    @Test("the last change deleted shows as a head past the end of the log")
    func deletedLastChange() throws {
        let (workspace, _) = try populated()
        try tamper(workspace, "DELETE FROM change WHERE seq = 5")
        #expect(try problems(workspace) == ["seq 5: its author's head is seq 5 but the log ends at seq 4"])
    }

    /// The message of the `StoreError.database` that `body` throws, or nil.
    func databaseError(_ body: () throws -> Void) -> String? {
        do {
            try body()
        } catch let StoreError.database(message) {
            return message
        } catch {
            Issue.record("expected a database error, found \(error)")
        }
        return nil
    }

    @Test("an author's key or an entity's head deleted behind the store's back is a plain error, and nothing is written")
    func missingKeyOrHead() throws {
        let (workspace, annotation) = try populated()
        let store = workspace.store, device = store.device.rawValue, count = try store.changeCount()
        try tamper(workspace, "UPDATE entity_head SET change = zeroblob(32) WHERE entity = ?", [annotation.rawValue])
        let parent = databaseError { _ = try store.edit(annotation, AnnotationEdit(note: "four"), now: workspace.tick()) }
        #expect(parent?.hasPrefix("the parent 000000000000 of change ") == true, "\(parent ?? "")")
        #expect(parent?.hasSuffix(" is not held") == true)
        try tamper(workspace, "DELETE FROM device")
        let send = databaseError { try store.changes(missingFrom: Heads()) { _ in } }
        #expect(send == "no key is held for \(device), whose changes are in the log")
        let write = databaseError {
            _ = try store.addStatement(utf8: Array("A second statement.".utf8), metadata: StatementMetadata(title: "Two"), now: workspace.tick())
        }
        #expect(write?.hasPrefix("no key is held for \(device), the author of change ") == true, "\(write ?? "")")
        #expect(try store.changeCount() == count)
    }

    @Test("a derived row altered behind the store's back (an annotation's author, a statement's revision, a conflict's change) is a plain error naming it, not a crash")
    func malformedDerivedRows() throws {
        let (workspace, annotation) = try populated()
        let store = workspace.store
        let statement = try #require(store.statements().first)
        let outside = "which Gloss never writes: the workspace's file was changed outside Gloss"

        try tamper(workspace, "UPDATE annotation SET author = 'nobody' WHERE id = ?", [annotation.rawValue])
        let author = "the annotation table holds \"nobody\" in its column author, \(outside)"
        #expect(databaseError { _ = try store.annotations() } == author)
        #expect(databaseError { _ = try store.annotation(annotation) } == author)

        try tamper(workspace, "UPDATE statement SET revision = 'abc' WHERE id = ?", [statement.id.rawValue])
        #expect(databaseError { _ = try store.statements() } == "the statement table holds \"abc\" in its column revision, \(outside)")

        try tamper(workspace, """
            INSERT INTO conflict (entity, kind, field, rank, change, author, hlc_ms, hlc_counter, value)
            VALUES (?, 'statement', 'title', 0, x'0000', ?, 1, 0, '"x"')
            """, [statement.id.rawValue, store.device.rawValue])
        #expect(databaseError { _ = try store.statement(statement.id) } == "the statement table holds \"abc\" in its column revision, \(outside)")
        try tamper(workspace, "UPDATE statement SET revision = ? WHERE id = ?", [statement.revision.hex, statement.id.rawValue])
        #expect(databaseError { _ = try store.statement(statement.id) } == "the conflict table holds 2 bytes in its column change, \(outside)")
    }

    @Test("a full-text entry or a stale mark altered outside Gloss is a plain error naming table, column and value, and the store is unchanged")
    func malformedSearchAndStaleRows() throws {
        let (workspace, annotation) = try populated()
        let store = workspace.store, count = try store.changeCount()
        let outside = "which Gloss never writes: the workspace's file was changed outside Gloss"

        try tamper(workspace, "UPDATE search SET kind = 'margin' WHERE entity = ?", [annotation.rawValue])
        #expect(databaseError { _ = try store.search("three") } == "the search table holds \"margin\" in its column kind, \(outside)")

        try tamper(workspace, "INSERT INTO stale_entity (entity, kind) VALUES (?, 'margin')", [annotation.rawValue])
        #expect(databaseError { _ = try Store.open(WorkspaceFolder(root: workspace.root)) }
            == "the stale_entity table holds \"margin\" in its column kind, \(outside)")
        #expect(try store.changeCount() == count)
        #expect(try store.annotation(annotation).note == "three")
    }

    @Test("an author's head moved back behind the store's back: the next change's row collides with the log's, a plain error, and nothing is written")
    func rowCollision() throws {
        let (workspace, annotation) = try populated()
        let store = workspace.store, count = try store.changeCount()
        try tamper(workspace, "UPDATE author_head SET seq = seq - 1")
        let collision = databaseError { _ = try store.edit(annotation, AnnotationEdit(note: "four"), now: workspace.tick()) }
        #expect(collision?.contains("UNIQUE constraint failed: change.author, change.seq") == true, "\(collision ?? "")")
        #expect(try store.changeCount() == count)
        #expect(try store.annotation(annotation).note == "three")
    }

    @Test("a column rewritten changes the re-created bytes, which no longer hash to the id")
    func alteredColumn() throws {
        let (workspace, _) = try populated()
        try tamper(workspace, "UPDATE change SET hlc_ms = 0 WHERE seq = 2")
        #expect(try problems(workspace) == ["seq 2: \(Self.hashProblem)", "seq 2: \(Self.signatureProblem)"])
    }

    @Test("a change kept verbatim is sound while its columns agree with its bytes, and caught when they do not")
    func verbatimRow() throws {
        let (workspace, _) = try populated()
        let second = try workspace.store.log().first { $0.change.seq == 2 }!
        try tamper(workspace, "UPDATE change SET body = ? WHERE seq = 2", [Data([0] + second.bytes)])
        #expect(try workspace.store.verify() == [])
        #expect(try workspace.store.log().first { $0.change.seq == 2 } == second)
        try tamper(workspace, "UPDATE change SET hlc_ms = 0 WHERE seq = 2")
        #expect(try problems(workspace) == ["seq 2: its indexed columns disagree with its bytes"])
    }

    @Test("a body that cannot be read is named, and reading the change says to run verify")
    func unreadableBody() throws {
        let (workspace, annotation) = try populated()
        try alterBody(workspace, seq: 4) { $0 = [7] }
        #expect(try problems(workspace) == ["seq 4: its stored body is malformed: a stored body of format 0 or 1, found 7"])
        #expect(throws: StoreError.database("a stored change is malformed (its stored body is malformed: a stored body of format 0 or 1, found 7); run `gloss verify`")) {
            try workspace.store.history(of: annotation)
        }
    }

    @Test("a correctly signed change whose parent belongs to another entity is caught")
    func parentOfAnotherEntity() throws {
        let (workspace, annotation) = try populated()
        let log = try workspace.store.log()
        let head = log[0], statementChange = log.first { $0.change.kind == .statement }!
        let key = try DeviceKey(seed: [UInt8](repeating: 1, count: 32))
        let forged = SignedChange(signing: Change(
            workspace: workspace.store.workspace, author: key.id, seq: head.change.seq + 1, previous: head.id, publicKey: nil,
            clock: HLCTimestamp(milliseconds: head.change.clock.milliseconds + 1, counter: 0), kind: .annotation,
            entity: annotation, parents: [statementChange.id], operations: [.delete]), with: key)
        try tamper(workspace, """
            INSERT INTO change (id, author, seq, entity, hlc_ms, hlc_counter, body, signature)
            SELECT ?, author, ?, entity, ?, 0, ?, ? FROM change WHERE seq = 5;
            UPDATE author_head SET seq = seq + 1, id = ?;
            """, [Data(forged.id.bytes), forged.change.seq, forged.change.clock.milliseconds,
                  Data(StoredChange.body(of: forged, parentArrivals: [2])), Data(forged.signature), Data(forged.id.bytes)])
        #expect(try problems(workspace) == ["seq 6: its parent \(statementChange.id.hex.prefix(12)) is a change of another entity"])
    }
}
