import Foundation
import GRDB
import GlossCore
import GlossMerge
import GlossStore
import GlossSync
import Testing

@Suite("Sync session, in memory")
struct SessionTests {
    func session(_ replica: Replica, _ role: SyncSession.Role, limits: SyncLimits = SyncLimits()) -> SyncSession {
        SyncSession(role: role, store: replica.store, limits: limits, now: { replica.tick() })
    }

    @Test("a sync with nothing new sends no change and ends with equal digests")
    func noop() throws {
        let dara = try Replica()
        let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
        let client = session(sophea, .client(.sync)), server = session(dara, .server)
        var conversation = Conversation()
        let failure = try conversation.run(client: client, server: server)
        #expect(failure == nil, "\(conversation.transcript.joined(separator: "\n"))")
        #expect(client.isFinished && server.isFinished)
        #expect(client.report.sent == 0 && client.report.received == 0)
        #expect(client.report.digestsMatch == true)
        #expect(!conversation.transcript.contains { $0.contains("change ") })
    }

    @Test("both ways: each side receives what it lacks, in one session")
    func bothWays() throws {
        let dara = try Replica()
        let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
        let annotation = try dara.annotateSeed()
        let client = session(sophea, .client(.sync)), server = session(dara, .server)
        var conversation = Conversation()
        #expect(try conversation.run(client: client, server: server) == nil)
        _ = try sophea.store.edit(annotation, AnnotationEdit(status: .checked), now: sophea.tick())
        let second = Conversation()
        var again = second
        let client2 = session(sophea, .client(.sync)), server2 = session(dara, .server)
        #expect(try again.run(client: client2, server: server2) == nil)
        #expect(client2.report.sent == 1)
        #expect(server2.report.received == 1)
        #expect(client2.report.digestsMatch == true)
        #expect(try dara.store.annotation(annotation) == sophea.store.annotation(annotation))
        #expect(try dara.store.annotation(annotation).status == .checked)
    }

    @Test("pull-only and push-only move changes one way")
    func oneWay() throws {
        let dara = try Replica()
        let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
        try dara.annotateSeed()
        let statement = try sophea.store.addStatement(utf8: Array("Another release.".utf8), metadata: StatementMetadata(), now: sophea.tick())
        var conversation = Conversation()
        let pull = session(sophea, .client(.pull))
        #expect(try conversation.run(client: pull, server: session(dara, .server)) == nil)
        #expect(pull.report.received == 2 && pull.report.sent == 0)
        #expect(throws: StoreError.self) { try dara.store.statement(statement.id) }
        let push = session(sophea, .client(.push))
        #expect(try conversation.run(client: push, server: session(dara, .server)) == nil)
        #expect(push.report.sent == 1 && push.report.received == 0)
        #expect(try dara.store.statement(statement.id).id == statement.id)
    }

    @Test("many changes flow in bounded batches, each acknowledged")
    func batches() throws {
        let dara = try Replica()
        let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
        let annotation = try dara.annotateSeed()
        for index in 0..<25 { _ = try dara.store.edit(annotation, AnnotationEdit(note: "note \(index)"), now: dara.tick()) }
        var limits = SyncLimits()
        limits.maximumBatchChanges = 10
        var conversation = Conversation()
        let client = session(sophea, .client(.sync), limits: limits)
        #expect(try conversation.run(client: client, server: session(dara, .server, limits: limits)) == nil)
        #expect(conversation.transcript.filter { $0.hasPrefix("S: batch ") }.count == 3)
        #expect(conversation.transcript.filter { $0.hasPrefix("C: ack ") } == ["C: ack 10", "C: ack 20", "C: ack 27"])
        #expect(try sophea.store.annotation(annotation).note == "note 24")
    }

