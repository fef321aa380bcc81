import Foundation

/// Any JSON value, as read from a file of another tool's making: the
/// types are kept apart (a `true` is never the number 1).
public enum JSONValue: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses `bytes` as one JSON document.
    public init(parsing bytes: [UInt8]) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { members[key] } else { nil }
    }

    public var string: String? {
        if case .string(let string) = self { string } else { nil }
    }

    /// The value as a non-negative integer, when it is one exactly.
    public var count: Int? {
        guard case .number(let number) = self, number >= 0, number < 9_007_199_254_740_992 else { return nil }
        return Int(exactly: number)
    }

    /// JSON-LD's "one or many": an array's elements, or the value alone.
    public var elements: [JSONValue] {
        switch self {
        case .array(let elements): elements
        case .null: []
        default: [self]
        }
    }

    /// The strings of a "one or many" value.
    public var strings: [String] { elements.compactMap(\.string) }

    /// The value's JSON-LD types (`type` or `@type`), without an `oa:` prefix.
    public var types: [String] {
        ((self["type"] ?? self["@type"])?.strings ?? []).map { $0.hasPrefix("oa:") ? String($0.dropFirst(3)) : $0 }
    }
}

extension JSONValue {
    /// Whether a string or key anywhere in the value holds U+0000.
    var holdsNUL: Bool {
        switch self {
        case .null, .bool, .number: false
        case .string(let string): string.utf8.contains(0)
        case .array(let elements): elements.contains(where: \.holdsNUL)
        case .object(let members): members.contains { $0.key.utf8.contains(0) || $0.value.holdsNUL }
        }
    }
}
