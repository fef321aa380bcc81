import Foundation
import GlossCore

/// How the log keeps a change: the few bytes that the row's columns and the
/// log itself cannot re-create.
///
/// A change's canonical bytes are its header (workspace, author, seq, prev,
/// key, clock, kind, entity, parents), its operations' JSON and a closing
/// `}` (see ``Change/encodedHeader``). The row's columns hold the author
/// and entity (as numbers), the seq and the clock; `prev` is the id of the
/// author's change `seq - 1`; the workspace is the store's. So the body
/// keeps only what is left:
///
///     1, varint(count of parents), varint(parent's arrival)..., [32-byte key if seq = 1], operations' JSON
///
/// A change whose bytes the header does not re-create exactly is kept
/// verbatim instead (`0`, then its bytes), so that nothing is ever lost:
/// rows carried over from an older log that did not hold together are, and
/// `gloss verify` then names them.
package enum StoredChange {
    static let verbatim: UInt8 = 0
    static let compact: UInt8 = 1

    /// The body of `signed`, whose parents arrived at `parentArrivals`.
    package static func body(of signed: SignedChange, parentArrivals: [Int64]) -> [UInt8] {
        let header = signed.change.encodedHeader
        guard signed.bytes.count > header.count, signed.bytes.starts(withBytesOf: header), signed.bytes.last == UInt8(ascii: "}"),
              parentArrivals.count == signed.change.parents.count else {
            return [verbatim] + signed.bytes
        }
        var body: [UInt8] = [compact]
        body.reserveCapacity(signed.bytes.count - header.count + 8)
        appendVarint(UInt64(parentArrivals.count), to: &body)
        for arrival in parentArrivals { appendVarint(UInt64(arrival), to: &body) }
        if let key = signed.change.publicKey { body += key }
        body += signed.bytes[header.count ..< signed.bytes.count - 1]
        return body
    }

    /// A body read back: either the change's bytes whole, or its parts.
    enum Body {
        case verbatim(ArraySlice<UInt8>)
        case compact(parentArrivals: [Int64], publicKey: [UInt8]?, operations: ArraySlice<UInt8>)

        /// Reads the body of a change with sequence number `seq`.
        init(decoding body: [UInt8], seq: Int) throws(ChangeFormatError) {
            guard let format = body.first else { throw ChangeFormatError("a stored body, found none") }
            var rest = body[1...]
            switch format {
            case StoredChange.verbatim:
                self = .verbatim(rest)
            case StoredChange.compact:
                let count = try StoredChange.varint(&rest)
                guard count <= UInt64(rest.count) else { throw ChangeFormatError("a parent count within the body") }
                var parents: [Int64] = []
                for _ in 0..<count {
                    let arrival = try StoredChange.varint(&rest)
                    guard arrival <= UInt64(Int64.max) else { throw ChangeFormatError("a parent's arrival number") }
                    parents.append(Int64(arrival))
                }
                var key: [UInt8]?
                if seq == 1 {
                    guard rest.count >= 32 else { throw ChangeFormatError("a 32-byte key in the body of a seq 1 change") }
                    key = Array(rest.prefix(32))
                    rest = rest.dropFirst(32)
                }
                self = .compact(parentArrivals: parents, publicKey: key, operations: rest)
            default:
                throw ChangeFormatError("a stored body of format 0 or 1, found \(format)")
            }
        }
    }

    /// `value` as a LEB128 varint: seven bits a byte, low bits first.
    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    static func varint(_ bytes: inout ArraySlice<UInt8>) throws(ChangeFormatError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while let byte = bytes.popFirst() {
            guard shift < 64 else { break }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw ChangeFormatError("a varint, found the end of the body")
    }
}

extension [UInt8] {
    /// Whether these bytes begin with `prefix`: one `memcmp`, where
    /// comparing slices would compare byte by byte.
    func starts(withBytesOf prefix: [UInt8]) -> Bool {
        guard count >= prefix.count, !prefix.isEmpty else { return count >= prefix.count }
        return withUnsafeBytes { bytes in prefix.withUnsafeBytes { memcmp(bytes.baseAddress!, $0.baseAddress!, prefix.count) == 0 } }
    }
}
