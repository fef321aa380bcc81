import Crypto

/// A device's identity: the SHA-256 of its Ed25519 public key, printed as
/// Syncthing prints device ids.
///
/// The 52 base32 characters of the hash are cut into four groups of 13, each
/// followed by a Luhn mod 32 check character, and the 56 characters are shown
/// in eight dash-separated groups of seven:
/// `MFZWI3D-BONSGYC-...`. A mistyped character or a swap of two neighbours is
/// caught by the check characters instead of naming some other device.
public struct DeviceID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The canonical printed form, with check characters and dashes.
    public let rawValue: String
    /// The text's hash, taken once (see ``EntityID``).
    private let textHash: Int

    /// Accepts only the canonical form (as written in changes); see
    /// ``init(parsing:)`` for what a person types.
    public init?(rawValue: String) {
        var text = rawValue
        guard text.utf8.count == 63, text.withUTF8(Self.isCanonical) else { return nil }
        self.rawValue = text
        textHash = text.hashValue
    }

    /// Whether `text` is a device id's canonical form: eight groups of seven
    /// base32 digits, dash-separated, whose four groups of 14 each end in
    /// their Luhn check digit, and whose 52 digits carry 256 bits.
    ///
    /// Checked in one pass over the bytes, without decoding or copying:
    /// every change names its author this way, so a clone checks thousands.
    private static func isCanonical(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var digits = 0, inGroup = 0  // base32 digits read, in all and of the group's 14
        var (factor, sum) = (1, 0)
        for offset in text.indices {
            let byte = text[offset]
            if offset & 7 == 7 {
                guard byte == UInt8(ascii: "-") else { return false }
                continue
            }
            guard let value = Base32.value(of: byte) else { return false }
            if inGroup == 13 {
                guard value == (32 - sum & 31) & 31 else { return false }
                (inGroup, factor, sum) = (0, 1, 0)
            } else {
                // 52 digits carry 260 bits for 256: the last digit's low 4 bits are zero.
                if digits == 54 && value & 0x0F != 0 { return false }
                let addend = factor * value
                factor = 3 - factor  // 1, 2, 1, 2, ...
                sum += addend >> 5 + addend & 31
                inGroup += 1
            }
            digits += 1
        }
        return digits == 56
    }

    /// The id of the device that holds `publicKey`.
    public init(publicKey: Curve25519.Signing.PublicKey) {
        self.init(hash: Array(SHA256.hash(data: publicKey.rawRepresentation)))
    }

    private init(hash: [UInt8]) {
        let plain = Array(Base32.encode(hash).utf8)
        var checked: [UInt8] = []
        for group in stride(from: 0, to: 52, by: 13) {
            let chunk = plain[group..<group + 13]
            checked += chunk
            checked.append(Self.luhn32(chunk))
        }
        var printed: [UInt8] = []
        for (index, digit) in checked.enumerated() {
            if index > 0 && index % 7 == 0 { printed.append(UInt8(ascii: "-")) }
            printed.append(digit)
        }
        rawValue = String(decoding: printed, as: UTF8.self)
        textHash = rawValue.hashValue
    }

    /// Reads a device id as a person may type it: any case, with or without
    /// dashes and spaces, with 0, 1 and 8 read as O, I and B. Returns nil when
    /// the length is wrong or a check character does not match.
    public init?(parsing text: String) {
        var digits: [UInt8] = []
        for byte in text.uppercased().utf8 {
            switch byte {
            case UInt8(ascii: "-"), UInt8(ascii: " "): continue
            case UInt8(ascii: "0"): digits.append(UInt8(ascii: "O"))
            case UInt8(ascii: "1"): digits.append(UInt8(ascii: "I"))
            case UInt8(ascii: "8"): digits.append(UInt8(ascii: "B"))
            default: digits.append(byte)
            }
        }
        guard digits.count == 56 else { return nil }
        var plain: [UInt8] = []
        for group in stride(from: 0, to: 56, by: 14) {
            let chunk = digits[group..<group + 13]
            guard chunk.allSatisfy({ Base32.value(of: $0) != nil }),
                  Self.luhn32(chunk) == digits[group + 13] else { return nil }
            plain += chunk
        }
        guard let hash = Base32.decode(String(decoding: plain, as: UTF8.self)), hash.count == 32 else {
            return nil
        }
        self.init(hash: hash)
    }

    /// The first group, enough to tell a team's devices apart in tables.
    public var short: String { String(rawValue.prefix(7)) }

    public var description: String { rawValue }

    public static func < (lhs: DeviceID, rhs: DeviceID) -> Bool { lhs.rawValue < rhs.rawValue }

    public static func == (lhs: DeviceID, rhs: DeviceID) -> Bool {
        lhs.textHash == rhs.textHash && lhs.rawValue == rhs.rawValue
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(textHash) }

    /// Luhn mod 32 over base32 digits, computed as Syncthing does (the factor
    /// starts at 1), so ids can be checked by the same rule.
    private static func luhn32<Digits: Collection<UInt8>>(_ digits: Digits) -> UInt8 {
        var factor = 1
        var sum = 0
        for digit in digits {
            let addend = factor * Base32.value(of: digit)!
            factor = factor == 2 ? 1 : 2
            sum += addend / 32 + addend % 32
        }
        return Base32.digit((32 - sum % 32) % 32)
    }
}
