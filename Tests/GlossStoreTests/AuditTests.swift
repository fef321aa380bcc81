import Foundation
import GRDB
import GlossCore
import GlossMerge
import GlossStore
import Testing

@Suite("Store: audit files")
struct AuditTests {
    /// Dara and Sophea edit one annotation concurrently (a note merged, a
    /// status conflict), Dara resolves nothing; a second annotation is deleted.
    func history() throws -> (dara: TestWorkspace, sophea: TestWorkspace, statement: EntityID) {
        let dara = try TestWorkspace()
        let statement = try dara.addSeed()
        let sophea = try TestWorkspace(cloning: dara, seed: 2, admitAs: "Sophea")
        let shared = try dara.store.annotate(statement.id, span: .quote("treason", occurrence: nil),
                                             edit: AnnotationEdit(note: "charged under article 443", addedTags: ["legal"]), now: dara.tick())
        let gone = try dara.store.annotate(statement.id, span: .quote("Kem Sokha remains banned", occurrence: nil),
                                           edit: AnnotationEdit(note: "check"), now: dara.tick())
        try dara.send(to: sophea)
        _ = try dara.store.edit(shared.id, AnnotationEdit(note: "charged under article 443 of the Criminal Code", status: .checked), now: dara.tick())
        _ = try sophea.store.edit(shared.id, AnnotationEdit(status: .disputed), now: sophea.tick())
        _ = try sophea.store.setDeleted(gone.id, true, now: sophea.tick())
        try sophea.send(to: dara)
        try dara.send(to: sophea)
        return (dara, sophea, statement.id)
    }

    @Test("an exported audit file checks, and holds exactly the store's statements, annotations and names")
    func roundTrip() throws {
        let (dara, _, statement) = try history()
        let report = AuditFile.check(try dara.store.auditExport(now: dara.tick()))
        #expect(report.problems == [])
        #expect(report.workspace == dara.store.workspace && report.exporter == dara.store.device)
        #expect(report.statements.map(\.id) == [statement])
        #expect(report.annotations.sorted { $0.id < $1.id } == (try dara.store.annotations(AnnotationFilter(includeDeleted: true))).sorted { $0.id < $1.id })
        #expect(report.annotations.contains { $0.isConflicted } && report.annotations.contains { $0.isDeleted })
        #expect(Set(report.names.values) == ["Dara", "Sophea"])
    }

    @Test("--statement keeps only that statement, its annotations and the workspace's changes")
    func oneStatement() throws {
        let (dara, _, statement) = try history()
        let other = try dara.store.addStatement(utf8: Array("A second statement about treason.".utf8), metadata: StatementMetadata(), now: dara.tick())
        _ = try dara.store.annotate(other.id, span: .quote("treason", occurrence: nil), edit: AnnotationEdit(note: "x"), now: dara.tick())
        let report = AuditFile.check(try dara.store.auditExport(statements: [statement], now: dara.tick()))
        #expect(report.problems == [])
        #expect(report.statements.map(\.id) == [statement])
        #expect(report.annotations.allSatisfy { $0.target.statement == statement } && report.annotations.count == 2)
        #expect(Set(report.changes.map(\.change.entity)).isDisjoint(with: [other.id]))
    }

