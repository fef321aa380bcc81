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
    /// For a clone's batches: statements and annotations are not derived
    /// here but carried for ``Store/deriveStale()`` (nil: derived here).
    var deferred: DeferredDerivation?

    private var defersDerivation: Bool { deferred != nil }

    private var db: Database { writer.db }

    /// What checking the batch so far has established: the store as it
    /// will be once the changes accepted so far are in.
    private struct Progress {
        var heads: Heads
        /// Devices that are or were members: their changes are accepted.
        var admitted: Set<DeviceID>
        var keys: [DeviceID: Curve25519.Signing.PublicKey] = [:]
        var entityOf: [ChangeID: EntityID] = [:]
        var lastOfAuthor: [DeviceID: SignedChange] = [:]
        var accepted: [SignedChange] = []
        var clock: HybridClock
        var report = ApplyReport()
    }

    mutating func apply(_ batch: ChangeBatch) throws -> ApplyReport {
        var texts: [String: String] = [:]
        for text in batch.texts { texts[RevisionHash(text: text).hex] = text }
        // Deferred batches carry what they look up of the entities they touched
        // before (see `DeferredDerivation`); a clone's touch only new ones.
        if deferred?.startedEmpty == true {
            writer.mayLackIndexById()
        } else {
            try writer.prefetch(Set(batch.changes.map(\.change.entity).filter { deferred?.isCarrying($0) != true }))
        }
        var progress = Progress(
            heads: try Store.heads(in: db),
            admitted: Set(try String.fetchAll(db.cachedStatement(sql: "SELECT device FROM member UNION SELECT device FROM removed_device"))
                .compactMap(DeviceID.init(rawValue:))),
            clock: HybridClock(last: try writer.lastClockReading()))
        for signed in batch.changes {
            // An author's chain is held without gaps: a change past its
            // author's head is new, and needs no lookup.
            let isPastHead = signed.change.seq > progress.heads[signed.change.author]?.seq ?? 0
            if try !isPastHead && (progress.entityOf[signed.id] != nil || writer.held(signed.id) != nil) {
                progress.report.alreadyHeld += 1
            } else {
                try check(signed, texts: texts, &progress)
            }
        }
        for (author, last) in progress.lastOfAuthor.sorted(by: { $0.key < $1.key }) where !last.isSigned(by: progress.keys[author]!) {
            throw Self.refusal(last, "its signature does not verify against its author's key")
        }
        return try commit(progress)
    }

    private static func refusal(_ signed: SignedChange, _ reason: String) -> StoreError {
        .refused(change: signed.label, reason: reason)
    }

    /// Checks one change against the store and the batch before it (all
    /// but its signature), and records it as accepted.
    private func check(_ signed: SignedChange, texts: [String: String], _ progress: inout Progress) throws {
        let change = signed.change
        func refuse(_ reason: String) -> StoreError { Self.refusal(signed, reason) }

        do { try change.validate() } catch { throw refuse("\(error)") }
        guard change.workspace == workspace else {
            throw refuse("it belongs to workspace \(change.workspace), not \(workspace)")
        }

        let head = progress.heads[change.author]
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
            progress.keys[change.author] = key
        } else if progress.keys[change.author] == nil {
            guard let raw = try Data.fetchOne(db.cachedStatement(sql: "SELECT public_key FROM device WHERE id = ?"), arguments: [change.author.rawValue]),
                  let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
                throw refuse("no key is known for its author")
            }
            progress.keys[change.author] = key
        }

        let isGenesis = progress.admitted.isEmpty && change.kind == .workspace && change.seq == 1
            && change.entity.rawValue == workspace.rawValue
            && change.operations.contains { if case .admit(change.author, _) = $0 { true } else { false } }
        guard progress.admitted.contains(change.author) || isGenesis else {
            throw refuse("its author \(change.author.short) is not a member of the workspace")
        }

        // A clone's carried heads spare looking up the parents and their entity.
        for parent in change.parents {
            if let head = deferred?.head(parent, of: change.entity) { writer.remember(head, of: change.entity) }
        }
        let entity = try writer.entity(change.entity)
        for parent in change.parents {
            if let inBatch = progress.entityOf[parent] {
                guard inBatch == change.entity else { throw refuse("its parent \(parent.hex.prefix(12)) is a change of another entity") }
            } else if let held = try writer.held(parent) {
                guard held.entity == entity?.number else { throw refuse("its parent \(parent.hex.prefix(12)) is a change of another entity") }
            } else {
                throw refuse("its parent \(parent.hex.prefix(12)) is not held")
            }
        }
        if let kind = entity?.kind, kind != change.kind {
            throw refuse("its entity \(change.entity.short) is \(kind.withArticle), not \(change.kind.withArticle)")
        }
        for case .set("revision", .string(let hex)) in change.operations {
            if let text = texts[hex] {
                // As Store.statementText makes every text: SQLite would end one at U+0000, and offsets count the NFC text.
                guard !text.utf8.contains(0) else { throw refuse("the text of revision \(hex.prefix(12)) it names holds U+0000 (NUL)") }
                guard text.isNFC else { throw refuse("the text of revision \(hex.prefix(12)) it names is not in Normalization Form C") }
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO text (revision, body) VALUES (?, ?)").execute(arguments: [hex, text])
            } else if try !Bool(exists: "SELECT 1 FROM text WHERE revision = ?", [hex], in: db) {
                throw refuse("the text of revision \(hex.prefix(12)) it names is neither held nor sent")
            }
        }
        for case .admit(let device, _) in change.operations where change.kind == .workspace { progress.admitted.insert(device) }

        if case .tooFarAhead(let drift) = progress.clock.observe(change.clock, now: now) {
            progress.report.clockSkew = max(progress.report.clockSkew, drift)
        }
        progress.heads[change.author] = Head(seq: change.seq, id: signed.id)
        progress.entityOf[signed.id] = change.entity
        progress.lastOfAuthor[change.author] = signed
        progress.accepted.append(signed)
    }

    /// Inserts the accepted changes in order, bringing each annotation's
    /// state forward change by change while the changes extend its heads,
    /// then re-derives in full every other entity they touch, the workspace
    /// first (the others' state depends on who is a member).
    private mutating func commit(_ progress: Progress) throws -> ApplyReport {
        var report = progress.report
        let removed = try Store.removalLimits(in: db)
        // Each touched entity's count of conflicted fields before the batch,
        // and after it where advancing the state told; the rest are counted.
        var touched: [EntityID: (kind: EntityKind, conflictsBefore: Int?)] = [:]
        var conflictsAfter: [EntityID: Int] = [:]
        var stale: Set<EntityID> = []
        if defersDerivation {
            let dataVersion = try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0
            deferred?.beginBatch(dataVersion: dataVersion)
        }
        for signed in progress.accepted {
            let change = signed.change, entity = change.entity
            if touched[entity] == nil { touched[entity] = (change.kind, nil) }
            if defersDerivation && change.kind != .workspace {
                let start = deferred?.isCarrying(entity) == true ? nil : try self.start(of: entity, kind: change.kind)
                let held = try writer.insert(signed, movingEntityHeads: false)
                let isEffective = removed[change.author.rawValue].map { change.seq <= $0 } ?? true
                try deferred?.carry(signed, at: (signed.id, held.arrival, held.entity), from: start, isEffective: isEffective, writer: writer)
                continue
            }
            let heads = try writer.heads(of: entity)
            let arrival = try writer.insert(signed).arrival
            if change.kind == .workspace { deferred?.carryWorkspaceChange(at: arrival) }
            guard !stale.contains(entity) else { continue }
            if let conflicts = try writer.advance(signed, extending: heads, authorRemovedAfter: removed[change.author.rawValue]) {
                if touched[entity]?.conflictsBefore == nil { touched[entity]?.conflictsBefore = conflicts.before }
                conflictsAfter[entity] = conflicts.after
            } else {
                stale.insert(entity)
            }
        }
        for (entity, kind) in touched.map({ ($0.key, $0.value.kind) }).filter({ stale.contains($0.0) })
            .sorted(by: { ($0.1 == .workspace ? 0 : 1, $0.0) < ($1.1 == .workspace ? 0 : 1, $1.0) }) {
            // Not advanced before: its conflicts are still as the batch found them.
            if touched[entity]?.conflictsBefore == nil { touched[entity]?.conflictsBefore = try writer.conflictedFields(of: entity) }
            try writer.rederive(kind: kind, entity: entity, arrivals: kind == .workspace ? deferred?.workspaceArrivals : nil,
                                deferringRemovals: defersDerivation)
            conflictsAfter[entity] = try writer.conflictedFields(of: entity)
        }
        for (entity, touch) in touched {
            let before = touch.conflictsBefore ?? 0, after = conflictsAfter[entity] ?? before
            report.conflictsCreated += max(0, after - before)
            report.conflictsResolved += max(0, before - after)
            if touch.kind != .workspace { report.entitiesChanged += 1 }
        }
        for last in progress.lastOfAuthor.values { try writer.moveAuthorHead(to: last) }
        try writer.save(progress.clock)
        report.received = progress.accepted.count
        let limits = try Store.removalLimits(in: db)
        if limits != removed { deferred?.deriveAllInFull() }
        report.ignored = progress.accepted.filter { signed in limits[signed.change.author.rawValue].map { signed.change.seq > $0 } ?? false }.count
        return report
    }

    /// What the tables hold of an entity that the deferred batches have
    /// not touched yet (read before its change is inserted).
    private func start(of entity: EntityID, kind: EntityKind) throws -> DeferredDerivation.Start {
        guard try writer.entity(entity) != nil else { return .new }
        if kind == .annotation, try !writer.staleMarks().contains(entity), let state = try writer.annotation(entity) {
            return .stored(state, heads: try writer.heads(of: entity))
        }
        return .unknown(conflicts: try writer.conflictedFields(of: entity))
    }
}

extension Bool {
    /// Whether `sql` returns a row.
    init(exists sql: String, _ arguments: StatementArguments, in db: Database) throws {
        self = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: arguments) != nil
    }
}
