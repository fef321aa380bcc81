import Foundation
import GlossCore
import GlossMerge
import GlossStore
import Testing

@Suite("Store: members and removals")
struct MembershipTests {
    /// Dara founds the workspace; Sophea and Vuthy are admitted; all hold
    /// everything, including an annotation.
    func team() throws -> (dara: TestWorkspace, sophea: TestWorkspace, vuthy: TestWorkspace, annotation: EntityID) {
        let dara = try TestWorkspace()
        let statement = try dara.addSeed()
        let annotation = try dara.store.annotate(statement.id, span: .quote("treason", occurrence: nil),
                                                 edit: AnnotationEdit(note: "original"), now: dara.tick())
        let sophea = try TestWorkspace(cloning: dara, seed: 2, admitAs: "Sophea")
        let vuthy = try TestWorkspace(cloning: dara, seed: 3, admitAs: "Vuthy")
        try dara.send(to: sophea)
        try dara.send(to: vuthy)
        return (dara, sophea, vuthy, annotation.id)
    }

    @Test("a removed device's changes after its removal take no effect, whichever arrives first")
    func removalInEitherOrder() throws {
        for removalFirst in [true, false] {
            let (dara, sophea, vuthy, annotation) = try team()
            let valid = try sophea.store.edit(annotation, AnnotationEdit(addedTags: ["before"]), now: sophea.tick())
            try sophea.send(to: dara)
            #expect(try dara.store.remove(sophea.store.device, now: dara.tick()) == 1, "Sophea had written one change")
            #expect(valid.tags == ["before"])
            _ = try sophea.store.edit(annotation, AnnotationEdit(note: "written after removal"), now: sophea.tick())
            if removalFirst {
                try dara.send(to: vuthy)
                #expect(try sophea.send(to: vuthy).ignored == 1)
            } else {
                try sophea.send(to: vuthy)
                #expect(try vuthy.store.annotation(annotation).note == "written after removal")
                try dara.send(to: vuthy)
            }
            let state = try vuthy.store.annotation(annotation)
            #expect(state.note == "original", "removal first: \(removalFirst)")
            #expect(state.tags == ["before"], "changes up to the removal stay valid")
            try sophea.send(to: dara)
            #expect(try dara.store.annotation(annotation) == state)
            #expect(try vuthy.store.members()[sophea.store.device] == nil)
            #expect(try vuthy.store.verify() == [])
        }
    }

    @Test("an annotation a device made after its removal vanishes where it arrived before the removal, as it never shows where the removal came first")
    func lateAnnotationVanishesWhenTheRemovalArrives() throws {
        let (dara, sophea, vuthy, _) = try team()
        let statement = try #require(dara.store.statements().first).id
        let late = try sophea.store.annotate(statement, span: .quote("Kem Sokha", occurrence: 1), edit: AnnotationEdit(note: "late"), now: sophea.tick())
        _ = try dara.store.remove(sophea.store.device, now: dara.tick())
        try sophea.send(to: vuthy)
        #expect(try vuthy.store.annotation(late.id).note == "late")
        #expect(try vuthy.store.search("late").count == 1)

        #expect(try dara.send(to: vuthy).conflictsCreated == 0)
        let all = AnnotationFilter(includeDeleted: true)
        #expect(try vuthy.store.annotations(all) == dara.store.annotations(all))
        #expect(try !vuthy.store.annotations(all).map(\.id).contains(late.id))
        #expect(try vuthy.store.search("late").isEmpty)
        #expect(throws: StoreError.self) { try vuthy.store.annotation(late.id) }
    }

