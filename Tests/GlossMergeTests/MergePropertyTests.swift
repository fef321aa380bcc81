import GlossCore
import GlossMerge
import Testing

@Suite("Merge properties")
struct MergePropertyTests {
    static let notes = ["", "a b c", "a B c", "A b c", "a b C d", "x y", "a b c d e"]

    /// A random concurrent history: devices write on what they know and
    /// now and then learn all that another device knows.
    static func randomHistory(seed: UInt64) -> [SignedChange] {
        var random = SeededGenerator(seed: seed)
        var scenario = Scenario(devices: 3)
        let root = scenario.create([.set(field: "note", value: .string("a b c"))])
        var known: [[SignedChange]] = Array(repeating: [root], count: 3)
        for step in 0..<Int.random(in: 4...14, using: &random) {
            let device = Int.random(in: 0..<3, using: &random)
            if Bool.random(using: &random) && step > 0 {
                let other = Int.random(in: 0..<3, using: &random)
                let ids = Set(known[device].map(\.id))
                known[device] += known[other].filter { !ids.contains($0.id) }
            }
            let heads = ChangeGraph(known[device]).heads
            let parents = known[device].filter { heads.contains($0.id) }
            let operation: ChangeOperation = switch Int.random(in: 0..<7, using: &random) {
            case 0: .set(field: "note", value: .string(notes.randomElement(using: &random)!))
            case 1: .set(field: "status", value: .string(Status.allCases.randomElement(using: &random)!.rawValue))
            case 2: .addTag(["a", "b", "c"].randomElement(using: &random)!)
            case 3: .removeTag(["a", "b", "c"].randomElement(using: &random)!)
            case 4: .delete
            case 5: .restore
            default: .set(field: "motivation", value: .string(Motivation.allCases.randomElement(using: &random)!.rawValue))
            }
            let change = scenario.write(device, after: parents, at: 1000 + Int.random(in: 0..<50, using: &random) * 10, [operation])
            known[device].append(change)
        }
        return scenario.changes
    }

    @Test("the state of a random concurrent history does not depend on the order its changes arrive in")
    func orderIndependence() {
        for seed in UInt64(1)...1_000 {
            let changes = Self.randomHistory(seed: seed)
            let expected = AnnotationState(deriving: changes)
            var random = SeededGenerator(seed: seed)
            for _ in 0..<4 {
                let state = AnnotationState(deriving: changes.shuffled(using: &random))
                #expect(state == expected, "seed \(seed)")
                if state != expected { return }
            }
        }
    }

    @Test("a resolution on top of every head leaves no conflict")
    func resolutionClearsConflicts() throws {
        for seed in UInt64(1)...300 {
            var changes = Self.randomHistory(seed: seed)
            let graph = ChangeGraph(changes)
            let heads = changes.filter { graph.heads.contains($0.id) }
            let key = try DeviceKey(seed: [UInt8](repeating: 9, count: 32))
            let resolution = Change(workspace: Scenario.workspace, author: key.id, seq: 1, previous: nil,
                                    publicKey: Array(key.publicKey.rawRepresentation),
                                    clock: HLCTimestamp(milliseconds: 99_999, counter: 0), kind: .annotation, entity: Scenario.entity,
                                    parents: heads.map(\.id), operations: [
                                        .set(field: "note", value: .string("resolved")), .set(field: "status", value: .string("open")),
                                        .set(field: "motivation", value: .string("commenting")), .restore,
                                    ])
            changes.append(SignedChange(signing: resolution, with: key))
            let state = try #require(AnnotationState(deriving: changes))
            #expect(state.conflicts == [], "seed \(seed)")
            #expect(state.note == "resolved")
        }
    }

    @Test("a change on top of every head, applied to the state alone, gives what deriving the whole graph gives")
    func extensionMatchesDerivation() {
        var extended = 0
        for seed in UInt64(1)...300 {
            let changes = Self.randomHistory(seed: seed)
            for index in 1..<changes.count {
                let prefix = Array(changes[..<index])
                guard Set(changes[index].change.parents) == Set(ChangeGraph(prefix).heads),
                      let before = AnnotationState(deriving: prefix) else { continue }
                let full = AnnotationState(deriving: prefix + [changes[index]])
                guard let fast = before.extended(by: changes[index]) else { continue }
                extended += 1
                let expected = full.map { state in
                    var sorted = state
                    sorted.conflicts.sort { $0.field < $1.field }
                    return sorted
                }
                var sortedFast = fast
                sortedFast.conflicts.sort { $0.field < $1.field }
                #expect(sortedFast == expected, "seed \(seed), change \(index): \(Self.difference(sortedFast, expected))")
                if sortedFast != expected { return }
            }
        }
        #expect(extended > 600, "the random histories extend their heads often enough to test: \(extended)")
    }

    static func difference(_ a: AnnotationState, _ b: AnnotationState?) -> String {
        guard let b else { return "no state derived" }
        var parts: [String] = []
        if a.note != b.note { parts.append("note \(a.note) vs \(b.note)") }
        if a.tags != b.tags { parts.append("tags \(a.tags) vs \(b.tags)") }
        if a.status != b.status { parts.append("status \(a.status) vs \(b.status)") }
        if a.motivation != b.motivation { parts.append("motivation \(a.motivation) vs \(b.motivation)") }
        if a.isDeleted != b.isDeleted { parts.append("deleted \(a.isDeleted) vs \(b.isDeleted)") }
        if a.modified != b.modified || a.modifiedBy != b.modifiedBy { parts.append("modified \(a.modified) vs \(b.modified)") }
        if a.conflicts != b.conflicts {
            parts.append("conflicts \(a.conflicts.map { "\($0.field):\($0.values.map { "\($0.value)" })" }) vs \(b.conflicts.map { "\($0.field):\($0.values.map { "\($0.value)" })" })")
        }
        return parts.joined(separator: "; ")
    }
}
