import Crypto
import Foundation
import GRDB
import GlossCore
import GlossMerge

/// A position in the stream of changes one store sends another: which
/// authors' changes are wanted, after which seq, and how far the stream has
/// got (by local arrival order).
public struct ChangePage: Sendable {
    /// For each author, the last seq the receiver holds.
    public var after: [DeviceID: Int]
    /// Whether authors missing from `after` are wanted whole (true), or
    /// not wanted at all (false).
    public var everyAuthor: Bool
    var cursor = 0
    var isFinished = false
    /// The (author's device number, after-seq) ranges to read, fixed on the first read.
    var ranges: [(author: Int64, after: Int)]?
    /// The changes of the last page read, for the next page's parents.
    var recent = LogReader.Known()
    /// The authors and entities the pages read so far named (up to
    /// ``maximumNames`` entities), so that each is read and checked once.
    var names = LogReader.Names()
    static let maximumNames = 10_000

    public init(after: [DeviceID: Int], everyAuthor: Bool) {
        self.after = after
        self.everyAuthor = everyAuthor
    }
}

extension Store {
    /// This store's per-author heads.
    public func heads() throws(StoreError) -> Heads {
        try read { db in try Self.heads(in: db) }
    }

    static func heads(in db: Database) throws -> Heads {
        var heads = Heads()
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT author, seq, id FROM author_head")) {
            if let author = DeviceID(rawValue: row["author"]), let id = ChangeID(bytes: row["id"] as Data) {
                heads[author] = Head(seq: row["seq"], id: id)
            }
        }
        return heads
    }

    /// Calls `body` with the changes this store holds that a store with
    /// `heads` lacks, in pages of at most `pageSize`, in an order that puts
    /// parents before children and each author's changes in sequence: the
    /// order they arrived here. Pages are read one at a time, so memory stays
    /// flat however many changes are missing.
    ///
    /// - Complexity: O(k log n) for k changes returned from a log of n.
    public func changes(missingFrom heads: Heads, pageSize: Int = 1_000,
                        _ body: ([SignedChange]) throws -> Void) throws {
        var page = ChangePage(after: heads.authors.mapValues(\.seq), everyAuthor: true)
        while let changes = try next(&page, limit: pageSize) { try body(changes) }
    }

    /// Reads the next page of `page`: at most `limit` changes and, past the
    /// first change, at most `maximumBytes` of change bytes and
    /// `maximumTextBytes` of the statement texts they name. Nil at the end.
    public func next(_ page: inout ChangePage, limit: Int, maximumBytes: Int = .max,
                     maximumTextBytes: Int = .max) throws(StoreError) -> [SignedChange]? {
        if page.ranges == nil {
            let wanted = try heads().authors.sorted(by: { $0.key < $1.key }).compactMap { author, head -> (author: DeviceID, after: Int)? in
                guard page.everyAuthor || page.after[author] != nil else { return nil }
                let theirs = page.after[author] ?? 0
                return theirs < head.seq ? (author: author, after: theirs) : nil
            }
            (page.ranges, page.cursor) = try read { db in
                let ranges = try wanted.map { range in
                    guard let number = try Int64.fetchOne(db.cachedStatement(sql: "SELECT number FROM device WHERE id = ?"),
                                                          arguments: [range.author.rawValue]) else {
                        throw StoreError.database("no key is held for \(range.author), whose changes are in the log")
                    }
                    return (author: number, after: range.after)
                }
                // An author's changes arrive in seq order, so the first one
                // wanted is the earliest: start there rather than scan the whole log.
                let cursor = try ranges.map { range in
                    try Int.fetchOne(db.cachedStatement(sql: "SELECT arrival FROM change WHERE author = ? AND seq = ?"),
                                     arguments: [range.author, range.after + 1]) ?? 1
                }.min().map { $0 - 1 } ?? 0
                return (ranges, cursor)
            }
        }
        guard let ranges = page.ranges, !ranges.isEmpty, !page.isFinished else { return nil }
        var arguments: StatementArguments = [page.cursor]
        for range in ranges { arguments += [range.author, range.after] }
        arguments += [limit]
        // `+c.author` keeps SQLite from reading the wanted authors' changes by
        // index and sorting them all for every page: the log is read in
        // arrival order from the cursor instead.
        let clauses = Array(repeating: "(+c.author = ? AND c.seq > ?)", count: ranges.count).joined(separator: " OR ")
        let rows = try read { db in
            var reader = LogReader(db, workspace: workspace, names: page.names)
            // Parents are mostly recent: keep the last page's ids at hand.
            var known = page.recent
            let rows = try reader.changesByArrival("WHERE c.arrival > ? AND (\(clauses)) ORDER BY c.arrival LIMIT ?", arguments,
                                                   known: &known)
            page.recent = known.filter { $0.key >= rows.first?.arrival ?? 0 }
            page.names = reader.names.entities.count <= ChangePage.maximumNames ? reader.names : LogReader.Names()
            return rows
        }
        var changes: [SignedChange] = []
        var bytes = 0
        var textBytes = 0
        for (arrival, change) in rows {
            let size = change.bytes.count
            let textSize = change.change.kind == .statement ? try texts(for: [change]).reduce(0) { $0 + $1.utf8.count } : 0
            if !changes.isEmpty && (bytes + size > maximumBytes || textBytes + textSize > maximumTextBytes) { break }
            changes.append(change)
            bytes += size
            textBytes += textSize
            page.cursor = Int(arrival)
        }
        if rows.count < limit && changes.count == rows.count { page.isFinished = true }
        return changes.isEmpty ? nil : changes
    }

    /// The texts of the statement revisions that `changes` name, each once,
    /// in the order first named: two statements added from the same file on
    /// two laptops name the same text, which a batch carries once.
    public func texts(for changes: [SignedChange]) throws(StoreError) -> [String] {
        var hashes: [String] = []
        var named: Set<String> = []
        for signed in changes where signed.change.kind == .statement {
            for case .set("revision", .string(let hex)) in signed.change.operations where named.insert(hex).inserted { hashes.append(hex) }
        }
        return try hashes.map { hex throws(StoreError) in try text(of: RevisionHash(hex: hex)!) }
    }

    /// Checks every change of `batch` and applies them all in one
    /// transaction, or none.
    ///
    /// Each change must be well formed, of this workspace, by a member, the
    /// next link of its author's hash chain, and have all its parents held
    /// (or earlier in the batch); the statement texts it names must be held
    /// or in the batch. The signature of the last change of each author in
    /// the batch is checked: the hash chain vouches for the ones before it.
    /// Changes held already are skipped.
    ///
    /// With `deferringDerivation` (for the batches of a clone, a long pull
    /// or a bundle), the workspace's state is derived at once, but
    /// statements and annotations are marked stale and written only by
    /// ``deriveStale()`` at the end: annotations whose changes arrive in a
    /// line are derived in memory meanwhile (see `DeferredDerivation`), the
    /// rest from the log. The report then counts no conflicts;
    /// ``deriveStale()`` does.
    ///
    /// - Throws: ``StoreError/refused(change:reason:)`` naming the first bad
    ///   change; the store is then unchanged.
    public func apply(_ batch: ChangeBatch, now: Int, deferringDerivation: Bool = false) throws(StoreError) -> ApplyReport {
        guard deferringDerivation else {
            return try write { writer in
                var applier = ChangeApplier(writer: writer, workspace: workspace, now: now)
                return try applier.apply(batch)
            }
        }
        // Until ``deriveStale()``, as a clone's: batches that write the same
        // index pages again reach the database file less often.
        checkpointer.pagesBeforeCheckpoint = Self.cloneWalAutocheckpointPages
        return try deferred.withLock { (carried: inout DeferredDerivation?) throws(StoreError) -> ApplyReport in
            // Taken out while the batch is applied, and put back only if it
            // commits: what a failed batch carried is never written.
            var pending = carried ?? DeferredDerivation()
            carried = nil
            let report: ApplyReport
            do throws(StoreError) {
                report = try transaction { writer in
                    var applier = ChangeApplier(writer: writer, workspace: workspace, now: now, deferred: pending)
                    pending = DeferredDerivation()  // the applier's copy is then the only one, and mutates in place
                    let report = try applier.apply(batch)
                    pending = applier.deferred ?? DeferredDerivation()
                    return report
                }
            } catch {
                // Nothing is carried any more (what earlier batches marked
                // stale is derived on the next open): commits checkpoint as usual.
                checkpointer.pagesBeforeCheckpoint = Self.walAutocheckpointPages
                throw error
            }
            carried = pending
            return report
        }
    }

    /// Builds the log indexes a clone left to build, and derives every
    /// statement and annotation marked stale by a deferred apply, in one
    /// transaction. The annotations whose changes came in a line were
    /// derived as they came, and are only written. A clone, a pull or a
    /// bundle calls it when its last batch is in, and ``open(_:)`` when one
    /// was cut short.
    ///
    /// - Returns: how many entities it derived, and how the conflicts of
    ///   those the deferred batches touched changed since before the first.
    /// - Throws: when the derivation cannot be written (a full disk). The
    ///   store is then unchanged: its reads show the entities as they were
    ///   before the deferred batches, and its next write (or call, or the
    ///   next ``open(_:)``) derives them first.
    @discardableResult
    public func deriveStale() throws(StoreError) -> StaleDerivation {
        let carried = deferred.withLock { carried in
            defer { carried = nil }
            return carried
        }
        // Deferred batches checkpoint less often (see ``apply(_:now:deferringDerivation:)``);
        // this transaction's commit checkpoints what they left, as any commit past the limit does.
        checkpointer.pagesBeforeCheckpoint = Self.walAutocheckpointPages
        do throws(StoreError) {
            return try derive(carried)
        } catch {
            // Rolled back: what was carried still holds, for the next try.
            deferred.withLock { $0 = carried }
            throw error
        }
    }

    private func derive(_ carried: DeferredDerivation?) throws(StoreError) -> StaleDerivation {
        try transaction { writer in
            try Schema.buildDeferredLogIndexes(writer.db)
            var conflictsAfter: [EntityID: Int] = [:]
            for case (let entity, .extending(let state, let head)) in carried?.entries ?? [:] {
                try writer.settle(state, head: head.id)
                conflictsAfter[entity] = state.conflictedFields
            }
            var derivation = StaleDerivation()
            derivation.derived = conflictsAfter.count
            for row in try Row.fetchAll(writer.db, sql: "SELECT entity, kind FROM stale_entity ORDER BY kind DESC, entity") {
                let entity = try row.parsed("entity", of: "stale_entity", EntityID.init(rawValue:))
                try writer.rederive(kind: try row.parsed("kind", of: "stale_entity", EntityKind.init(rawValue:)), entity: entity)
                if carried?.conflictsBefore[entity] != nil { conflictsAfter[entity] = try writer.conflictedFields(of: entity) }
                derivation.derived += 1
            }
            for (entity, before) in carried?.conflictsBefore ?? [:] {
                let after = conflictsAfter[entity] ?? before
                derivation.conflictsCreated += max(0, after - before)
                derivation.conflictsResolved += max(0, before - after)
            }
            return derivation
        }
    }
}
