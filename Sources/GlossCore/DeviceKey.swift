import Foundation
import Crypto

/// A device's Ed25519 signing key. Never printed: its description is its id.
public struct DeviceKey: Sendable, CustomStringConvertible {
    private let privateKey: Curve25519.Signing.PrivateKey

    /// A new random key.
    public init() {
        privateKey = Curve25519.Signing.PrivateKey()
    }

    /// The key whose 32-byte seed is `seed`; throws when it has another length.
    public init(seed: some ContiguousBytes) throws {
        privateKey = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
    }

    /// The 32-byte seed, for storing the key in a file only its owner reads.
    public var seed: [UInt8] { Array(privateKey.rawRepresentation) }

    public var publicKey: Curve25519.Signing.PublicKey { privateKey.publicKey }

    /// The key itself, for the TLS layer's certificate; never printed.
    package var signingKey: Curve25519.Signing.PrivateKey { privateKey }

    public var id: DeviceID { DeviceID(publicKey: privateKey.publicKey) }

    /// The Ed25519 signature over the 32 bytes of `change`.
    public func signature(for change: ChangeID) -> [UInt8] {
        // Signing only fails for a corrupt key, which `init` already refused.
        Array(try! privateKey.signature(for: change.bytes))
    }

    public var description: String { "DeviceKey(\(id))" }
}

extension Curve25519.Signing.PublicKey {
    /// Whether `signature` is this key's signature over the id `change`.
    public func isValidSignature(_ signature: [UInt8], for change: ChangeID) -> Bool {
        isValidSignature(signature, for: change.bytes)
    }
}
