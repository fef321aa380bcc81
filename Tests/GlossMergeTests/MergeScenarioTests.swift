import GlossCore
import GlossMerge
import Testing

@Suite("Merging concurrent edits of one annotation")
struct MergeScenarioTests {
    @Test("concurrent statuses that differ conflict; the provisional value is the latest write, and both are listed")
    func statusConflict() throws {
        var scenario = Scenario(devices: 2)
        let root = scenario.create()
        let left = scenario.write(0, after: [root], at: 2000, [.set(field: "status", value: .string("checked"))])
        let right = scenario.write(1, after: [root], at: 3000, [.set(field: "status", value: .string("disputed"))])
        let state = try #require(scenario.state())
        #expect(state.status == .disputed)
        #expect(state.conflicts.map(\.field) == ["status"])
        #expect(state.conflicts[0].values.map(\.change) == [right.id, left.id])
        #expect(state.conflicts[0].values.map(\.value) == [.string("disputed"), .string("checked")])
    }

    @Test("concurrent statuses that agree are no conflict")
    func equalValues() throws {
        var scenario = Scenario(devices: 2)
        let root = scenario.create()
        scenario.write(0, after: [root], at: 2000, [.set(field: "status", value: .string("checked"))])
        scenario.write(1, after: [root], at: 3000, [.set(field: "status", value: .string("checked"))])
        let state = try #require(scenario.state())
        #expect(state.status == .checked)
        #expect(!state.isConflicted)
    }

    @Test("a resolution on top of both heads supersedes every live value; history keeps both")
    func resolution() throws {
        var scenario = Scenario(devices: 2)
        let root = scenario.create()
        let left = scenario.write(0, after: [root], at: 2000, [.set(field: "status", value: .string("checked"))])
        let right = scenario.write(1, after: [root], at: 3000, [.set(field: "status", value: .string("disputed"))])
        scenario.write(1, after: [left, right], at: 4000, [.set(field: "status", value: .string("checked"))])
        let state = try #require(scenario.state())
        #expect(state.status == .checked)
        #expect(!state.isConflicted)
        #expect(AnnotationState.versions(of: ChangeGraph(scenario.changes)).count == 4)
    }

    @Test("the provisional value breaks a clock tie by author id")
    func tieBreak() throws {
        var scenario = Scenario(devices: 2)
        let root = scenario.create()
        let a = scenario.write(0, after: [root], at: 2000, [.set(field: "motivation", value: .string("questioning"))])
        let b = scenario.write(1, after: [root], at: 2000, [.set(field: "motivation", value: .string("assessing"))])
        let winner = a.change.author > b.change.author ? a : b
        let state = try #require(scenario.state())
        #expect(state.conflicts[0].values[0].change == winner.id)
    }

    @Test("concurrent note edits to different words merge with no conflict")
    func noteMerge() throws {
        var scenario = Scenario(devices: 2)
        let root = scenario.create([.set(field: "note", value: .string("charged under article 443 in 2017"))])
        scenario.write(0, after: [root], at: 2000, [.set(field: "note", value: .string("wrongly charged under article 443 in 2017"))])
        scenario.write(1, after: [root], at: 3000, [.set(field: "note", value: .string("charged under article 443 in September 2017"))])
        let state = try #require(scenario.state())
        #expect(state.note == "wrongly charged under article 443 in September 2017")
        #expect(!state.isConflicted)
    }

    @Test("concurrent note edits to the same words conflict, keeping both texts")
    func noteConflict() throws {
        var scenario = Scenario(devices: 2)
        let root = scenario.create([.set(field: "note", value: .string("article 443"))])
        scenario.write(0, after: [root], at: 2000, [.set(field: "note", value: .string("article 444"))])
        scenario.write(1, after: [root], at: 3000, [.set(field: "note", value: .string("article 445"))])
        let state = try #require(scenario.state())
        #expect(state.note == "article 445")
        #expect(state.conflicts.map(\.field) == ["note"])
        #expect(state.conflicts[0].values.map(\.value) == [.string("article 445"), .string("article 444")])
    }

    @Test("a merged note is the base of the next merge")
    func criss() throws {
        var scenario = Scenario(devices: 2)
        let root = scenario.create([.set(field: "note", value: .string("a b c"))])
        let left = scenario.write(0, after: [root], at: 2000, [.set(field: "note", value: .string("A b c"))])
        let right = scenario.write(1, after: [root], at: 2000, [.set(field: "note", value: .string("a b C"))])
        let merge = scenario.write(0, after: [left, right], at: 3000, [.addTag("merged")])
        scenario.write(0, after: [merge], at: 4000, [.set(field: "note", value: .string("A B C"))])
        scenario.write(1, after: [right], at: 5000, [.set(field: "note", value: .string("a b C!"))])
        let state = try #require(scenario.state())
        #expect(state.note == "A B C!")
        #expect(!state.isConflicted)
    }

    @Test("tags: an add concurrent with a remove wins; a remove that saw the add wins")
    func tags() throws {
        var scenario = Scenario(devices: 2)
        let root = scenario.create([.addTag("legal"), .addTag("person")])
        scenario.write(0, after: [root], at: 2000, [.addTag("legal")])
        scenario.write(1, after: [root], at: 3000, [.removeTag("legal"), .removeTag("person")])
        let state = try #require(scenario.state())
        #expect(state.tags == ["legal"])
        #expect(!state.isConflicted)
    }

    @Test("a delete concurrent with an edit is a conflict and the annotation stays visible")
    func deleteVersusEdit() throws {
        var scenario = Scenario(devices: 2)
        let root = scenario.create()
        let delete = scenario.write(0, after: [root], at: 2000, [.delete])
        let edit = scenario.write(1, after: [root], at: 3000, [.set(field: "note", value: .string("still relevant"))])
        let state = try #require(scenario.state())
        #expect(!state.isDeleted)
        #expect(state.note == "still relevant")
        #expect(state.conflicts.map(\.field) == ["deleted"])
        #expect(state.conflicts[0].values.map(\.change) == [edit.id, delete.id])
        #expect(state.conflicts[0].values.map(\.value) == [.string("edit"), .string("delete")])
    }

    @Test("a delete after seeing every edit deletes; a restore resolves a delete conflict")
    func deleteResolution() throws {
        var scenario = Scenario(devices: 2)
        let root = scenario.create()
        let delete = scenario.write(0, after: [root], at: 2000, [.delete])
        let edit = scenario.write(1, after: [root], at: 3000, [.set(field: "note", value: .string("x"))])
        var deleting = scenario
        deleting.write(0, after: [delete, edit], at: 4000, [.delete])
        #expect(try #require(deleting.state()).isDeleted)
        #expect(try !#require(deleting.state()).isConflicted)
        scenario.write(1, after: [delete, edit], at: 4000, [.restore])
        #expect(try !#require(scenario.state()).isDeleted)
        #expect(try !#require(scenario.state()).isConflicted)
    }

    @Test("a delete with no concurrent edit deletes")
    func plainDelete() throws {
        var scenario = Scenario(devices: 2)
        let root = scenario.create()
        let edit = scenario.write(1, after: [root], at: 2000, [.set(field: "note", value: .string("x"))])
        scenario.write(0, after: [edit], at: 3000, [.delete])
        #expect(try #require(scenario.state()).isDeleted)
    }
}