    @Test("a member's annotation on a statement a device made after its removal stays, though the statement takes no effect")
    func annotationOnLateStatement() throws {
        let (dara, sophea, vuthy, _) = try team()
        _ = try dara.store.remove(sophea.store.device, now: dara.tick())
        let late = try sophea.store.addStatement(utf8: Array("A late release on the charges.".utf8),
                                                 metadata: StatementMetadata(title: "Late"), now: sophea.tick())
        try sophea.send(to: vuthy)
        let annotation = try vuthy.store.annotate(late.id, span: .quote("charges", occurrence: nil),
                                                  edit: AnnotationEdit(note: "on the late release"), now: vuthy.tick())
        try dara.send(to: vuthy)
        try vuthy.send(to: dara)

        for store in [vuthy.store, dara.store] {
            #expect(throws: StoreError.notFound(kind: .statement, prefix: late.id.rawValue)) { try store.statement(late.id) }
            #expect(try store.annotation(annotation.id).note == "on the late release")
            #expect(try store.verify() == [])
            // The audit file holds the annotation, and the statement's
            // changes that show why its statement is absent.
            let report = AuditFile.check(try store.auditExport(now: dara.tick()))
            #expect(report.problems == [])
            #expect(report.annotations.map(\.id).contains(annotation.id))
            #expect(!report.statements.map(\.id).contains(late.id) && report.changes.contains { $0.change.entity == late.id })
        }
    }

    @Test("an annotation whose statement was never held stays out of the audit file, which checks")
    func annotationOnUnknownStatement() throws {
        let (dara, sophea, _, annotation) = try team()
        // Dara's own next change, as a client that did not check its target
        // would write it: a new annotation on a statement no one made.
        let last = try #require(dara.store.log(LogFilter(author: dara.store.device, limit: 1)).first)
        var target = try dara.store.annotation(annotation).target
        target.statement = try #require(EntityID(rawValue: "abcdefghijklmnopqrstuvwxyz"))
        let stray = SignedChange(signing: Change(
            workspace: dara.store.workspace, author: dara.store.device, seq: last.change.seq + 1, previous: last.id, publicKey: nil,
            clock: HLCTimestamp(milliseconds: last.change.clock.milliseconds + 1, counter: 0), kind: .annotation,
            entity: try #require(EntityID(rawValue: "zyxwvutsrqponmlkjihgfedcba")), parents: [],
            operations: [.set(field: "target", value: target.json), .set(field: "note", value: .string("stray"))]), with: dara.store.key)
        #expect(try sophea.store.apply(ChangeBatch(changes: [stray], texts: []), now: sophea.tick()).received == 1)

        let report = AuditFile.check(try sophea.store.auditExport(now: sophea.tick()))
        #expect(report.problems == [])
        #expect(report.annotations.map(\.id) == [annotation])
    }

