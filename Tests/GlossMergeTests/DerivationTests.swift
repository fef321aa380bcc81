import GlossCore
@testable import GlossMerge
import Testing

/// Writes a linear history of one annotation, as one device would.
struct HistoryWriter {
    let key = try! DeviceKey(seed: [UInt8](repeating: 7, count: 32))
    let workspace = WorkspaceID(rawValue: "aaaaaaaaaaaaaaaaaaaaaaaaaa")!
    let entity = EntityID(rawValue: "dddddddddddddddddddddddddd")!
    let statement = EntityID(rawValue: "ssssssssssssssssssssssssss")!
    var changes: [SignedChange] = []

    var target: Target {
        Target(statement: statement, revision: RevisionHash(text: "under article 443 of the Criminal Code"),
               exact: "article 443", prefix: "under ", suffix: " of the Criminal Code", start: 6, end: 17)
    }

    mutating func write(_ operations: [ChangeOperation], at milliseconds: Int) {
        let change = Change(workspace: workspace, author: key.id, seq: changes.count + 1, previous: changes.last?.id,
                            publicKey: changes.isEmpty ? Array(key.publicKey.rawRepresentation) : nil,
                            clock: HLCTimestamp(milliseconds: milliseconds, counter: 0), kind: .annotation, entity: entity,
                            parents: changes.last.map { [$0.id] } ?? [], operations: operations)
        changes.append(SignedChange(signing: change, with: key))
    }
}

@Suite("Deriving an annotation from its changes")
struct DerivationTests {
    func history() -> HistoryWriter {
        var writer = HistoryWriter()
        writer.write([.set(field: "target", value: writer.target.json), .set(field: "note", value: .string("first")),
                      .set(field: "status", value: .string("open")), .addTag("legal")], at: 1000)
        writer.write([.set(field: "note", value: .string("second")), .addTag("treason"), .removeTag("legal")], at: 2000)
        writer.write([.set(field: "status", value: .string("checked"))], at: 3000)
        writer.write([.delete], at: 4000)
        writer.write([.restore, .set(field: "motivation", value: .string("questioning"))], at: 5000)
        return writer
    }

    @Test("the state is what the changes say, in order: last note, tags added and removed, status, restore")
    func linearHistory() throws {
        let writer = history()
        let state = try #require(AnnotationState(deriving: writer.changes))
        #expect(state.target == writer.target)
        #expect(state.note == "second")
        #expect(state.tags == ["treason"])
        #expect(state.status == .checked)
        #expect(state.motivation == .questioning)
        #expect(!state.isDeleted)
        #expect(state.created == HLCTimestamp(milliseconds: 1000, counter: 0))
        #expect(state.modified == HLCTimestamp(milliseconds: 5000, counter: 0))
    }

    @Test("the order changes are given in does not change the state")
    func orderIndependent() throws {
        let changes = history().changes
        let expected = AnnotationState(deriving: changes)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            #expect(AnnotationState(deriving: changes.shuffled(using: &generator)) == expected)
        }
    }

    @Test("the graph's head is the last change, and ancestors follow parents")
    func graph() {
        let changes = history().changes
        let graph = ChangeGraph(changes.reversed())
        #expect(graph.heads == [changes.last!.id])
        #expect(graph.ordered.map(\.id) == changes.map(\.id))
        let ancestry = Ancestry(graph)
        #expect(ancestry.isAncestor(0, of: 2) && ancestry.isAncestor(1, of: 2))
        #expect(!ancestry.isAncestor(3, of: 2))
        #expect(ancestry.commonAncestors(of: [3, 4]) == [0, 1, 2])
    }

    @Test("each version lists what its change altered")
    func versions() {
        let versions = AnnotationState.versions(of: ChangeGraph(history().changes))
        #expect(versions.count == 5)
        #expect(versions[1].after.differences(from: versions[1].before) == [
            .note(from: "first", to: "second"), .tags(added: ["treason"], removed: ["legal"]),
        ])
        #expect(versions[3].after.differences(from: versions[3].before) == [.deleted(true)])
        #expect(versions[0].before == nil)
    }

    @Test("changes that never set a target are not an annotation")
    func noTarget() {
        var writer = HistoryWriter()
        writer.write([.set(field: "note", value: .string("orphan"))], at: 1)
        #expect(AnnotationState(deriving: writer.changes) == nil)
    }
}
