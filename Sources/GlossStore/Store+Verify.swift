import Crypto
import Foundation
import GRDB
import GlossCore

/// A stored change that fails a check, and what is wrong with it.
public struct VerificationProblem: Equatable, Sendable, Encodable, CustomStringConvertible {
    /// Which check a change fails.
    public enum Kind: String, Sendable, Codable {
        /// Its bytes, re-created from its row and the changes it names, do
        /// not hash to its id.
        case hash
        /// Its row cannot be read as a change, or (for a row kept verbatim)
        /// its bytes disagree with its columns.
        case format
        /// Its key or signature does not hold.
        case signature
        /// Its author's chain has a gap, or a head past the end of the log.
        case chain
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
    /// Re-checks the whole log as a stranger would: re-creates every
    /// change's bytes from its row (see ``StoredChange``) and checks them
    /// against its id, its format, its signature against its author's key,
    /// each author's hash chain and head, and that parents exist and belong
    /// to the same entity.
    ///
    /// Since a change's `prev` and parents are re-created from the changes
    /// they name, altering one change also breaks the hash of the changes
    /// that name it.
    ///
    /// Returns every problem found, in log order; empty means sound.
    ///
    /// - Complexity: O(n) changes and signature checks.
    public func verify() throws(StoreError) -> [VerificationProblem] {
        try read { db in
            var problems: [VerificationProblem] = []
            var reader = LogReader(db, workspace: workspace)
            let devices = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT number, id FROM device").map {
                ($0[0] as Int64, $0[1] as String)
            })
            let heads = Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT author, seq, id FROM author_head").map {
                (($0["author"] as String), (seq: $0["seq"] as Int, id: $0["id"] as Data))
            })
            var keys: [String: Curve25519.Signing.PublicKey] = [:]
            var lastByAuthor: [String: (seq: Int, id: Data)] = [:]
            let rows = try Row.fetchCursor(db, sql: LogReader.select + "\nORDER BY (SELECT id FROM device WHERE number = c.author), c.seq")
            while let row = try rows.next() {
                let storedID: Data = row[1]
                let author = devices[row[2]] ?? "device number \(row[2] as Int64)"
                let seq: Int = row[3]
                func report(_ kind: VerificationProblem.Kind, _ problem: String) {
                    problems.append(VerificationProblem(change: Hex.encode(storedID), author: author, seq: seq, kind: kind, problem: problem))
                }
                let previousSeq = lastByAuthor[author]?.seq ?? 0
                lastByAuthor[author] = (seq, storedID)
                if seq != previousSeq + 1 {
                    report(.chain, "its author's chain skips from seq \(previousSeq) to \(seq)")
                }
                let signed: SignedChange
                do {
                    signed = try reader.recreate(row)
                    try signed.change.validate()
                } catch let problem as LogReader.Problem {
                    report(problem.kind, problem.description)
                    continue
                } catch {
                    report(.format, "its bytes are not a valid change: \(error)")
                    continue
                }
                let id = ChangeID(hashing: signed.bytes)
                if id.bytes != Array(storedID) {
                    report(.hash, "its bytes, re-created from the log, do not hash to its id")
                }
                if let key = signed.change.publicKey {
                    if let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: key),
                       DeviceID(publicKey: publicKey) == signed.change.author {
                        keys[author] = publicKey
                    } else {
                        report(.signature, "its key does not belong to its author")
                    }
                }
                switch keys[author]?.isValidSignature(signed.signature, for: id) {
                case nil: report(.signature, "no key is known for its author")
                case false?: report(.signature, "its signature does not verify against its author's key")
                case true?: break
                }
            }
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
