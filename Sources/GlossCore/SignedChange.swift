import Crypto

/// A change as its author wrote it: the exact bytes, their id and the
/// author's signature over that id.
///
/// Built by signing a new ``Change``, by decoding received bytes (whose
/// hash is then the id), or by a store giving back what it holds. Received
/// bytes are never re-encoded: the id always hashes what was received.
public struct SignedChange: Hashable, Sendable {
    public let bytes: [UInt8]
    public let id: ChangeID
    public let signature: [UInt8]
    public let change: Change

    /// Encodes `change` and signs it as `key`'s device.
    public init(signing change: Change, with key: DeviceKey) {
        precondition(change.author == key.id, "a change is signed by its author, not by \(key.id)")
        bytes = change.encoded
        id = ChangeID(hashing: bytes)
        signature = key.signature(for: id)
        self.change = change
    }

    /// Reads a change from the bytes its author wrote, with their signature.
    /// Does not check the signature, which needs the author's key: see
    /// ``isSigned(by:)``.
    ///
    /// - Throws: ``ChangeFormatError`` when the bytes are not a well-formed
    ///   change or the signature is not 64 bytes.
    public init(bytes: [UInt8], signature: [UInt8]) throws(ChangeFormatError) {
        guard signature.count == 64 else {
            throw ChangeFormatError("a 64-byte Ed25519 signature, found \(signature.count) bytes")
        }
        change = try Change(decoding: bytes)
        self.bytes = bytes
        id = ChangeID(hashing: bytes)
        self.signature = signature
    }

    /// A change re-created by a store from its parts, with the id the store
    /// holds for it: `bytes` must be `change`'s canonical bytes, and `id`
    /// their hash, which the store's verification checks.
    package init(change: Change, bytes: [UInt8], id: ChangeID, signature: [UInt8]) {
        self.change = change
        self.bytes = bytes
        self.id = id
        self.signature = signature
    }

    /// Whether the signature is `publicKey`'s signature over ``id``.
    public func isSigned(by publicKey: Curve25519.Signing.PublicKey) -> Bool {
        publicKey.isValidSignature(signature, for: id)
    }

    /// How messages name the change: "1f2e3d4c5b6a (EH7DDX5 seq 12)".
    package var label: String { "\(id.hex.prefix(12)) (\(change.author.short) seq \(change.seq))" }
}
