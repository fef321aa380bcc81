@testable import GlossCore

/// Known keys and values shared by the core tests.
enum Fixtures {
    /// RFC 8032, section 7.1, test 1.
    static let rfc8032Seed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    static let rfc8032PublicKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    /// Computed independently: base32(SHA-256(public key)) with Syncthing's Luhn mod 32 checks.
    static let rfc8032DeviceID = "EH7DDX5-BKSRGCK-YTL7BKA-I36SE4E-NXX3KLN-K7ELKS5-YQ57PI7-4XEG4QG"

    static var key: DeviceKey { try! DeviceKey(seed: rfc8032Seed) }
    static let workspace = WorkspaceID(rawValue: "aaaaaaaaaaaaaaaaaaaaaaaaaa")!
    static let entity = EntityID(rawValue: "bbbbbbbbbbbbbbbbbbbbbbbbbb")!

    static func hex(_ text: String) -> [UInt8] {
        Hex.decode(Substring(text).utf8, count: text.utf8.count / 2)!
    }
}