    @Test("altering any one byte fails the check and names the line it is on")
    func everyAlteredByteIsNamed() throws {
        let (dara, _, _) = try history()
        let bytes = try dara.store.auditExport(now: dara.tick())
        let lineStarts = [0] + bytes.indices.filter { bytes[$0] == 0x0A }.map { $0 + 1 }.dropLast()
        func line(of offset: Int) -> Int { lineStarts.lastIndex { $0 <= offset }! + 1 }
        var generator = SeededGenerator(seed: 5)
        // Each line's first, second, middle and last byte, and 300 random ones.
        var offsets = Set(lineStarts.flatMap { start in
            let end = bytes[start...].firstIndex(of: 0x0A)!
            return [start, start + 1, (start + end) / 2, end - 1]
        })
        for _ in 0..<300 { offsets.insert(Int.random(in: 0..<(bytes.count - 1), using: &generator)) }
        for offset in offsets.sorted() {
            var altered = bytes
            altered[offset] = altered[offset] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
            let report = AuditFile.check(altered)
            let number = line(of: offset)
            #expect(report.problems.contains { $0.line == number || $0.problem.contains("(line \(number))") },
                    "byte \(offset) on line \(number): \(report.problems)")
        }
    }

    @Test("a truncated file is refused, wherever it is cut")
    func truncated() throws {
        let (dara, _, _) = try history()
        let bytes = try dara.store.auditExport(now: dara.tick())
        for cut in stride(from: 0, to: bytes.count - 1, by: max(1, bytes.count / 40)) {
            #expect(!AuditFile.check(Array(bytes[..<cut])).isSound, "cut at \(cut)")
        }
        #expect(AuditFile.check([]).problems.map(\.description) == ["line 1: a file ending in a line feed, found a truncated file"])
    }

    @Test("a derived table altered behind the store's back is exported as is, and the check names the annotation")
    func alteredDerivedState() throws {
        let (dara, _, _) = try history()
        let queue = try DatabaseQueue(path: dara.databasePath)
        try queue.write { db in try db.execute(sql: "UPDATE annotation SET note = 'nothing to see' WHERE deleted = 0") }
        let report = AuditFile.check(try dara.store.auditExport(now: dara.tick()))
        #expect(report.problems.count == 1)
        #expect(report.problems.first?.problem.hasSuffix("its note is not what its changes derive") == true)
    }

    /// Dara's audit file with one more change line after its last, as a
    /// forger holding her key would write it: the file's check, and the
    /// line number of the change added. `change` is made from her last change.
    func checkWithChange(_ change: (SignedChange) throws -> Change) throws -> (report: AuditReport, line: Int) {
        let (dara, _, _) = try history()
        var lines = String(decoding: try dara.store.auditExport(now: dara.tick()), as: UTF8.self).split(separator: "\n").map(String.init)
        let last = try dara.store.log(LogFilter(author: dara.store.device, limit: 1))[0]
        let signed = SignedChange(signing: try change(last), with: try DeviceKey(seed: [UInt8](repeating: 1, count: 32)))
        let index = lines.lastIndex { $0.hasPrefix("change ") }! + 1
        lines.insert("change \(Hex.encode(signed.signature)) \(String(decoding: signed.bytes, as: UTF8.self))", at: index)
        return (AuditFile.check(Array((lines.joined(separator: "\n") + "\n").utf8)), index + 1)
    }

    @Test("two signed changes with one seq in a file are named as a fork")
    func fork() throws {
        let (report, line) = try checkWithChange { last in
            var sibling = last.change
            sibling.operations = [.set(field: "note", value: .string("a different note"))]
            return sibling
        }
        #expect(report.problems.contains { $0.line == line && $0.problem.contains("the author's chain forks") })
    }

    @Test("a signed workspace change of another entity than the workspace's, which would rewrite who is a member, is named")
    func secondWorkspaceEntity() throws {
        var workspace: WorkspaceID?
        let (report, line) = try checkWithChange { last in
            workspace = last.change.workspace
            return Change(workspace: last.change.workspace, author: last.change.author, seq: last.change.seq + 1, previous: last.id, publicKey: nil,
                   clock: HLCTimestamp(milliseconds: last.change.clock.milliseconds + 1, counter: 0), kind: .workspace,
                   entity: try #require(EntityID(rawValue: "zyxwvutsrqponmlkjihgfedcba")), parents: [],
                   operations: [.admit(last.change.author, name: "Dara alone")])
        }
        #expect(report.problems.contains {
            $0.line == line && $0.problem.hasSuffix("a workspace change is of the workspace's own entity \(workspace!), not zyxwvuts")
        }, "\(report.problems)")
    }

    @Test("lines out of order, unknown lines and a foreign header are refused with what was expected")
    func malformedLines() throws {
        let (dara, _, _) = try history()
        var lines = String(decoding: try dara.store.auditExport(now: dara.tick()), as: UTF8.self).split(separator: "\n").map(String.init)
        lines.insert("comment hello", at: 1)
        let text = lines.firstIndex { $0.hasPrefix("text ") }!
        lines.swapAt(text - 1, text)
        let report = AuditFile.check(Array((lines.joined(separator: "\n") + "\n").utf8))
        #expect(report.problems.first?.description == "line 2: a line starting \"key\", \"text\", \"change\", \"statement\" or \"annotation\"")
        #expect(report.problems.contains { $0.line == text + 1 && $0.problem.hasPrefix("keys, texts, changes, statements and annotations in that order") })
        #expect(AuditFile.check(Array("gloss-bundle 1 x\n".utf8)).problems.map(\.line) == [1])
    }
}
