import Foundation
import GlossCore
import GlossMerge
import GlossStore
import Testing

/// Replicas edit at random and exchange changes in random pairs; once every
/// replica has everyone's changes, all must show the same state.
@Suite("Store: replicas converge")
struct ConvergenceTests {
    static let notes = ["a b c", "a B c", "A b c", "a b c d", "", "x"]

    /// One random local edit on `replica`, if it can make one.
    func randomEdit(_ replica: TestWorkspace, statement: EntityID, random: inout SeededGenerator) throws {
        let annotations = try replica.store.annotations(AnnotationFilter(includeDeleted: true))
        if annotations.isEmpty || Int.random(in: 0..<6, using: &random) == 0 {
            let start = Int.random(in: 0..<100, using: &random)
            _ = try replica.store.annotate(statement, span: .positions(start: start, end: start + 5),
                                           edit: AnnotationEdit(note: "a b c"), now: replica.tick())
            return
        }
        let annotation = annotations.randomElement(using: &random)!
        let edit: AnnotationEdit
        switch Int.random(in: 0..<6, using: &random) {
        case 0: edit = AnnotationEdit(note: Self.notes.randomElement(using: &random)!)
        case 1: edit = AnnotationEdit(addedTags: [["p", "q", "r"].randomElement(using: &random)!])
        case 2: edit = AnnotationEdit(removedTags: [["p", "q", "r"].randomElement(using: &random)!])
        case 3: edit = AnnotationEdit(status: Status.allCases.randomElement(using: &random)!)
        case 4:
            _ = try? replica.store.setDeleted(annotation.id, !annotation.isDeleted, now: replica.tick())
            return
        default:
            if let conflict = annotation.conflicts.first {
                let take = conflict.values.randomElement(using: &random)!.change.hex
                _ = try replica.store.resolve(annotation.id, field: conflict.field, with: .take(change: take), now: replica.tick())
                return
            }
            edit = AnnotationEdit(motivation: Motivation.allCases.randomElement(using: &random)!)
        }
        _ = try? replica.store.edit(annotation.id, edit, now: replica.tick())
    }

    /// How many random schedules to run: GLOSS_SCHEDULES, else 40.
    static let schedules = UInt64(ProcessInfo.processInfo.environment["GLOSS_SCHEDULES"] ?? "") ?? 40

    @Test("random edits, resolutions and exchanges between 3 to 5 replicas end in identical state everywhere")
    func convergence() throws {
        var conflicted = 0
        for seed in UInt64(1)...Self.schedules {
            var random = SeededGenerator(seed: seed)
            let origin = try TestWorkspace()
            let statement = try origin.addSeed().id
            var replicas = [origin]
            for index in 1..<Int.random(in: 3...5, using: &random) {
                replicas.append(try TestWorkspace(cloning: origin, seed: UInt8(index + 1), admitAs: "device \(index)"))
            }
            for replica in replicas.dropFirst() { try origin.send(to: replica) }
            for _ in 0..<30 {
                if Bool.random(using: &random) {
                    try randomEdit(replicas.randomElement(using: &random)!, statement: statement, random: &random)
                } else {
                    let from = replicas.randomElement(using: &random)!, to = replicas.randomElement(using: &random)!
                    // One batch, or a pull's batches with derivation deferred after the first.
                    let batchSize = [Int.max, 1, 2, 3].randomElement(using: &random)!
                    if from !== to { _ = try batchSize == .max ? from.send(to: to) : from.send(to: to, inBatchesOf: batchSize) }
                }
            }
            for from in replicas { for to in replicas where from !== to { try from.send(to: to) } }

            let expected = try origin.store.annotations(AnnotationFilter(includeDeleted: true))
            let heads = try origin.store.heads()
            let conflicts = try origin.store.conflictedEntities().map { "\($0.entity) \($0.conflicts)" }
            if expected.contains(where: \.isConflicted) { conflicted += 1 }
            for replica in replicas {
                #expect(try replica.store.heads() == heads, "seed \(seed)")
                #expect(try replica.store.annotations(AnnotationFilter(includeDeleted: true)) == expected, "seed \(seed)")
                #expect(try replica.store.conflictedEntities().map { "\($0.entity) \($0.conflicts)" } == conflicts, "seed \(seed)")
                #expect(try replica.store.changeCount() == heads.count, "seed \(seed): every change kept")
                #expect(try replica.store.verify() == [], "seed \(seed)")
            }
            // A clone derives in memory, batch by batch, what the log derives.
            let clone = try origin.deferredClone(batchSize: Int.random(in: 1...12, using: &random))
            #expect(try clone.store.annotations(AnnotationFilter(includeDeleted: true)) == expected, "seed \(seed)")
            #expect(try clone.store.conflictedEntities().map { "\($0.entity) \($0.conflicts)" } == conflicts, "seed \(seed)")
            #expect(try clone.store.search("b") == origin.store.search("b"), "seed \(seed)")
            #expect(try clone.store.verify() == [], "seed \(seed)")
        }
        #expect(conflicted > 0, "the schedules exercise conflicts")
    }
}
