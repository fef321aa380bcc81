/// Why bytes are not canonical JSON: the byte offset and what was expected.
public struct CanonicalJSONError: Error, Equatable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var expected: String

    public var description: String { "at byte \(offset): expected \(expected)" }
}

extension CanonicalJSON {
    /// Parses `bytes`, accepting only the canonical spelling of a value.
    ///
    /// Grammar (RFC 5234), over UTF-8 bytes:
    ///
    ///     value   = string / integer / array / object
    ///     object  = "{" [ member *( "," member ) ] "}"
    ///     member  = string ":" value
    ///     array   = "[" [ value *( "," value ) ] "]"
    ///     integer = "0" / ( %x31-39 *DIGIT )        ; at most 2^53 - 1
    ///     string  = DQUOTE *char DQUOTE             ; NFC, valid UTF-8
    ///     char    = %x20-21 / %x23-5B / %x5D-10FFFF ; raw, never escaped
    ///             / "\" ( DQUOTE / "\" / "b" / "f" / "n" / "r" / "t" )
    ///             / "\u00" ( "0" / "1" ) HEXLOWER   ; other controls only
    ///
    /// - Throws: ``CanonicalJSONError`` naming the first offending byte.
    /// - Complexity: O(n) in the number of bytes.
    public init(parsing bytes: some Collection<UInt8>) throws(CanonicalJSONError) {
        var parser = CanonicalJSONParser(bytes: Array(bytes))
        self = try parser.value(depth: 0)
        guard parser.position == parser.bytes.count else {
            throw parser.error("end of input")
        }
    }
}

/// Reads canonical JSON from bytes, a value or a piece at a time.
struct CanonicalJSONParser {
    let bytes: [UInt8]
    var position = 0
    static let maximumDepth = 16

    /// The string that starts at the position, or nil if none does.
    mutating func stringIfPresent() throws(CanonicalJSONError) -> String? {
        next == UInt8(ascii: "\"") ? try string() : nil
    }

    /// The `count` bytes whose lower-case hex digits, quoted, start at the
    /// position; nil if none do. Reads an id without making a string of it.
    mutating func hexIfPresent(count: Int) -> [UInt8]? {
        let end = position + 2 * count + 1  // the closing quote
        guard end < bytes.count, bytes[position] == UInt8(ascii: "\""), bytes[end] == UInt8(ascii: "\""),
              let decoded = Hex.decode(bytes[(position + 1)..<end], count: count) else { return nil }
        position = end + 1
        return decoded
    }

    /// The integer that starts at the position, or nil if none does.
    mutating func integerIfPresent() throws(CanonicalJSONError) -> Int? {
        guard let digit = next, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
        return try integer()
    }

    /// Whether the bytes at the position are `literal`; if so, moves past them.
    mutating func skip(_ literal: StaticString) -> Bool {
        let (start, length) = (literal.utf8Start, literal.utf8CodeUnitCount)
        guard position + length <= bytes.count else { return false }
        for offset in 0..<length where bytes[position + offset] != start[offset] { return false }
        position += length
        return true
    }

    func error(_ expected: String) -> CanonicalJSONError {
        CanonicalJSONError(offset: position, expected: expected)
    }

    var next: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func expect(_ byte: UInt8) throws(CanonicalJSONError) {
        guard next == byte else { throw error("'\(Character(Unicode.Scalar(byte)))'") }
        position += 1
    }

    mutating func value(depth: Int) throws(CanonicalJSONError) -> CanonicalJSON {
        guard depth < Self.maximumDepth else { throw error("at most \(Self.maximumDepth) levels of nesting") }
        switch next {
        case UInt8(ascii: "\""): return .string(try string())
        case let digit? where (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit): return .integer(try integer())
        case UInt8(ascii: "["):
            position += 1
            var elements: [CanonicalJSON] = []
            if next == UInt8(ascii: "]") { position += 1; return .array(elements) }
            while true {
                elements.append(try value(depth: depth + 1))
                if next == UInt8(ascii: "]") { position += 1; return .array(elements) }
                try expect(UInt8(ascii: ","))
            }
        case UInt8(ascii: "{"):
            position += 1
            var members: [CanonicalJSON.Member] = []
            if next == UInt8(ascii: "}") { position += 1; return .object(members) }
            while true {
                guard next == UInt8(ascii: "\"") else { throw error("a string key") }
                let key = try string()
                try expect(UInt8(ascii: ":"))
                members.append(.init(key, try value(depth: depth + 1)))
                if next == UInt8(ascii: "}") { position += 1; return .object(members) }
                try expect(UInt8(ascii: ","))
            }
        default:
            throw error("a string, a non-negative integer, an array or an object")
        }
    }