    @Test("a member's workspace change of an entity other than the workspace's, which would rewrite who is a member, is refused")
    func secondWorkspaceEntityRefused() throws {
        let (dara, sophea, _, annotation) = try team()
        _ = try sophea.store.edit(annotation, AnnotationEdit(status: .checked), now: sophea.tick())
        try sophea.send(to: dara)
        let last = try #require(sophea.store.log(LogFilter(author: sophea.store.device, limit: 1)).first)
        let members = try dara.store.members()
        let usurper = SignedChange(signing: Change(
            workspace: sophea.store.workspace, author: sophea.store.device, seq: last.change.seq + 1, previous: last.id, publicKey: nil,
            clock: HLCTimestamp(milliseconds: last.change.clock.milliseconds + 1, counter: 0), kind: .workspace,
            entity: try #require(EntityID(rawValue: "zyxwvutsrqponmlkjihgfedcba")), parents: [],
            operations: [.set(field: "name", value: .string("mine")), .admit(sophea.store.device, name: "Sophea")]), with: sophea.store.key)
        #expect(throws: StoreError.refused(change: usurper.label,
                                           reason: "a workspace change is of the workspace's own entity \(dara.store.workspace), not zyxwvuts")) {
            try dara.store.apply(ChangeBatch(changes: [usurper], texts: []), now: dara.tick())
        }
        #expect(try dara.store.members() == members)
    }

    @Test("a statement whose text holds U+0000 or is not in NFC, sent by a client that did not check it, is refused and nothing of its batch applied")
    func textWithNULRefused() throws {
        let (dara, sophea, _, _) = try team()
        let text = "Kem Sokha was charged\u{0} under article 443."
        let last = try #require(dara.store.log(LogFilter(author: dara.store.device, limit: 1)).first)
        let statement = SignedChange(signing: Change(
            workspace: dara.store.workspace, author: dara.store.device, seq: last.change.seq + 1, previous: last.id, publicKey: nil,
            clock: HLCTimestamp(milliseconds: last.change.clock.milliseconds + 1, counter: 0), kind: .statement,
            entity: try #require(EntityID(rawValue: "zyxwvutsrqponmlkjihgfedcba")), parents: [],
            operations: [.set(field: "revision", value: .string(RevisionHash(text: text).hex))]), with: dara.store.key)
        let before = try sophea.store.changeCount()
        #expect(throws: StoreError.refused(change: statement.label, reason: "the text of revision \(RevisionHash(text: text).hex.prefix(12)) it names holds U+0000 (NUL)")) {
            try sophea.store.apply(ChangeBatch(changes: [statement], texts: [text]), now: sophea.tick())
        }
        #expect(try sophea.store.changeCount() == before)

        // Offsets count the NFC text, and an audit file holds texts as canonical (NFC) strings.
        let decomposed = "Kem Sokha e\u{301}tait accuse\u{301}."
        var unnormalized = statement.change
        unnormalized.operations = [.set(field: "revision", value: .string(RevisionHash(text: decomposed).hex))]
        let signed = SignedChange(signing: unnormalized, with: dara.store.key)
        #expect(throws: StoreError.refused(change: signed.label, reason: "the text of revision \(RevisionHash(text: decomposed).hex.prefix(12)) it names is not in Normalization Form C")) {
            try sophea.store.apply(ChangeBatch(changes: [signed], texts: [decomposed]), now: sophea.tick())
        }
        #expect(try sophea.store.changeCount() == before)
        #expect(throws: StoreError.invalidInput("expected a text without U+0000 (NUL), found one at offset 21")) {
            try dara.store.addStatement(utf8: Array(text.utf8), metadata: StatementMetadata(), now: dara.tick())
        }
    }

    @Test("a removed device is told plainly that it cannot write, and cannot be admitted again")
    func removedCannotWrite() throws {
        let (dara, sophea, _, annotation) = try team()
        _ = try dara.store.remove(sophea.store.device, now: dara.tick())
        try dara.send(to: sophea)
        #expect(throws: StoreError.removed(sophea.store.device)) {
            try sophea.store.edit(annotation, AnnotationEdit(note: "x"), now: sophea.tick())
        }
        #expect(throws: StoreError.invalidInput("expected a device never removed, found \(sophea.store.device.short), which was removed for good; it needs a new identity (gloss init)")) {
            try dara.store.admit(sophea.store.device, name: "Sophea again", now: dara.tick())
        }
    }

    @Test("a removal concurrent with an admission of the same device wins")
    func removalWinsOverConcurrentAdmission() throws {
        let (dara, sophea, vuthy, _) = try team()
        let newcomer = try DeviceKey(seed: [UInt8](repeating: 8, count: 32))
        try dara.store.admit(newcomer.id, name: "Newcomer", now: dara.tick())
        try dara.send(to: sophea)
        try dara.send(to: vuthy)
        _ = try sophea.store.remove(newcomer.id, now: sophea.tick())
        #expect(throws: StoreError.self) { try vuthy.store.admit(newcomer.id, name: "Newcomer", now: vuthy.tick()) }
        try sophea.send(to: vuthy)
        try vuthy.send(to: dara)
        #expect(try dara.store.members()[newcomer.id] == nil)
        #expect(try dara.store.members() == vuthy.store.members())
    }

    @Test("only a member may remove, and not itself")
    func removalRules() throws {
        let (dara, _, _, _) = try team()
        #expect(throws: StoreError.invalidInput("expected another member's device, found this device; a member removes a device, not itself")) {
            try dara.store.remove(dara.store.device, now: dara.tick())
        }
        let stranger = try DeviceKey(seed: [UInt8](repeating: 9, count: 32))
        #expect(throws: StoreError.invalidInput("expected a member's device, found \(stranger.id.short), which is not a member")) {
            try dara.store.remove(stranger.id, now: dara.tick())
        }
    }
}
