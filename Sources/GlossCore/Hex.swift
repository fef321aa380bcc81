/// Lower-case hexadecimal, the spelling of change ids and text hashes.
package enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    package static func encode<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes lower-case hex of exactly `count` bytes; nil otherwise.
    package static func decode(_ text: Substring.UTF8View, count: Int) -> [UInt8]? {
        guard text.count == count * 2 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(count)
        var high: UInt8?
        for digit in text {
            let value: UInt8
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = digit - UInt8(ascii: "a") + 10
            default: return nil
            }
            if let h = high {
                output.append(h << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        return output
    }
}
