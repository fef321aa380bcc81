import Crypto
import Foundation
import GRDB
import GlossCore

/// A stored change that fails a check, and what is wrong with it.
public struct VerificationProblem: Equatable, Sendable, Encodable, CustomStringConvertible {
    /// Which check a change fails.
    public enum Kind: String, Sendable, Codable {
        /// Its bytes do not hash to its id.
        case hash
        /// Its bytes are not a valid change, or disagree with the columns indexed from them.
        case format
        /// Its key or signature does not hold.
        case signature
        /// Its author's chain has a gap, or a head past the end of the log.
        case chain
        /// Its `prev` names a change other than its author's held one, while
        /// both are validly signed: the author's chain branches here.
        case fork
        /// A parent it names is missing or belongs to another entity.
        case parent
    }

    /// The change's id as stored (which may not be the hash of its bytes).
    public var change: String
    public var author: String
    public var seq: Int
    public var kind: Kind
    public var problem: String

    public var description: String { "change \(change.prefix(12)) (\(author.prefix(7)) seq \(seq)): \(problem)" }
}

extension Store {
    /// Re-checks the whole log as a stranger would: every change's bytes
    /// against its id, its format, its signature against its author's key,
    /// each author's hash chain and head (naming a fork when two signed
    /// changes claim one place in it), and that parents exist and belong to
    /// the same entity.
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
            /// The change before this one in log order, and whether its bytes and signature hold.
            var chain: (author: String, seq: Int, id: Data, isSound: Bool)?

            for row in rows {
                let storedID: Data = row["id"]
                let author: String = row["author"]
                let seq: Int = row["seq"]
                func report(_ kind: VerificationProblem.Kind, _ problem: String) {
                    problems.append(VerificationProblem(change: Hex.encode(storedID), author: author, seq: seq, kind: kind, problem: problem))
                }
                let bytes = Array(row["bytes"] as Data)
                let hashes = ChangeID(hashing: bytes).bytes == Array(storedID)
                if !hashes {
                    report(.hash, "its bytes do not hash to its id")
                }
                let previousInChain = chain?.author == author ? chain : nil
                chain = (author, seq, storedID, false)
                if seq != (previousInChain?.seq ?? 0) + 1 {
                    report(.chain, "its author's chain skips from seq \(previousInChain?.seq ?? 0) to \(seq)")
                }
                let change: Change
                do {
                    change = try Change(decoding: bytes)
                    try change.validate()
                } catch {
                    report(.format, "its bytes are not a valid change: \(error)")
                    continue
                }
                if change.author.rawValue != author || change.seq != seq || change.entity.rawValue != row["entity"]
                    || change.kind.rawValue != row["kind"] || change.clock.milliseconds != row["hlc_ms"]
                    || change.clock.counter != row["hlc_counter"] {
                    report(.format, "its indexed columns disagree with its bytes")
                }
                if change.workspace != workspace {
                    report(.format, "it belongs to workspace \(change.workspace), not \(workspace)")
                }
                if let key = change.publicKey {
                    if let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: key),
                       DeviceID(publicKey: publicKey) == change.author {
                        keys[author] = publicKey
                    } else {
                        report(.signature, "its key does not belong to its author")
                    }
                }
                let isSigned = keys[author]?.isValidSignature(Array(row["signature"] as Data), for: ChangeID(hashing: bytes))
                switch isSigned {
                case nil: report(.signature, "no key is known for its author")
                case false?: report(.signature, "its signature does not verify against its author's key")
                case true?: chain?.isSound = hashes
                }
                if let previous = change.previous, let expected = previousInChain, expected.seq == seq - 1,
                   previous.bytes != Array(expected.id) {
                    if isSigned == true && expected.isSound {
                        report(.fork, "its prev is \(previous.hex.prefix(12)), but its author's seq \(seq - 1) here is \(Hex.encode(expected.id).prefix(12)), and both are signed: the author's chain forks at seq \(seq - 1)")
                    } else {
                        report(.chain, "its prev does not match the id of its author's seq \(seq - 1)")
                    }
                }
                for parent in change.parents {
                    switch entities[Data(parent.bytes)] {
                    case nil: report(.parent, "its parent \(parent.hex.prefix(12)) is not in the log")
                    case change.entity.rawValue?: break
                    case _?: report(.parent, "its parent \(parent.hex.prefix(12)) is a change of another entity")
                    }
                }
            }
            var lastByAuthor: [String: (seq: Int, id: Data)] = [:]
            for row in rows { lastByAuthor[row["author"]] = (row["seq"], row["id"]) }
            for (author, last) in lastByAuthor.sorted(by: { $0.key < $1.key }) {
                if let head = heads[author], head.seq != last.seq || head.id != last.id {
                    problems.append(VerificationProblem(change: Hex.encode(head.id), author: author, seq: head.seq, kind: .chain,
                                                        problem: "its author's head is seq \(head.seq) but the log ends at seq \(last.seq)"))
                }
            }
            return problems
        }
    }
}
