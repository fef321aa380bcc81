import Crypto
import Foundation
import GRDB
import GlossCore
import GlossMerge

extension Store {
    /// This store's per-author heads.
    public func heads() throws(StoreError) -> Heads {
        try read { db in try Self.heads(in: db) }
    }

    static func heads(in db: Database) throws -> Heads {
        var heads = Heads()
        for row in try Row.fetchAll(db, sql: "SELECT author, seq, id FROM author_head") {
            if let author = DeviceID(rawValue: row["author"]), let id = ChangeID(bytes: Array(row["id"] as Data)) {
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
        let ours = try self.heads()
        var clauses: [String] = []
        var arguments: StatementArguments = []
        for (author, head) in ours.authors.sorted(by: { $0.key < $1.key }) {
            let theirs = heads[author]?.seq ?? 0
            guard theirs < head.seq else { continue }
            clauses.append("(author = ? AND seq > ?)")
            arguments += [author.rawValue, theirs]
        }
        guard !clauses.isEmpty else { return }
        var after = 0
        while true {
            let page = try read { db in
                try Row.fetchAll(db, sql: """
                    SELECT arrival, bytes, signature FROM change
                    WHERE arrival > ? AND (\(clauses.joined(separator: " OR ")))
                    ORDER BY arrival LIMIT ?
                    """, arguments: [after] + arguments + [pageSize])
            }
            guard let last = page.last else { return }
            after = last["arrival"]
            try body(try page.map(LogReader.decode))
            if page.count < pageSize { return }
        }
    }

    /// The texts of the statement revisions that `changes` name.
    public func texts(for changes: [SignedChange]) throws(StoreError) -> [String] {
        var hashes: [String] = []
        for signed in changes where signed.change.kind == .statement {
            for case .set("revision", .string(let hex)) in signed.change.operations { hashes.append(hex) }
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
    /// - Throws: ``StoreError/refused(change:reason:)`` naming the first bad
    ///   change; the store is then unchanged.
    public func apply(_ batch: ChangeBatch, now: Int) throws(StoreError) -> ApplyReport {
        try write { writer in try ChangeApplier(writer: writer, workspace: workspace, now: now).apply(batch) }
    }
}
