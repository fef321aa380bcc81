import Crypto
import Foundation
import GRDB
import GlossCore

/// A stored change that fails a check, and what is wrong with it.
public struct VerificationProblem: Equatable, Sendable, CustomStringConvertible {
    /// The change's id as stored (which may not be the hash of its bytes).
    public var change: String
    public var author: String
    public var seq: Int
    public var problem: String

    public var description: String { "change \(change.prefix(12)) (\(author.prefix(7)) seq \(seq)): \(problem)" }
}

extension Store {
    /// Re-checks the whole log as a stranger would: every change's bytes
    /// against its id, its format, its signature against its author's key,
    /// each author's hash chain and head, and that parents exist.
    ///
    /// Returns every problem found, in log order; empty means sound.
    ///
    /// - Complexity: O(n) changes and signature checks.
    public func verify() throws(StoreError) -> [VerificationProblem] {
        try read { db in
            var problems: [VerificationProblem] = []
            var entities: [Data: String] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, author, seq, hlc_ms, hlc_counter, kind, entity, bytes, signature
                FROM change ORDER BY author, seq
                """)
            for row in rows { entities[row["id"]] = row["entity"] }
            let heads = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT author, seq, id FROM author_head").map {
                (($0["author"] as String), (seq: $0["seq"] as Int, id: $0["id"] as Data))
            })
            var keys: [String: Curve25519.Signing.PublicKey] = [:]
            var chain: (author: String, seq: Int, id: Data)?

            for row in rows {
                let storedID: Data = row["id"]
                let author: String = row["author"]
                let seq: Int = row["seq"]
                func report(_ problem: String) {
                    problems.append(VerificationProblem(change: Hex.encode(storedID), author: author, seq: seq, problem: problem))
                }
                let bytes = Array(row["bytes"] as Data)
                if ChangeID(hashing: bytes).bytes != Array(storedID) {
                    report("its bytes do not hash to its id")
                }
                let previousInChain = chain?.author == author ? chain : nil
                chain = (author, seq, storedID)
                if seq != (previousInChain?.seq ?? 0) + 1 {
                    report("its author's chain skips from seq \(previousInChain?.seq ?? 0) to \(seq)")
                }
                let change: Change
                do {
                    change = try Change(decoding: bytes)
                    try change.validate()
                } catch {
                    report("its bytes are not a valid change: \(error)")
                    continue
                }
                if change.author.rawValue != author || change.seq != seq || change.entity.rawValue != row["entity"]
                    || change.kind.rawValue != row["kind"] || change.clock.milliseconds != row["hlc_ms"]
                    || change.clock.counter != row["hlc_counter"] {
                    report("its indexed columns disagree with its bytes")
                }
                if change.workspace != workspace {
                    report("it belongs to workspace \(change.workspace), not \(workspace)")
                }
                if let previous = change.previous, let expected = previousInChain, expected.seq == seq - 1,
                   previous.bytes != Array(expected.id) {
                    report("its prev does not match the id of its author's seq \(seq - 1)")
                }
                if let key = change.publicKey {
                    if let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: key),
                       DeviceID(publicKey: publicKey) == change.author {
                        keys[author] = publicKey
                    } else {
                        report("its key does not belong to its author")
                    }
                }
                if let publicKey = keys[author] {
                    let signature = Array(row["signature"] as Data)
                    if !publicKey.isValidSignature(signature, for: ChangeID(hashing: bytes)) {
                        report("its signature does not verify against its author's key")
                    }
                } else {
                    report("no key is known for its author")
                }
                for parent in change.parents {
                    switch entities[Data(parent.bytes)] {
                    case nil: report("its parent \(parent.hex.prefix(12)) is not in the log")
                    case change.entity.rawValue?: break
                    case _?: report("its parent \(parent.hex.prefix(12)) is a change of another entity")
                    }
                }
            }
            var lastByAuthor: [String: (seq: Int, id: Data)] = [:]
            for row in rows { lastByAuthor[row["author"]] = (row["seq"], row["id"]) }
            for (author, last) in lastByAuthor.sorted(by: { $0.key < $1.key }) {
                if let head = heads[author], head.seq != last.seq || head.id != last.id {
                    problems.append(VerificationProblem(change: Hex.encode(head.id), author: author, seq: head.seq,
                                                        problem: "its author's head is seq \(head.seq) but the log ends at seq \(last.seq)"))
                }
            }
            return problems
        }
    }
}