    /// Dara annotates a statement eight times and Sophea syncs it all,
    /// with batches of at most three changes.
    func eightAnnotationsInBatchesOfThree() throws -> (dara: Replica, sophea: Replica, annotations: [EntityID], limits: SyncLimits) {
        let dara = try Replica()
        let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
        let statement = try dara.store.addStatement(utf8: Array(Replica.text.utf8), metadata: StatementMetadata(), now: dara.tick()).id
        let annotations = try (0..<8).map { index in
            try dara.store.annotate(statement, span: .positions(start: index * 5, end: index * 5 + 3), edit: AnnotationEdit(note: "first"),
                                    now: dara.tick()).id
        }
        var limits = SyncLimits()
        limits.maximumBatchChanges = 3
        var conversation = Conversation()
        #expect(try conversation.run(client: session(sophea, .client(.sync), limits: limits), server: session(dara, .server, limits: limits)) == nil)
        return (dara, sophea, annotations, limits)
    }

    @Test("a pull of several batches derives what it received before it pushes, and reports the conflicts it made")
    func pullDerivedBeforePush() throws {
        let (dara, sophea, annotations, limits) = try eightAnnotationsInBatchesOfThree()
        var conversation = Conversation()
        for annotation in annotations {
            _ = try dara.store.edit(annotation, AnnotationEdit(status: .checked), now: dara.tick())
            _ = try sophea.store.edit(annotation, AnnotationEdit(status: .disputed), now: sophea.tick())
        }
        let client = session(sophea, .client(.sync), limits: limits), server = session(dara, .server, limits: limits)
        #expect(try conversation.run(client: client, server: server) == nil)
        #expect(client.report.received == 8 && client.report.sent == 8)
        #expect(client.report.conflictsCreated == 8)
        #expect(server.report.conflictsCreated == 8)
        #expect(client.report.digestsMatch == true)
        let all = AnnotationFilter(includeDeleted: true)
        #expect(try sophea.store.annotations(all) == dara.store.annotations(all))
        #expect(try sophea.store.annotations(all).filter(\.isConflicted).count == 8)
        #expect(try sophea.store.deriveStale().derived == 0, "nothing is left stale")
    }

    @Test("a pull whose derivation fails after its batches committed says so, keeps what it acknowledged, and derives it when called again or on the next open")
    func derivationFailsAfterCommit() throws {
        let (dara, sophea, annotations, limits) = try eightAnnotationsInBatchesOfThree()
        var conversation = Conversation()
        for annotation in annotations { _ = try dara.store.edit(annotation, AnnotationEdit(status: .checked), now: dara.tick()) }
        // The first batch's edits update their rows; the later batches leave
        // theirs to be written whole at the end, where a full disk refuses them.
        try sophea.store.dbWriter.write { db in
            try db.execute(sql: "CREATE TRIGGER full_disk BEFORE INSERT ON annotation BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
        }
        conversation = Conversation()
        let failure = try conversation.run(client: session(sophea, .client(.pull), limits: limits), server: session(dara, .server, limits: limits))
        #expect(failure?.code == SyncError.storage)
        #expect(failure?.reason.hasPrefix("could not derive the changes received: ") == true, "\(String(describing: failure))")
        #expect(conversation.transcript.last { $0.hasPrefix("C: ack ") } == "C: ack 8")
        #expect(try sophea.store.changeCount() == dara.store.changeCount(), "every acknowledged batch is kept")

        let all = AnnotationFilter(includeDeleted: true)
        #expect(throws: StoreError.self) { try sophea.store.deriveStale() }
        #expect(try sophea.store.annotations(all).filter { $0.status == .checked }.count < annotations.count, "a failed derivation writes nothing")
        #expect(sophea.store.hasDeferredDerivation, "what the batches carried is kept for the next try, which the next write makes")

        try sophea.store.dbWriter.write { try $0.execute(sql: "DROP TRIGGER full_disk") }
        let derived = try sophea.store.deriveStale()
        #expect(derived.derived == annotations.count - 3, "the annotations the two deferred batches carried")
        #expect(try sophea.store.annotations(all) == dara.store.annotations(all), "the same store derives what it carried, once it can")
        let reopened = try Store.open(sophea.store.folder)
        #expect(try reopened.annotations(all) == dara.store.annotations(all))
        #expect(try reopened.annotations(all).allSatisfy { $0.status == .checked })
    }

    @Test("a sender keeps two batches unacknowledged, never more, and refuses an ack for more than the oldest")
    func window() throws {
        let dara = try Replica()
        let annotation = try dara.annotateSeed()
        for index in 0..<25 { _ = try dara.store.edit(annotation, AnnotationEdit(note: "note \(index)"), now: dara.tick()) }
        let total = try dara.store.changeCount()
        var limits = SyncLimits()
        limits.maximumBatchChanges = 10
        let server = session(dara, .server, limits: limits)
        func batches(_ messages: [Message]) -> [Int] {
            messages.compactMap { if case .batch(let count) = $0 { count } else { nil } }
        }
        for message in [Message.hello(version: 1, workspace: Replica.workspace, mode: .pull), .heads(count: 0), .want(dara.store.device, after: 0)] {
            _ = try server.received(message)
        }
        #expect(batches(try server.received(.wantsEnd)) == [10, 10])
        #expect(throws: SyncError(409, "expected ack 10, found ack 20")) {
            try session(dara, .server, limits: limits).refusingLateAck(wanting: dara.store.device)
        }
        #expect(batches(try server.received(.ack(count: 10))) == [total - 20])
        #expect(try server.received(.ack(count: 20)) == [])
        #expect(try server.received(.ack(count: total)) == [.sent(count: total), .wantsEnd])
    }

