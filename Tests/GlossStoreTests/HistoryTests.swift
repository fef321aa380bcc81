import Foundation
import GlossCore
import GlossMerge
import GlossStore
import Testing

/// Blame and as-of views on a history that branches, merges and is resolved.
@Suite("Store: blame and as-of on branches, a merge and a resolution")
struct HistoryTests {
    struct Story {
        let dara: TestWorkspace, sophea: TestWorkspace
        let statement: EntityID, annotation: EntityID
        /// The creation, Dara's and Sophea's concurrent edits, the merge
        /// edit, and Dara's resolution.
        let creation: ChangeID, daraEdit: ChangeID, sopheaEdit: ChangeID, resolution: ChangeID
        let beforeResolution: Int
    }

    func story() throws -> Story {
        let dara = try TestWorkspace()
        let statement = try dara.addSeed()
        let sophea = try TestWorkspace(cloning: dara, seed: 2, admitAs: "Sophea")
        let created = try dara.store.annotate(statement.id, span: .quote("treason", occurrence: nil),
                                              edit: AnnotationEdit(note: "charges of treason"), now: dara.tick())
        try dara.send(to: sophea)
        _ = try dara.store.edit(created.id, AnnotationEdit(note: "spurious charges of treason", status: .checked), now: dara.tick())
        _ = try sophea.store.edit(created.id, AnnotationEdit(addedTags: ["legal"], status: .disputed), now: sophea.tick())
        try sophea.send(to: dara)
        try dara.send(to: sophea)
        let beforeResolution = dara.tick()
        let conflicted = try dara.store.annotation(created.id)
        let sopheaEdit = try #require(conflicted.conflicts.first { $0.field == "status" }?.values.first { $0.author == sophea.store.device }?.change)
        _ = try dara.store.resolve(created.id, field: "status", with: .take(change: String(sopheaEdit.hex.prefix(10))), now: dara.tick())
        try dara.send(to: sophea)
        let log = try dara.store.log(LogFilter(entity: created.id))
        func change(by store: Store, _ matching: (Change) -> Bool) throws -> ChangeID {
            try #require(log.first { $0.change.author == store.device && matching($0.change) }).id
        }
        return Story(
            dara: dara, sophea: sophea, statement: statement.id, annotation: created.id,
            creation: try change(by: dara.store) { $0.parents.isEmpty },
            daraEdit: try change(by: dara.store) { $0.parents.count == 1 && $0.operations.contains(.set(field: "status", value: .string("checked"))) },
            sopheaEdit: sopheaEdit,
            resolution: try change(by: dara.store) { $0.parents.count == 2 },
            beforeResolution: beforeResolution)
    }

    @Test("blame credits each field to the change that set its current value: creation, a branch, the resolution")
    func blame() throws {
        let story = try story()
        for store in [story.dara.store, story.sophea.store] {
            let blamed = try store.blame(story.statement)
            let fields = Dictionary(uniqueKeysWithValues: try #require(blamed.first).fields.map { ($0.field, $0) })
            #expect(fields["target"]?.setBy.change == story.creation)
            #expect(fields["note"]?.setBy.change == story.daraEdit && fields["note"]?.value == .string("spurious charges of treason"))
            #expect(fields["tag:legal"]?.setBy.change == story.sopheaEdit)
            #expect(fields["status"]?.setBy.change == story.resolution && fields["status"]?.value == .string("disputed"))
            #expect(fields["status"]?.setBy.author == story.dara.store.device)
        }
    }

    @Test("as of a change: exactly its ancestors, so each branch sees only its own edit")
    func asOfChange() throws {
        let story = try story()
        let store = story.dara.store
        let sophea = try #require(try store.annotation(story.annotation, asOf: .change(story.sopheaEdit)))
        #expect(sophea.status == .disputed && sophea.note == "charges of treason" && sophea.tags == ["legal"] && !sophea.isConflicted)
        let dara = try #require(try store.annotation(story.annotation, asOf: .change(story.daraEdit)))
        #expect(dara.status == .checked && dara.note == "spurious charges of treason" && dara.tags == [] && !dara.isConflicted)
        let created = try #require(try store.annotation(story.annotation, asOf: .change(story.creation)))
        #expect(created.status == .open && created.note == "charges of treason")
        #expect(throws: StoreError.self) { try store.annotation(story.annotation, asOf: .change(ChangeID(hashing: [1]))) }
    }

    @Test("as of a time: the merged branches with their conflict before the resolution, and none after")
    func asOfTime() throws {
        let story = try story()
        for store in [story.dara.store, story.sophea.store] {
            let before = try #require(try store.annotation(story.annotation, asOf: .time(story.beforeResolution)))
            #expect(before.conflicts.map(\.field) == ["status"])
            #expect(Set(before.conflicts[0].values.map(\.change)) == [story.daraEdit, story.sopheaEdit])
            #expect(before.note == "spurious charges of treason" && before.tags == ["legal"])
            let after = try #require(try store.annotation(story.annotation, asOf: .time(story.beforeResolution + 60_000)))
            #expect(after == (try store.annotation(story.annotation)), "every change is in by then")
            #expect(!after.isConflicted && after.status == .disputed)
            #expect(try store.annotations(asOf: 0).isEmpty)
            #expect(try store.annotations(asOf: story.beforeResolution).map(\.id) == [story.annotation])
        }
    }
}