    mutating func integer() throws(CanonicalJSONError) -> Int {
        let start = position
        var value = 0
        while let digit = next, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) {
            if position > start && bytes[start] == UInt8(ascii: "0") {
                throw CanonicalJSONError(offset: start, expected: "an integer without leading zeros")
            }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
            guard value <= CanonicalJSON.maximumInteger else {
                throw CanonicalJSONError(offset: start, expected: "an integer at most 2^53 - 1")
            }
            position += 1
        }
        if let byte = next, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(byte) {
            throw error("an integer (no fractions or exponents)")
        }
        return value
    }

    mutating func string() throws(CanonicalJSONError) -> String {
        let start = position
        position += 1
        // Most strings are printable ASCII with nothing escaped: read them
        // whole. ASCII is always NFC.
        var end = position
        while end < bytes.count, case let byte = bytes[end], byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\""),
              byte != UInt8(ascii: "\\") {
            end += 1
        }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            position = end + 1
            return String(decoding: bytes[(start + 1)..<end], as: UTF8.self)
        }
        var scalars = String.UnicodeScalarView()
        while true {
            guard let byte = next else { throw error("'\"' to close the string") }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                let string = String(scalars)
                guard string.isNFC else {
                    throw CanonicalJSONError(offset: start, expected: "an NFC-normalised string")
                }
                return string
            case UInt8(ascii: "\\"):
                scalars.append(try escape())
            case 0x00..<0x20:
                throw error("a control character written as an escape")
            case 0x00..<0x80:
                scalars.append(Unicode.Scalar(byte))
                position += 1
            default:
                scalars.append(try multibyteScalar())
            }
        }
    }

    mutating func escape() throws(CanonicalJSONError) -> Unicode.Scalar {
        position += 1
        guard let letter = next else { throw error("an escape") }
        position += 1
        switch letter {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            guard position + 4 <= bytes.count,
                  bytes[position] == UInt8(ascii: "0"), bytes[position + 1] == UInt8(ascii: "0"),
                  let value = Hex.decode(Substring(decoding: bytes[position + 2..<position + 4], as: UTF8.self).utf8, count: 1)?.first,
                  value < 0x20, ![0x08, 0x09, 0x0A, 0x0C, 0x0D].contains(value) else {
                throw error("\\u00 and two lower-case hex digits, only for a control character without a short escape")
            }
            position += 4
            return Unicode.Scalar(value)
        default:
            position -= 1
            throw error("one of the escapes \\\" \\\\ \\b \\f \\n \\r \\t \\u00xx")
        }
    }

    /// Decodes one UTF-8 sequence of two to four bytes, refusing overlong
    /// forms, surrogates and values past U+10FFFF.
    mutating func multibyteScalar() throws(CanonicalJSONError) -> Unicode.Scalar {
        let lead = bytes[position]
        let (length, minimum, initial): (Int, UInt32, UInt32) = switch lead {
        case 0xC2...0xDF: (2, 0x80, UInt32(lead & 0x1F))
        case 0xE0...0xEF: (3, 0x800, UInt32(lead & 0x0F))
        case 0xF0...0xF4: (4, 0x10000, UInt32(lead & 0x07))
        default: (0, 0, 0)
        }
        guard length > 0, position + length <= bytes.count else { throw error("valid UTF-8") }
        var value = initial
        for offset in 1..<length {
            let continuation = bytes[position + offset]
            guard continuation & 0xC0 == 0x80 else { throw error("valid UTF-8") }
            value = value << 6 | UInt32(continuation & 0x3F)
        }
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { throw error("valid UTF-8") }
        position += length
        return scalar
    }
}