    @Test("two statements added from the same text on two laptops reach a third in one batch, which carries the text once")
    func sameTextTwice() throws {
        let dara = try Replica()
        let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
        let vuthy = try Replica(cloning: dara, seed: 3, name: "Vuthy")
        _ = try dara.store.addStatement(utf8: Array(Replica.text.utf8), metadata: StatementMetadata(), now: dara.tick())
        _ = try sophea.store.addStatement(utf8: Array(Replica.text.utf8), metadata: StatementMetadata(), now: sophea.tick())
        var conversation = Conversation()
        #expect(try conversation.run(client: session(sophea, .client(.sync)), server: session(dara, .server)) == nil)

        conversation = Conversation()
        #expect(try conversation.run(client: session(vuthy, .client(.pull)), server: session(dara, .server)) == nil)
        #expect(conversation.transcript.filter { $0.hasPrefix("S: text ") }.count == 1)
        #expect(try vuthy.store.statements() == dara.store.statements())
        #expect(try vuthy.store.statements().count == 2)
    }

    @Test("a text sent twice in one batch is refused with 400")
    func textTwiceRefused() throws {
        let dara = try Replica()
        let revision = RevisionHash(text: "short")
        let server = session(dara, .server)
        for message in [Message.hello(version: 1, workspace: Replica.workspace, mode: .push), .heads(count: 0), .wantsEnd, .batch(count: 1),
                        .text(revision: revision, index: 0, total: 1, chunk: "short")] {
            _ = try server.received(message)
        }
        #expect(throws: SyncError(SyncError.malformed, "expected each text once in a batch, found text \(revision.hex.prefix(12)) again")) {
            try server.received(.text(revision: revision, index: 0, total: 1, chunk: "short"))
        }
    }

    @Test("a large statement text travels in chunks and is checked against its hash")
    func largeText() throws {
        let dara = try Replica()
        let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
        let text = String(repeating: "Kem Sokha — ខ្មែរ — «trahison». ", count: 20_000)
        let statement = try dara.store.addStatement(utf8: Array(text.utf8), metadata: StatementMetadata(), now: dara.tick())
        var conversation = Conversation()
        #expect(try conversation.run(client: session(sophea, .client(.sync)), server: session(dara, .server)) == nil)
        #expect(conversation.transcript.filter { $0.hasPrefix("S: text ") }.count > 4)
        #expect(try sophea.store.text(of: statement.revision) == text.nfc)
    }

    @Test("a server refuses another workspace and another version")
    func greetingRefusals() throws {
        let dara = try Replica()
        let server = session(dara, .server)
        #expect(throws: SyncError(404, "expected workspace \(Replica.workspace), found zzzzzzzzzzzzzzzzzzzzzzzzzz")) {
            try server.received(.hello(version: 1, workspace: WorkspaceID(rawValue: "zzzzzzzzzzzzzzzzzzzzzzzzzz")!, mode: .sync))
        }
        #expect(throws: SyncError(426, "expected protocol version 1, found 2")) {
            try session(dara, .server).received(.hello(version: 2, workspace: Replica.workspace, mode: .sync))
        }
    }

    @Test("a message out of order is refused with 409")
    func outOfOrder() throws {
        let dara = try Replica()
        #expect(throws: SyncError(409, "expected hello, found ack")) { try session(dara, .server).received(.ack(count: 1)) }
        let server = session(dara, .server)
        _ = try server.received(.hello(version: 1, workspace: Replica.workspace, mode: .sync))
        _ = try server.received(.heads(count: 0))
        #expect(throws: SyncError(409, "expected want or wants-end, found batch")) { try server.received(.batch(count: 1)) }
    }

    @Test("a batch larger than the limits is refused with 413 and nothing of it applied")
    func oversizedBatch() throws {
        let dara = try Replica()
        let server = session(dara, .server)
        for message in [Message.hello(version: 1, workspace: Replica.workspace, mode: .sync), .heads(count: 0), .wantsEnd] {
            _ = try server.received(message)
        }
        #expect(throws: SyncError(413, "expected a batch of 1 to 1000 changes, found 1001")) { try server.received(.batch(count: 1001)) }
    }

    @Test("a forged change in a pushed batch is refused with 422 and the server's store is unchanged")
    func forgedChange() throws {
        let dara = try Replica()
        let sophea = try Replica(cloning: dara, seed: 2, name: "Sophea")
        let annotation = try sophea.store.annotate(try dara.store.statements().first?.id ?? sophea.store.addStatement(
            utf8: Array("A release.".utf8), metadata: StatementMetadata(), now: sophea.tick()).id,
            span: .positions(start: 0, end: 1), edit: AnnotationEdit(), now: sophea.tick())
        var changes: [SignedChange] = []
        try sophea.store.changes(missingFrom: try dara.store.heads()) { changes += $0 }
        let last = changes.removeLast()
        changes.append(try SignedChange(bytes: last.bytes, signature: [UInt8](repeating: 1, count: 64)))
        let heads = try dara.store.heads()
        let server = session(dara, .server)
        var messages: [Message] = [.hello(version: 1, workspace: Replica.workspace, mode: .sync), .heads(count: 0), .wantsEnd]
        messages += [.want(sophea.key.id, after: 0), .wantsEnd]
        _ = try server.received(messages[0]); _ = try server.received(messages[1]); _ = try server.received(messages[2])
        let texts = try sophea.store.texts(for: changes)
        var batch: [Message] = [.batch(count: changes.count)]
        batch += texts.map { .text(revision: RevisionHash(text: $0), index: 0, total: 1, chunk: $0) }
        batch += changes.map { .change($0) } + [.batchEnd]
        #expect(throws: SyncError.self) {
            for message in batch { _ = try server.received(message) }
        }
        #expect(try dara.store.heads() == heads)
        #expect(throws: StoreError.self) { try dara.store.annotation(annotation.id) }
    }

    @Test("a clone session makes the store from the first batch")
    func cloneSession() throws {
        let dara = try Replica()
        try dara.annotateSeed()
        let empty = try Replica(emptyWithSeed: 3)
        let client = SyncSession(cloningWith: { batch in try Store.clone(empty.folder, from: batch, key: empty.key, now: empty.tick()) },
                                 now: { empty.tick() })
        var conversation = Conversation()
        #expect(try conversation.run(client: client, server: session(dara, .server)) == nil)
        let store = try #require(client.store)
        #expect(try store.heads() == dara.store.heads())
        #expect(conversation.transcript.first == "C: hello 1 * pull")
    }
}

private extension SyncSession {
    /// Starts sending to a client that wants everything, then acknowledges
    /// both batches in flight at once.
    func refusingLateAck(wanting author: DeviceID) throws {
        for message in [Message.hello(version: 1, workspace: Replica.workspace, mode: .pull), .heads(count: 0), .want(author, after: 0), .wantsEnd] {
            _ = try received(message)
        }
        _ = try received(.ack(count: 20))
    }
}
