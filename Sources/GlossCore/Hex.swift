/// Lower-case hexadecimal, the spelling of change ids and text hashes.
package enum Hex {
    package static func encode<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        if let text = bytes.withContiguousStorageIfAvailable(encode(buffer:)) { return text }
        return Array(bytes).withUnsafeBufferPointer(encode(buffer:))
    }

    private static func encode(buffer bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: 2 * bytes.count) { output in
            for (index, byte) in bytes.enumerated() {
                output[2 * index] = digit(byte >> 4)
                output[2 * index + 1] = digit(byte & 0x0F)
            }
            return 2 * bytes.count
        }
    }

    /// The lower-case hex digit of a value below 16.
    @inline(__always) package static func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
    }

    /// Decodes lower-case hex of exactly `count` bytes; nil otherwise.
    package static func decode(_ text: some Collection<UInt8>, count: Int) -> [UInt8]? {
        var valid = false
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            valid = decode(text, into: UnsafeMutableRawBufferPointer(output))
            initialized = valid ? count : 0
        }
        return valid ? bytes : nil
    }

    /// Decodes lower-case hex of exactly `output.count` bytes into
    /// `output`; false, leaving `output` undefined, otherwise.
    package static func decode(_ text: some Collection<UInt8>, into output: UnsafeMutableRawBufferPointer) -> Bool {
        guard text.count == output.count * 2 else { return false }
        func decode(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
            for index in output.indices {
                let high = value(text[2 * index]), low = value(text[2 * index + 1])
                guard high < 16, low < 16 else { return false }
                output[index] = high << 4 | low
            }
            return true
        }
        if let valid = text.withContiguousStorageIfAvailable(decode) { return valid }
        return Array(text).withUnsafeBufferPointer(decode)
    }

    /// A lower-case hex digit's value; 16 or more for any other byte.
    @inline(__always) private static func value(_ digit: UInt8) -> UInt8 {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: 16
        }
    }
}
