import Crypto
import GlossCore

extension Heads {
    /// SHA-256 over one line `DEVICE-ID SEQ CHANGE-ID` LF per author, in
    /// ascending order of device id (`Protocol/sync.md`, section 5).
    public var digest: String {
        var lines = ""
        for (author, head) in authors.sorted(by: { $0.key < $1.key }) {
            lines += "\(author) \(head.seq) \(head.id.hex)\n"
        }
        return Hex.encode(SHA256.hash(data: Array(lines.utf8)))
    }
}
