import Crypto
import Foundation
import GRDB
import GlossCore
import GlossMerge

/// Checks a batch of received changes and applies it inside one open
/// transaction (see ``Store/apply(_:now:)``). Any refusal throws, and the
/// caller's transaction rolls back.
struct ChangeApplier {
    let writer: LogWriter
    let workspace: WorkspaceID
    let now: Int

    private var db: Database { writer.db }

    func apply(_ batch: ChangeBatch) throws -> ApplyReport {
        var report = ApplyReport()
        var texts: [String: String] = [:]
        for text in batch.texts { texts[RevisionHash(text: text).hex] = text }
        var heads = try Store.heads(in: db)
        var keys: [DeviceID: Curve25519.Signing.PublicKey] = [:]
        var members = Set(try String.fetchAll(db, sql: "SELECT device FROM member UNION SELECT device FROM removed_device")
            .compactMap(DeviceID.init(rawValue:)))
        var accepted: [SignedChange] = []
        var entityOf: [ChangeID: EntityID] = [:]
        var lastOfAuthor: [DeviceID: SignedChange] = [:]
        var clock = HybridClock(last: try writer.lastClockReading())

        for signed in batch.changes {
            let change = signed.change
            func refuse(_ reason: String) -> StoreError {
                .refused(change: "\(signed.id.hex.prefix(12)) (\(change.author.short) seq \(change.seq))", reason: reason)
            }
            if try entityOf[signed.id] != nil || isHeld(signed.id) {
                report.alreadyHeld += 1
                continue
            }
            do { try change.validate() } catch { throw refuse("\(error)") }
            guard change.workspace == workspace else {
                throw refuse("it belongs to workspace \(change.workspace), not \(workspace)")
            }

            let head = heads[change.author]
            if change.seq <= head?.seq ?? 0 {
                throw refuse("its author already wrote a different change with seq \(change.seq): a fork; the first is kept")
            }
            guard change.seq == (head?.seq ?? 0) + 1 else {
                throw refuse("expected its author's seq \((head?.seq ?? 0) + 1) next, found seq \(change.seq): changes are missing")
            }
            if let head, change.previous != head.id {
                throw refuse("its prev does not match its author's change seq \(head.seq)")
            }

            if let raw = change.publicKey {
                guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw), DeviceID(publicKey: key) == change.author else {
                    throw refuse("its key does not hash to its author's id")
                }
                keys[change.author] = key
            } else if keys[change.author] == nil {
                guard let raw = try Data.fetchOne(db, sql: "SELECT public_key FROM device WHERE id = ?", arguments: [change.author.rawValue]),
                      let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
                    throw refuse("no key is known for its author")
                }
                keys[change.author] = key
            }

            let isGenesis = members.isEmpty && change.kind == .workspace && change.seq == 1
                && change.entity.rawValue == workspace.rawValue
                && change.operations.contains { if case .admit(change.author, _) = $0 { true } else { false } }
            guard members.contains(change.author) || isGenesis else {
                throw refuse("its author \(change.author.short) is not a member of the workspace")
            }

            for parent in change.parents {
                guard let entity = try entityOf[parent] ?? entity(of: parent) else {
                    throw refuse("its parent \(parent.hex.prefix(12)) is not held")
                }
                guard entity == change.entity else {
                    throw refuse("its parent \(parent.hex.prefix(12)) is a change of another entity")
                }
            }
            if let kind = try String.fetchOne(db, sql: "SELECT kind FROM change WHERE entity = ? LIMIT 1", arguments: [change.entity.rawValue]),
               kind != change.kind.rawValue {
                throw refuse("its entity \(change.entity.short) is a \(kind), not a \(change.kind.rawValue)")
            }
            for case .set("revision", .string(let hex)) in change.operations {
                if let text = texts[hex] {
                    try db.execute(sql: "INSERT OR IGNORE INTO text (revision, body) VALUES (?, ?)", arguments: [hex, text])
                } else if try !Bool(exists: "SELECT 1 FROM text WHERE revision = ?", [hex], in: db) {
                    throw refuse("the text of revision \(hex.prefix(12)) it names is neither held nor sent")
                }
            }
            for case .admit(let device, _) in change.operations where change.kind == .workspace { members.insert(device) }

            if case .tooFarAhead(let drift) = clock.observe(change.clock, now: now) {
                report.clockSkew = max(report.clockSkew, drift)
            }
            heads[change.author] = Head(seq: change.seq, id: signed.id)
            entityOf[signed.id] = change.entity
            lastOfAuthor[change.author] = signed
            accepted.append(signed)
        }

        for (author, last) in lastOfAuthor.sorted(by: { $0.key < $1.key }) where !last.isSigned(by: keys[author]!) {
            throw StoreError.refused(change: "\(last.id.hex.prefix(12)) (\(author.short) seq \(last.change.seq))",
                                     reason: "its signature does not verify against its author's key")
        }

        var touched: [EntityID: EntityKind] = [:]
        for signed in accepted {
            try writer.insert(signed)
            touched[signed.change.entity] = signed.change.kind
        }
        // The workspace first: the others' state depends on who is a member.
        for (entity, kind) in touched.sorted(by: { ($0.value == .workspace ? 0 : 1, $0.key) < ($1.value == .workspace ? 0 : 1, $1.key) }) {
            let before = try conflictCount(entity)
            try writer.rederive(kind: kind, entity: entity)
            let after = try conflictCount(entity)
            report.conflictsCreated += max(0, after - before)
            report.conflictsResolved += max(0, before - after)
            if kind != .workspace { report.entitiesChanged += 1 }
        }
        try writer.save(clock)
        report.received = accepted.count
        let limits = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT device, last_seq FROM removed_device").map {
            ($0["device"] as String, $0["last_seq"] as Int)
        })
        report.ignored = accepted.filter { signed in limits[signed.change.author.rawValue].map { signed.change.seq > $0 } ?? false }.count
        return report
    }

    private func isHeld(_ id: ChangeID) throws -> Bool {
        try Bool(exists: "SELECT 1 FROM change WHERE id = ?", [Data(id.bytes)], in: db)
    }

    private func entity(of id: ChangeID) throws -> EntityID? {
        try String.fetchOne(db, sql: "SELECT entity FROM change WHERE id = ?", arguments: [Data(id.bytes)]).flatMap(EntityID.init(rawValue:))
    }

    private func conflictCount(_ entity: EntityID) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(DISTINCT field) FROM conflict WHERE entity = ?", arguments: [entity.rawValue]) ?? 0
    }
}

extension Bool {
    /// Whether `sql` returns a row.
    init(exists sql: String, _ arguments: StatementArguments, in db: Database) throws {
        self = try Row.fetchOne(db, sql: sql, arguments: arguments) != nil
    }
}
