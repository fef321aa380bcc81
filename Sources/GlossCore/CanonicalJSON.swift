import Foundation

/// The JSON subset in which changes are written, with exactly one spelling
/// for every value (see `Protocol/changes.md`, "Canonical JSON").
///
/// Values are strings, non-negative integers up to 2^53 - 1, arrays and
/// objects whose keys keep the order they were written in. There is no
/// whitespace, no float, no `true`/`false`/`null`. Strings are NFC and escape
/// only what JSON requires, with the short escapes where JSON has them and
/// `\u00xx` (lower-case hex) for the other control characters, as in
/// RFC 8785.
public enum CanonicalJSON: Hashable, Sendable {
    case string(String)
    case integer(Int)
    case array([CanonicalJSON])
    case object([Member])

    public struct Member: Hashable, Sendable {
        public var key: String
        public var value: CanonicalJSON

        public init(_ key: String, _ value: CanonicalJSON) {
            self.key = key
            self.value = value
        }
    }

    /// The largest integer every JSON reader holds exactly (2^53 - 1).
    public static let maximumInteger = 9_007_199_254_740_991

    /// The canonical bytes of this value.
    public var encoded: [UInt8] {
        var output: [UInt8] = []
        encode(into: &output)
        return output
    }

    public func encode(into output: inout [UInt8]) {
        switch self {
        case .string(let string):
            Self.encode(string, into: &output)
        case .integer(let integer):
            output += Array(String(integer).utf8)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.encode(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                Self.encode(member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                member.value.encode(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func encode(_ string: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x08: output += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x09: output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x0A: output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0C: output += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0x0D: output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x00..<0x20: output += Array("\\u00".utf8) + Array(Hex.encode([byte]).utf8)
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

extension String {
    /// This string in Unicode Normalization Form C.
    public var nfc: String { precomposedStringWithCanonicalMapping }

    /// Whether this string is already NFC, compared scalar by scalar (Swift's
    /// `==` would call canonically equivalent strings equal). ASCII is always
    /// NFC, and is answered without normalizing.
    public var isNFC: Bool {
        !utf8.contains(where: { $0 >= 0x80 }) || nfc.unicodeScalars.elementsEqual(unicodeScalars)
    }
}
