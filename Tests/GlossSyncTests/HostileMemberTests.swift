import Foundation
import GlossCore
import GlossMerge
import GlossStore
@testable import GlossSync
import Testing

/// A member's device can sign anything. Its changes, made from real ones
/// with random entities, kinds, parents, clocks, fields and values, and
/// statements with odd texts (empty, decomposed, holding U+0000), sent
/// alone or in runs, must be refused whole or applied so that the log still
/// verifies, an audit of it checks, every read a teammate makes works, and
/// another replica syncs to the same state.
@Suite("Sync: a hostile member's changes")
struct HostileMemberTests {
    /// A change like `template`, with one to four random alterations.
    static func alter(_ template: Change, entities: [EntityID], changes: [SignedChange], devices: [DeviceID], now: Int,
                      _ random: inout SeededGenerator) -> Change {
        var change = template
        change.clock = HLCTimestamp(milliseconds: now, counter: 0)
        let strings = ["", "x", String(repeating: "y", count: 300), "\u{1B}[31m", "\u{0}", "e\u{301}", "article 443", "open", "checked",
                       "commenting", "tagging", "𝕏", "a b"]
        func value() -> CanonicalJSON {
            switch Int.random(in: 0..<6, using: &random) {
            case 0: .string(strings.randomElement(using: &random)!)
            case 1: .integer([0, -1, 1, 106, 9_007_199_254_740_991].randomElement(using: &random)!)
            case 2: [.array([]), .object([])].randomElement(using: &random)!
            case 3:
                // A real value of some field, set on another.
                changes.flatMap(\.change.operations).compactMap { if case .set(_, let value) = $0 { value } else { nil } }
                    .randomElement(using: &random) ?? .string("")
            case 4:
                .object([CanonicalJSON.Member("end", .integer(Int.random(in: -2...200, using: &random))),
                         CanonicalJSON.Member("exact", .string(strings.randomElement(using: &random)!)),
                         CanonicalJSON.Member("prefix", .string("")),
                         CanonicalJSON.Member("revision", .string(String(repeating: "0", count: 64))),
                         CanonicalJSON.Member("start", .integer(Int.random(in: -2...200, using: &random))),
                         CanonicalJSON.Member("statement", .string(entities.randomElement(using: &random)!.rawValue)),
                         CanonicalJSON.Member("suffix", .string(""))])
            default: .string(String(repeating: "f", count: 64))
            }
        }
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            switch Int.random(in: 0..<9, using: &random) {
            case 0: change.entity = entities.randomElement(using: &random)!
            case 1: change.entity = EntityID(rawValue: WorkspaceID.random(using: &random).rawValue)!
            case 2: change.kind = [.annotation, .statement, .workspace].randomElement(using: &random)!
            case 3: change.parents = []
            case 4: change.parents = [changes.randomElement(using: &random)!.id]
            case 5: if !change.operations.isEmpty { change.operations.remove(at: Int.random(in: 0..<change.operations.count, using: &random)) }
            case 6:
                let fields = ["note", "status", "motivation", "target", "anchor", "revision", "title", "source", "published", "name", "x"]
                change.operations.append(.set(field: fields.randomElement(using: &random)!, value: value()))
            case 7:
                let operations: [ChangeOperation] = [
                    .addTag(strings.randomElement(using: &random)!), .removeTag("t1"), .delete, .restore,
                    .admit(devices.randomElement(using: &random)!, name: strings.randomElement(using: &random)!),
                    // Dara's changes up to her last stay valid, her admission of the hostile device among them.
                    .revoke(devices[0], lastSeq: changes.filter { $0.change.author == devices[0] }.count + Int.random(in: 0...2, using: &random)),
                ]
                change.operations.append(operations.randomElement(using: &random)!)
            default:
                // Behind the author's last reading (refused), or ahead of the receiver's (kept, with a skew reported).
                change.clock = HLCTimestamp(milliseconds: [0, now - 10_000, now + 600_000].randomElement(using: &random)!,
                                            counter: Int.random(in: 0...3, using: &random))
            }
        }
        change.parents = Array(Set(change.parents)).sorted()
        return change
    }

    @Test("a member's altered changes are refused whole or applied soundly: the log verifies, its audit checks, every read works, and a peer syncs to the same state",
          arguments: [5, 14, 55, 100] as [UInt64])
    func alteredChanges(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let (dara, sophea, annotation) = try Replica.twoApart(edits: 4)
        _ = try dara.store.setDeleted(annotation, true, now: dara.tick())
        var conversation = Conversation()
        #expect(try conversation.run(client: SyncSession(role: .client(.sync), store: sophea.store, now: { sophea.tick() }),
                                     server: SyncSession(role: .server, store: dara.store, now: { dara.tick() })) == nil)
        var changes: [SignedChange] = []
        try dara.store.changes(missingFrom: Heads()) { changes += $0 }
        let entities = Array(Set(changes.map(\.change.entity))).sorted()

        var applied = 0
        for _ in 0..<400 {
            // Most rounds send one change; one in four a run of two to four, which is refused or kept whole.
            let size = Int.random(in: 0..<4, using: &random) == 0 ? Int.random(in: 2...4, using: &random) : 1
            var head = try #require(try sophea.store.heads()[sophea.key.id])
            var batch = ChangeBatch(changes: [])
            for _ in 0..<size {
                var change = Self.alter(changes.randomElement(using: &random)!.change, entities: entities, changes: changes,
                                        devices: [dara.key.id, sophea.key.id], now: sophea.tick(), &random)
                (change.author, change.seq, change.previous, change.publicKey) = (sophea.key.id, head.seq + 1, head.id, nil)
                if Bool.random(using: &random), let last = try sophea.store.log(LogFilter(entity: change.entity, limit: 1)).first {
                    change.parents = [last.id]
                }
                if Int.random(in: 0..<3, using: &random) == 0 {
                    let text = ["", " ", "e\u{301}", "Kem Sokha was released.", String(repeating: "ក្រ ", count: 50), "\r\n", Replica.text,
                                "a\u{0}b", "\u{FEFF}x", "𝕏 \u{200D}"].randomElement(using: &random)!
                    if !batch.texts.contains(text) { batch.texts.append(text) }
                    change.kind = .statement
                    change.operations.removeAll { if case .set("revision", _) = $0 { true } else { false } }
                    change.operations.append(.set(field: "revision", value: .string(RevisionHash(text: text).hex)))
                }
                let signed = SignedChange(signing: change, with: sophea.key)
                batch.changes.append(signed)
                head = Head(seq: change.seq, id: signed.id)
            }
            let before = try sophea.store.changeCount()
            // (A `catch StoreError.refused` clause crashes Swift 6.3.1 on a typed-throws call.)
            let refusal: StoreError?
            do {
                _ = try sophea.store.apply(batch, now: sophea.tick())
                refusal = nil
            } catch {
                refusal = error
            }
            if let refusal {
                guard case .refused = refusal else { throw refusal }
                #expect(try sophea.store.changeCount() == before, "a refused batch leaves the log as it was")
                continue
            }
            #expect(try sophea.store.changeCount() == before + size, "a batch is kept whole")
            applied += 1
            // Checked every few batches: each check reads the whole log.
            guard applied % 20 == 0 else { continue }
            let label = batch.changes.map { String(decoding: $0.bytes, as: UTF8.self) }.joined(separator: "\n")
            #expect(try sophea.store.verify().isEmpty, "\(label)")
            let audit = AuditFile.check(try sophea.store.auditExport(now: sophea.tick()))
            try #require(audit.isSound, "\(audit.problems) by the batch \(label) or one of the 19 before it")
        }
        #expect(try sophea.store.verify().isEmpty)
        #expect(AuditFile.check(try sophea.store.auditExport(now: sophea.tick())).isSound)
        #expect(applied > 10, "enough altered batches pass the checks to reach the merge: \(applied)")
        try Self.readEverything(sophea.store, now: sophea.tick())

        conversation = Conversation()
        #expect(try conversation.run(client: SyncSession(role: .client(.sync), store: dara.store, now: { dara.tick() }),
                                     server: SyncSession(role: .server, store: sophea.store, now: { sophea.tick() })) == nil)
        let all = AnnotationFilter(includeDeleted: true)
        #expect(try dara.store.annotations(all) == sophea.store.annotations(all))
        #expect(try dara.store.statements() == sophea.store.statements())
        #expect(try dara.store.heads() == sophea.store.heads())
    }

    /// Every read a teammate makes (`gloss show`, `history`, `blame`, `log`,
    /// `search`, `conflicts`, the exports) works on what was kept.
    static func readEverything(_ store: Store, now: Int) throws {
        let all = AnnotationFilter(includeDeleted: true)
        for annotation in try store.annotations(all) {
            _ = try store.annotation(annotation.id)
            #expect(try !store.history(of: annotation.id).isEmpty)
            _ = try store.annotation(annotation.id, asOf: .time(now))
        }
        _ = try store.annotations(asOf: now, includeDeleted: true)
        for statement in try store.statements() {
            _ = try store.blame(statement.id)
            _ = try store.revisions(of: statement.id)
            _ = try store.webAnnotations(statement: statement.id)
        }
        _ = try store.webAnnotations()
        _ = try store.conflictedEntities()
        _ = try store.search("article")
        _ = try store.members()
        _ = try store.removedDevices()
        _ = try store.workspaceName()
        #expect(try store.log().count == store.changeCount())
    }
}
