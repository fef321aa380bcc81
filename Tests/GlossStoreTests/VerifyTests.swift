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

    @Test("altered bytes no longer hash to the change's id, nor match its signature")
    func alteredBytes() throws {
        let (workspace, _) = try populated()
        try tamper(workspace, "UPDATE change SET bytes = CAST(replace(CAST(bytes AS TEXT), '\"two\"', '\"TWO\"') AS BLOB) WHERE seq = 4")
        #expect(try problems(workspace) == [
            "seq 4: its bytes do not hash to its id",
            "seq 4: its signature does not verify against its author's key",
        ])
    }

    @Test("altered bytes with a matching new id break the signature and the next change's link")
    func alteredBytesAndID() throws {
        let (workspace, _) = try populated()
        let queue = try DatabaseQueue(path: workspace.databasePath)
        try queue.write { db in
            let bytes = try Data.fetchOne(db, sql: "SELECT bytes FROM change WHERE seq = 4")!
            let forged = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\"two\"", with: "\"TWO\"").utf8)
            try db.execute(sql: "UPDATE change SET bytes = ?, id = ? WHERE seq = 4",
                           arguments: [Data(forged), Data(ChangeID(hashing: forged).bytes)])
        }
        #expect(try problems(workspace) == [
            "seq 4: its signature does not verify against its author's key",
            "seq 5: its prev does not match the id of its author's seq 4",
            "seq 5: its parent \(String(try workspace.store.log(LogFilter(limit: 1))[0].change.parents[0].hex.prefix(12))) is not in the log",
        ])
    }

    @Test("two validly signed changes claiming one place in a chain are named as a fork")
    func fork() throws {
        let (workspace, annotation) = try populated()
        let log = try workspace.store.log()
        let third = log.first { $0.change.seq == 3 }!, fourth = log.first { $0.change.seq == 4 }!
        let key = try DeviceKey(seed: [UInt8](repeating: 1, count: 32))
        var other = fourth.change
        other.operations = [.set(field: "note", value: .string("deux"))]
        #expect(other.previous == third.id && other.entity == annotation)
        let sibling = SignedChange(signing: other, with: key)
        try tamper(workspace, "UPDATE change SET id = ?, bytes = ?, signature = ? WHERE seq = 4",
                   [Data(sibling.id.bytes), Data(sibling.bytes), Data(sibling.signature)])
        let found = try workspace.store.verify()
        #expect(found.map(\.kind) == [.fork, .parent])
        #expect(found.first?.problem == """
            its prev is \(fourth.id.hex.prefix(12)), but its author's seq 4 here is \(sibling.id.hex.prefix(12)), \
            and both are signed: the author's chain forks at seq 4
            """)
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
        let found = try problems(workspace)
        #expect(found.contains("seq 5: its author's chain skips from seq 3 to 5"))
    }

    @Test("the last change deleted shows as a head past the end of the log")
    func deletedLastChange() throws {
        let (workspace, _) = try populated()
        try tamper(workspace, "DELETE FROM change WHERE seq = 5")
        #expect(try problems(workspace) == ["seq 5: its author's head is seq 5 but the log ends at seq 4"])
    }

    @Test("an indexed column rewritten without the bytes is caught")
    func alteredColumn() throws {
        let (workspace, _) = try populated()
        try tamper(workspace, "UPDATE change SET hlc_ms = 0 WHERE seq = 2")
        #expect(try problems(workspace) == ["seq 2: its indexed columns disagree with its bytes"])
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
            INSERT INTO change (id, author, seq, hlc_ms, hlc_counter, kind, entity, bytes, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);
            UPDATE author_head SET seq = seq + 1, id = ?;
            """, [Data(forged.id.bytes), key.id.rawValue, forged.change.seq, forged.change.clock.milliseconds, 0, "annotation",
                  annotation.rawValue, Data(forged.bytes), Data(forged.signature), Data(forged.id.bytes)])
        #expect(try problems(workspace) == ["seq 6: its parent \(statementChange.id.hex.prefix(12)) is a change of another entity"])
    }
}
