import Foundation
import GRDB
import GlossCore
import GlossMerge
import GlossStore
import Testing

@Suite("Store: exchanging changes between replicas")
struct ExchangeTests {
    /// Two replicas of one workspace, both members, holding the seed statement.
    func pair() throws -> (TestWorkspace, TestWorkspace, EntityID) {
        let a = try TestWorkspace()
        let statement = try a.addSeed()
        let b = try TestWorkspace(cloning: a, seed: 2, admitAs: "Sophea")
        return (a, b, statement.id)
    }

    @Test("a clone holds every change and the same state, and can write once admitted")
    func cloneAndExchange() throws {
        let (a, b, statement) = try pair()
        #expect(try b.store.heads() == a.store.heads())
        #expect(try b.store.statements() == a.store.statements())
        #expect(try b.store.members() == a.store.members())
        let annotation = try b.store.annotate(statement, span: .quote("treason", occurrence: nil),
                                              edit: AnnotationEdit(note: "from Sophea"), now: b.tick())
        let report = try b.send(to: a)
        #expect(report.received == 1)
        #expect(report.entitiesChanged == 1)
        #expect(try a.store.annotation(annotation.id) == annotation)
        #expect(try a.store.verify() == [])
        #expect(try b.store.verify() == [])
    }

    @Test("a device no member admitted is told plainly, with the command a member must run")
    func notAMember() throws {
        let a = try TestWorkspace()
        let statement = try a.addSeed()
        let b = try TestWorkspace(cloning: a, seed: 3)
        #expect(throws: StoreError.notMember(b.store.device)) {
            try b.store.annotate(statement.id, span: .positions(start: 0, end: 2), edit: AnnotationEdit(), now: b.tick())
        }
        #expect("\(StoreError.notMember(b.store.device))" ==
                "this device is not a member of the workspace, so it cannot write; a member must run: gloss member add NAME \(b.store.device)")
    }

    /// Runs `body` with Dara's workspace, holding one annotation noted "one",
    /// and a folder for a clone of it, removed afterwards.
    func withCloneFolder(_ body: (TestWorkspace, AnnotationState, WorkspaceFolder) throws -> Void) throws {
        let dara = try TestWorkspace()
        let statement = try dara.addSeed()
        let annotation = try dara.store.annotate(statement.id, span: .quote("treason", occurrence: nil), edit: AnnotationEdit(note: "one"), now: dara.tick())
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try body(dara, annotation, WorkspaceFolder(root: root))
    }

    @Test("a clone cut short after deferred batches is derived when it is next opened")
    func deferredDerivationRecoveredOnOpen() throws {
        try withCloneFolder { dara, annotation, folder in
            let genesis = ChangeBatch(changes: Array(try dara.batch(missingFrom: Heads()).changes.prefix(1)), texts: [])
            let (clone, _) = try Store.clone(folder, from: genesis, key: try DeviceKey(seed: [UInt8](repeating: 7, count: 32)), now: dara.tick())
            _ = try dara.store.edit(annotation.id, AnnotationEdit(note: "two", status: .checked), now: dara.tick())
            _ = try clone.apply(try dara.batch(missingFrom: clone.heads()), now: dara.tick(), deferringDerivation: true)
            #expect(try clone.annotations().isEmpty, "derivation was deferred")

            let reopened = try Store.open(folder)
            #expect(try reopened.annotations() == dara.store.annotations())
            #expect(try reopened.statements() == dara.store.statements())
        }
    }

    @Test("a clone builds the log's indexes by entity, clock and id at its end, or when next opened if it was cut short")
    func deferredCloneBuildsLogIndexesLast() throws {
        try withCloneFolder { dara, _, folder in
            let everything = try dara.batch(missingFrom: Heads())
            let (clone, _) = try Store.clone(folder, from: everything, key: try DeviceKey(seed: [UInt8](repeating: 7, count: 32)),
                                             deferringDerivation: true, now: dara.tick())
            let expected = try logIndexes(dara.databasePath), deferred: Set = ["change_by_entity", "change_by_clock", "change_by_id"]
            let database = folder.root.appendingPathComponent(".gloss/gloss.sqlite").path
            #expect(Set(expected.keys).isSuperset(of: deferred))
            #expect(try Set(logIndexes(database).keys) == Set(expected.keys).subtracting(deferred), "left to build")

            // Cut short here: opening the store builds them, as the clone's end would have.
            let reopened = try Store.open(folder)
            #expect(try logIndexes(database) == expected)
            #expect(try reopened.annotations() == dara.store.annotations())
            _ = clone
        }
    }

    @Test("a clone's batch that must find a change by id, a parent it does not carry, builds the index by id first, and the clone ends as its origin")
    func deferredIndexByIdBuiltWhenNeeded() throws {
        try withCloneFolder { dara, annotation, folder in
            let (clone, _) = try Store.clone(folder, from: try dara.batch(missingFrom: Heads()), key: try DeviceKey(seed: [UInt8](repeating: 7, count: 32)),
                                             deferringDerivation: true, now: dara.tick())
            let database = folder.root.appendingPathComponent(".gloss/gloss.sqlite").path
            #expect(try logIndexes(database)["change_by_id"] == nil, "left to build")

            // A statement is not carried: its next change's parent is found by id.
            _ = try dara.store.revise(annotation.target.statement, utf8: Array("Kem Sokha was charged with treason again.".utf8), now: dara.tick())
            _ = try clone.apply(try dara.batch(missingFrom: clone.heads()), now: dara.tick(), deferringDerivation: true)
            #expect(try logIndexes(database)["change_by_id"] == logIndexes(dara.databasePath)["change_by_id"])
            #expect(try logIndexes(database)["change_by_entity"] == nil, "still left to build")

            try clone.deriveStale()
            #expect(try logIndexes(database) == logIndexes(dara.databasePath))
            #expect(try clone.statements() == dara.store.statements())
            #expect(try clone.annotations() == dara.store.annotations())
        }
    }

    /// The indexes of the log table, by name, with their SQL.
    private func logIndexes(_ path: String) throws -> [String: String] {
        let rows = try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'change' AND sql IS NOT NULL")
        }
        return Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as String, $0[1] as String) })
    }

    @Test("a clone's later batch marks its annotations stale again when another process derived them meanwhile")
    func deferredMarksRenewedAfterAnotherWriter() throws {
        try withCloneFolder { dara, annotation, folder in
            let (clone, _) = try Store.clone(folder, from: try dara.batch(missingFrom: Heads()), key: try DeviceKey(seed: [UInt8](repeating: 7, count: 32)),
                                             deferringDerivation: true, now: dara.tick())
            // Another process opens the workspace mid-clone: it derives what is stale, and unmarks it.
            #expect(try Store.open(folder).annotation(annotation.id).note == "one")

            _ = try dara.store.edit(annotation.id, AnnotationEdit(note: "two"), now: dara.tick())
            _ = try clone.apply(try dara.batch(missingFrom: clone.heads()), now: dara.tick(), deferringDerivation: true)

            // Cut short here: the next open derives the annotation again, from the change the clone's batch left stale.
            #expect(try Store.open(folder).annotation(annotation.id).note == "two")
        }
    }

    @Test("a clone in batches of any size derives what its origin derives, with a removed device's late changes ignored")
    func deferredCloneAroundARemoval() throws {
        let (dara, sophea, statement) = try pair()
        let annotation = try sophea.store.annotate(statement, span: .quote("treason", occurrence: nil), edit: AnnotationEdit(note: "one"),
                                                   now: sophea.tick())
        try sophea.send(to: dara)
        _ = try dara.store.edit(annotation.id, AnnotationEdit(addedTags: ["law"]), now: dara.tick())
        _ = try dara.store.remove(sophea.store.device, now: dara.tick())
        _ = try sophea.store.edit(annotation.id, AnnotationEdit(note: "written after the removal"), now: sophea.tick())
        _ = try sophea.store.annotate(statement, span: .quote("Kem Sokha", occurrence: 1), edit: AnnotationEdit(note: "late"), now: sophea.tick())
        #expect(try sophea.send(to: dara).ignored == 2)
        let expected = try dara.store.annotations(AnnotationFilter(includeDeleted: true))
        #expect(expected.map(\.note) == ["one"])
        for size in 1...6 {
            let clone = try dara.deferredClone(batchSize: size)
            #expect(try clone.store.annotations(AnnotationFilter(includeDeleted: true)) == expected, "batches of \(size)")
            #expect(try clone.store.removedDevices().keys.contains(sophea.store.device))
            #expect(try logIndexes(clone.databasePath) == logIndexes(dara.databasePath))
        }
    }

    @Test("a removal in a clone's later batch re-derives what the removed device had written, even when another process derived it meanwhile")
    func deferredCloneRemovalAfterAnotherWriter() throws {
        let (dara, sophea, statement) = try pair()
        let chan = try TestWorkspace(cloning: dara, seed: 3, admitAs: "Chan")
        _ = try sophea.store.annotate(statement, span: .quote("treason", occurrence: nil), edit: AnnotationEdit(note: "unseen by Chan"), now: sophea.tick())
        try sophea.send(to: dara)
        _ = try chan.store.remove(sophea.store.device, now: chan.tick())
        try chan.send(to: dara)  // Dara now ignores Sophea's annotation, which Chan's removal did not see
        let expected = try dara.store.annotations(AnnotationFilter(includeDeleted: true))
        #expect(expected.isEmpty)

        let everything = try dara.batch(missingFrom: Heads()).changes
        let removal = try #require(everything.last)
        #expect(removal.change.kind == .workspace)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = WorkspaceFolder(root: root)
        let before = Array(everything.dropLast())
        let (clone, _) = try Store.clone(folder, from: ChangeBatch(changes: before, texts: try dara.store.texts(for: before)),
                                         key: try DeviceKey(seed: [UInt8](repeating: 7, count: 32)), deferringDerivation: true, now: dara.tick())
        // Another process opens the workspace mid-clone, and derives Sophea's annotation as it stands.
        #expect(try Store.open(folder).annotations().count == 1)

        _ = try clone.apply(ChangeBatch(changes: [removal], texts: []), now: dara.tick(), deferringDerivation: true)
        #expect(try Store.open(folder).annotations(AnnotationFilter(includeDeleted: true)) == expected)
    }

    @Test("a pull in batches, derived once at its end, leaves and reports what one batch does, conflicts made and resolved included")
    func deferredPullMatchesOneBatch() throws {
        let (dara, sophea, statement) = try pair()
        let annotations = try (0..<6).map { index in
            try dara.store.annotate(statement, span: .positions(start: index * 10, end: index * 10 + 5),
                                    edit: AnnotationEdit(note: "first \(index)"), now: dara.tick()).id
        }
        try dara.send(to: sophea)
        let whole = try TestWorkspace(cloning: dara, seed: 3), batched = try TestWorkspace(cloning: dara, seed: 4)
        func expectAlike(_ one: ApplyReport, _ many: ApplyReport, _ step: String) throws {
            // Entities changed are counted batch by batch: an annotation in two batches counts twice.
            var (one, many) = (one, many)
            (one.entitiesChanged, many.entitiesChanged) = (0, 0)
            #expect(many == one, "\(step)")
            let all = AnnotationFilter(includeDeleted: true)
            #expect(try batched.store.annotations(all) == whole.store.annotations(all), "\(step)")
            #expect(try batched.store.conflictedEntities().map { "\($0.entity) \($0.conflicts)" }
                    == whole.store.conflictedEntities().map { "\($0.entity) \($0.conflicts)" }, "\(step)")
            #expect(try batched.store.search("Sophea").map(\.entity) == whole.store.search("Sophea").map(\.entity), "\(step)")
            #expect(try batched.store.deriveStale().derived == 0, "\(step): nothing is left stale")
            #expect(try batched.store.verify() == [], "\(step)")
        }

        // Concurrent edits: the even annotations' notes conflict, the odd ones merge.
        for (index, annotation) in annotations.enumerated() {
            _ = try dara.store.edit(annotation, AnnotationEdit(note: "Dara \(index)"), now: dara.tick())
            _ = try sophea.store.edit(annotation, AnnotationEdit(note: index.isMultiple(of: 2) ? "Sophea \(index)" : nil, addedTags: ["s"]),
                                      now: sophea.tick())
            _ = try sophea.store.edit(annotation, AnnotationEdit(status: .checked), now: sophea.tick())
        }
        try dara.send(to: whole)
        try dara.send(to: batched)
        let made = try sophea.send(to: whole)
        #expect(made.conflictsCreated == 3)
        try expectAlike(made, try sophea.send(to: batched, inBatchesOf: 2), "conflicts made")

        // Resolving them extends each annotation's heads: carried in memory from its stored state.
        try sophea.send(to: dara)
        for annotation in annotations where try dara.store.annotation(annotation).isConflicted {
            _ = try dara.store.edit(annotation, AnnotationEdit(note: "settled"), now: dara.tick())
            _ = try dara.store.edit(annotation, AnnotationEdit(addedTags: ["d"]), now: dara.tick())
        }
        let resolved = try dara.send(to: whole)
        #expect(resolved.conflictsResolved == 3)
        try expectAlike(resolved, try dara.send(to: batched, inBatchesOf: 3), "conflicts resolved")
    }

    @Test("a pull in batches that brings a removal after the removed device's late changes undoes them, as one batch does")
    func deferredPullAroundARemoval() throws {
        for size in 1...4 {
            let (dara, sophea, statement) = try pair()
            let annotation = try sophea.store.annotate(statement, span: .quote("treason", occurrence: nil), edit: AnnotationEdit(note: "one"),
                                                       now: sophea.tick())
            try sophea.send(to: dara)
            let receiver = try TestWorkspace(cloning: dara, seed: 3)
            // In batches of one, the annotation is carried before the removal and changed after it.
            _ = try dara.store.annotate(statement, span: .quote("article", occurrence: nil), edit: AnnotationEdit(), now: dara.tick())
            _ = try dara.store.edit(annotation.id, AnnotationEdit(status: .verified), now: dara.tick())
            _ = try dara.store.remove(sophea.store.device, now: dara.tick())
            _ = try dara.store.edit(annotation.id, AnnotationEdit(addedTags: ["kept"]), now: dara.tick())
            _ = try sophea.store.edit(annotation.id, AnnotationEdit(note: "late", addedTags: ["late"]), now: sophea.tick())
            let late = try sophea.store.annotate(statement, span: .quote("Kem Sokha", occurrence: 1), edit: AnnotationEdit(note: "late"), now: sophea.tick())
            try sophea.send(to: receiver, inBatchesOf: size)
            #expect(try receiver.store.annotation(annotation.id).note == "late")

            try sophea.send(to: dara)
            #expect(try dara.send(to: receiver, inBatchesOf: size).received == 4)
            let all = AnnotationFilter(includeDeleted: true)
            #expect(try receiver.store.annotations(all) == dara.store.annotations(all), "batches of \(size)")
            #expect(try receiver.store.annotation(annotation.id).note == "one")
            #expect(try receiver.store.annotation(annotation.id).tags == ["kept"])
            #expect(try !receiver.store.annotations(all).map(\.id).contains(late.id))
            #expect(try receiver.store.search("late").isEmpty)
            #expect(try receiver.store.deriveStale().derived == 0)
        }
    }

    @Test("a pull's later batch derives in full an annotation another process edited since the last batch")
    func deferredPullAfterAnotherWriter() throws {
        let (dara, sophea, statement) = try pair()
        let annotation = try dara.store.annotate(statement, span: .quote("treason", occurrence: nil), edit: AnnotationEdit(note: "one"), now: dara.tick())
        try dara.send(to: sophea)
        // The pull's first batch is derived at once: it gets a change of its own.
        _ = try dara.store.annotate(statement, span: .quote("Kem Sokha", occurrence: 1), edit: AnnotationEdit(), now: dara.tick())
        _ = try dara.store.edit(annotation.id, AnnotationEdit(note: "two"), now: dara.tick())
        _ = try dara.store.edit(annotation.id, AnnotationEdit(note: "three"), now: dara.tick())
        let changes = try dara.batch(missingFrom: sophea.store.heads()).changes
        #expect(changes.count == 3)

        _ = try sophea.store.apply(ChangeBatch(changes: [changes[0]], texts: []), now: sophea.tick())
        _ = try sophea.store.apply(ChangeBatch(changes: [changes[1]], texts: []), now: sophea.tick(), deferringDerivation: true)
        // Another process edits the annotation on top of "two", which it derives on opening.
        let other = try Store.open(WorkspaceFolder(root: sophea.root))
        #expect(try other.annotation(annotation.id).note == "two")
        _ = try other.edit(annotation.id, AnnotationEdit(note: "local"), now: sophea.tick())
        _ = try sophea.store.apply(ChangeBatch(changes: [changes[2]], texts: []), now: sophea.tick(), deferringDerivation: true)
        #expect(try sophea.store.deriveStale().conflictsCreated == 1)

        let state = try sophea.store.annotation(annotation.id)
        #expect(state.conflicts.map(\.field) == ["note"], "\"three\" and \"local\" both follow \"two\"")
        try sophea.send(to: dara)
        #expect(try dara.store.annotation(annotation.id) == state)
    }

    @Test("a write after deferred batches derives them first, and builds on the changes they brought")
    func writeAfterDeferredBatches() throws {
        let (dara, sophea, statement) = try pair()
        let annotation = try dara.store.annotate(statement, span: .quote("treason", occurrence: nil), edit: AnnotationEdit(note: "one"), now: dara.tick())
        try dara.send(to: sophea)
        _ = try dara.store.edit(annotation.id, AnnotationEdit(note: "two"), now: dara.tick())
        _ = try sophea.store.apply(try dara.batch(missingFrom: sophea.store.heads()), now: sophea.tick(), deferringDerivation: true)

        let edited = try sophea.store.edit(annotation.id, AnnotationEdit(note: "three"), now: sophea.tick())
        #expect(edited.note == "three")
        #expect(edited.conflicts.isEmpty, "the edit follows \"two\", not \"one\"")
        try sophea.send(to: dara)
        #expect(try dara.store.annotation(annotation.id) == edited)
    }

    @Test("applying changes already held is a no-op")
    func idempotent() throws {
        let (a, b, statement) = try pair()
        _ = try a.store.annotate(statement, span: .positions(start: 0, end: 2), edit: AnnotationEdit(), now: a.tick())
        let batch = try a.batch(missingFrom: Heads())
        let first = try b.store.apply(batch, now: b.tick())
        #expect(first.received == 1)
        let again = try b.store.apply(batch, now: b.tick())
        #expect(again.received == 0)
        #expect(again.alreadyHeld == batch.changes.count)
        #expect(try b.store.heads() == a.store.heads())
    }

    @Test("a batch editing many annotations, two of them also edited here, leaves what full derivation from the log gives")
    func batchOverManyAnnotations() throws {
        let (a, b, statement) = try pair()
        let annotations = try (0..<5).map { index in
            try a.store.annotate(statement, span: .positions(start: index * 3, end: index * 3 + 2),
                                 edit: AnnotationEdit(note: "first\(index)"), now: a.tick()).id
        }
        try a.send(to: b)
        for (index, annotation) in annotations.enumerated() {
            _ = try a.store.edit(annotation, AnnotationEdit(note: "second\(index)", addedTags: ["x"]), now: a.tick())
            _ = try a.store.edit(annotation, AnnotationEdit(removedTags: ["x"], status: .checked), now: a.tick())
        }
        _ = try b.store.edit(annotations[1], AnnotationEdit(note: "mine"), now: b.tick())
        _ = try b.store.edit(annotations[3], AnnotationEdit(addedTags: ["y"], status: .disputed), now: b.tick())

        let report = try a.send(to: b)
        #expect(report.received == 10)
        #expect(report.conflictsCreated == 2)
        let state = try b.store.annotations(AnnotationFilter(includeDeleted: true))
        #expect(state.filter(\.isConflicted).map(\.id) == [annotations[1], annotations[3]])
        #expect(try b.deferredClone(batchSize: 1).store.annotations(AnnotationFilter(includeDeleted: true)) == state)
        #expect(try b.store.search("second2").map(\.entity) == [annotations[2]])
        #expect(try b.store.search("first2").isEmpty)
        #expect(try b.store.search("y").map(\.entity) == [annotations[3]])
        try b.send(to: a)
        #expect(try a.store.annotations(AnnotationFilter(includeDeleted: true)) == state)
    }

    /// Applies `batch` to `replica` and expects a refusal that names `reason`
    /// and leaves the store as it was.
    func expectRefused(_ batch: ChangeBatch, by replica: TestWorkspace, reason: String) throws {
        let heads = try replica.store.heads()
        let annotations = try replica.store.annotations(AnnotationFilter(includeDeleted: true))
        do {
            _ = try replica.store.apply(batch, now: replica.tick())
            Issue.record("expected a refusal: \(reason)")
        } catch let StoreError.refused(_, found) {
            #expect(found == reason)
        }
        #expect(try replica.store.heads() == heads)
        #expect(try replica.store.annotations(AnnotationFilter(includeDeleted: true)) == annotations)
    }

    /// Changes signed by `key` that `source` would accept next.
    func forge(_ source: TestWorkspace, key: DeviceKey, entity: EntityID, parents: [ChangeID], seqOffset: Int = 1,
               operations: [ChangeOperation], workspace: WorkspaceID? = nil) throws -> SignedChange {
        let head = try source.store.heads()[key.id]
        return SignedChange(signing: Change(
            workspace: workspace ?? source.store.workspace, author: key.id, seq: (head?.seq ?? 0) + seqOffset, previous: head?.id,
            publicKey: head == nil ? Array(key.publicKey.rawRepresentation) : nil,
            clock: HLCTimestamp(milliseconds: source.tick(), counter: 0), kind: .annotation, entity: entity,
            parents: parents, operations: operations), with: key)
    }

    @Test("a batch whose last change has a forged signature is refused whole")
    func forgedSignature() throws {
        let (a, b, statement) = try pair()
        let good = try a.store.annotate(statement, span: .positions(start: 0, end: 2), edit: AnnotationEdit(), now: a.tick())
        var batch = try a.batch(missingFrom: b.store.heads())
        let last = batch.changes.removeLast()
        batch.changes.append(try SignedChange(bytes: last.bytes, signature: Array(repeating: 7, count: 64)))
        try expectRefused(batch, by: b, reason: "its signature does not verify against its author's key")
        #expect(throws: StoreError.notFound(kind: .annotation, prefix: good.id.rawValue)) { try b.store.annotation(good.id) }
    }

    @Test("a change altered in the middle of a run breaks the chain even though the last signature is good")
    func alteredMiddle() throws {
        let (a, b, statement) = try pair()
        let annotation = try a.store.annotate(statement, span: .positions(start: 0, end: 2), edit: AnnotationEdit(), now: a.tick())
        _ = try a.store.edit(annotation.id, AnnotationEdit(note: "one"), now: a.tick())
        _ = try a.store.edit(annotation.id, AnnotationEdit(note: "two"), now: a.tick())
        var batch = try a.batch(missingFrom: b.store.heads())
        let middle = batch.changes[1]
        let altered = Array(String(decoding: middle.bytes, as: UTF8.self).replacingOccurrences(of: "\"one\"", with: "\"ONE\"").utf8)
        batch.changes[1] = try SignedChange(bytes: altered, signature: middle.signature)
        try expectRefused(batch, by: b, reason: "its prev does not match its author's change seq \(batch.changes[1].change.seq)")
    }

    @Test("two changes with one seq and different bytes are a fork: the second is refused, the first kept")
    func fork() throws {
        let (a, b, statement) = try pair()
        let key = try DeviceKey(seed: [UInt8](repeating: 2, count: 32))
        let original = try b.store.annotate(statement, span: .positions(start: 0, end: 2), edit: AnnotationEdit(note: "first"), now: b.tick())
        try b.send(to: a)
        let head = try a.store.heads()[key.id]!
        let twin = try forge(a, key: key, entity: original.id, parents: [], seqOffset: 0,
                             operations: [.set(field: "note", value: .string("second"))])
        #expect(twin.change.seq == head.seq)
        try expectRefused(ChangeBatch(changes: [twin]), by: a,
                          reason: "its author already wrote a different change with seq \(head.seq): a fork; the first is kept")
        #expect(try a.store.annotation(original.id).note == "first")
    }

    @Test("changes of a device no member admitted are refused")
    func nonMember() throws {
        let (a, _, statement) = try pair()
        let stranger = try DeviceKey(seed: [UInt8](repeating: 9, count: 32))
        let change = try forge(a, key: stranger, entity: statement, parents: try a.store.log(LogFilter(entity: statement)).map(\.id),
                               operations: [.addTag("hijacked")])
        try expectRefused(ChangeBatch(changes: [change]), by: a, reason: "its author \(stranger.id.short) is not a member of the workspace")
    }

    @Test("a change of another workspace, a gap in a chain, or a missing parent or text is refused")
    func otherRefusals() throws {
        let (a, b, statement) = try pair()
        let key = try DeviceKey(seed: [UInt8](repeating: 2, count: 32))
        let parents = try a.store.log(LogFilter(entity: statement)).map(\.id)
        let other = WorkspaceID(rawValue: "zzzzzzzzzzzzzzzzzzzzzzzzzz")!
        try expectRefused(ChangeBatch(changes: [try forge(a, key: key, entity: statement, parents: parents,
                                                          operations: [.addTag("x")], workspace: other)]),
                          by: a, reason: "it belongs to workspace \(other), not \(a.store.workspace)")
        let gap = try forge(a, key: key, entity: statement, parents: parents, seqOffset: 2, operations: [.addTag("x")])
        try expectRefused(ChangeBatch(changes: [gap]), by: a,
                          reason: "expected its author's seq \(gap.change.seq - 1) next, found seq \(gap.change.seq): changes are missing")
        let orphan = ChangeID(hashing: Array("nothing".utf8))
        try expectRefused(ChangeBatch(changes: [try forge(a, key: key, entity: statement, parents: [orphan], operations: [.addTag("x")])]),
                          by: a, reason: "its parent \(orphan.hex.prefix(12)) is not held")
        let newStatement = try b.store.addStatement(utf8: Array("A new release.".utf8), metadata: StatementMetadata(), now: b.tick())
        var batch = try b.batch(missingFrom: a.store.heads())
        batch.texts = []
        try expectRefused(batch, by: a, reason: "the text of revision \(newStatement.revision.hex.prefix(12)) it names is neither held nor sent")
    }

    @Test("a clock reading more than a day ahead is accepted and reported as skew")
    func clockSkew() throws {
        let (a, b, statement) = try pair()
        let future = b.tick() + 3 * HybridClock.defaultMaximumDrift
        _ = try b.store.annotate(statement, span: .positions(start: 0, end: 2), edit: AnnotationEdit(), now: future)
        let report = try b.send(to: a)
        #expect(report.received == 1)
        #expect(report.clockSkew > 2 * HybridClock.defaultMaximumDrift)
        let local = try a.store.annotate(statement, span: .positions(start: 2, end: 4), edit: AnnotationEdit(), now: a.tick())
        #expect(local.created.milliseconds < future, "the local clock did not follow the far-future reading")
    }

    @Test("concurrent edits meet as a conflict on both replicas, in either order, and a resolution clears it")
    func conflictBothWays() throws {
        let (a, b, statement) = try pair()
        let annotation = try a.store.annotate(statement, span: .positions(start: 0, end: 2), edit: AnnotationEdit(), now: a.tick())
        try a.send(to: b)
        _ = try a.store.edit(annotation.id, AnnotationEdit(status: .checked), now: a.tick())
        _ = try b.store.edit(annotation.id, AnnotationEdit(status: .disputed), now: b.tick())
        let toA = try b.send(to: a)
        let toB = try a.send(to: b)
        #expect(toA.conflictsCreated == 1)
        #expect(toB.conflictsCreated == 1)
        let onA = try a.store.annotation(annotation.id)
        #expect(onA == (try b.store.annotation(annotation.id)))
        #expect(onA.conflicts.map(\.field) == ["status"])
        #expect(onA.conflicts[0].values.count == 2)
        #expect(onA.conflicts[0].values[0].value == .string(onA.status.rawValue))
        _ = try a.store.edit(annotation.id, AnnotationEdit(status: .verified), now: a.tick())
        #expect(try a.send(to: b).conflictsResolved == 1)
        #expect(try b.store.annotation(annotation.id).conflicts == [])
    }
}
