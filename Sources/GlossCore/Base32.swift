/// RFC 4648 base32 without padding, the alphabet of every Gloss identifier.
///
/// Upper case for device ids (as Syncthing prints them), lower case for
/// workspace and entity ids, so the two kinds never look alike.
enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Encodes `bytes` as upper-case base32 with no padding.
    static func encode<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                output.append(digit(Int((buffer >> UInt32(bits)) & 31)))
            }
        }
        if bits > 0 {
            output.append(digit(Int((buffer << UInt32(5 - bits)) & 31)))
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The upper-case digit of `value` (0...31).
    static func digit(_ value: Int) -> UInt8 { alphabet[value] }

    /// The value (0...31) of an upper-case base32 digit, or nil.
    static func value(of digit: UInt8) -> Int? {
        switch digit {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): Int(digit - UInt8(ascii: "A"))
        case UInt8(ascii: "2")...UInt8(ascii: "7"): Int(digit - UInt8(ascii: "2")) + 26
        default: nil
        }
    }

    /// Decodes upper-case base32 with no padding; nil on any other character
    /// or on trailing bits that are not zero.
    static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for digit in text.utf8 {
            guard let value = value(of: digit) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                output.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        guard buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
        return output
    }
}
