/// One edit inside a change.
///
/// Written as a JSON array whose first element names the operation:
/// `["set",FIELD,VALUE]`, `["addTag",TAG]`, `["removeTag",TAG]`, `["delete"]`,
/// `["restore"]`, `["admit",DEVICE-ID,NAME]`, `["revoke",DEVICE-ID,LAST-SEQ]`.
public enum ChangeOperation: Hashable, Sendable {
    /// Sets a field of the entity (a register: the last write wins).
    case set(field: String, value: CanonicalJSON)
    case addTag(String)
    case removeTag(String)
    case delete
    case restore
    /// Makes a device a member of the workspace under a human name.
    case admit(DeviceID, name: String)
    /// Removes a device from the workspace for good. Its changes up to
    /// `lastSeq` (the last one the remover had seen) stay valid; later ones
    /// never take effect.
    case revoke(DeviceID, lastSeq: Int)

    var json: CanonicalJSON {
        switch self {
        case .set(let field, let value): .array([.string("set"), .string(field), value])
        case .addTag(let tag): .array([.string("addTag"), .string(tag)])
        case .removeTag(let tag): .array([.string("removeTag"), .string(tag)])
        case .delete: .array([.string("delete")])
        case .restore: .array([.string("restore")])
        case .admit(let device, let name): .array([.string("admit"), .string(device.rawValue), .string(name)])
        case .revoke(let device, let lastSeq): .array([.string("revoke"), .string(device.rawValue), .integer(lastSeq)])
        }
    }

    init(json: CanonicalJSON) throws(ChangeFormatError) {
        guard case .array(let elements) = json, case .string(let verb)? = elements.first else {
            throw ChangeFormatError("an operation is an array starting with its name")
        }
        let arguments = Array(elements.dropFirst())
        func strings(_ count: Int) throws(ChangeFormatError) -> [String] {
            let strings = arguments.compactMap { argument -> String? in
                if case .string(let string) = argument { string } else { nil }
            }
            guard arguments.count == count, strings.count == count else {
                throw ChangeFormatError("\"\(verb)\" with \(count) string argument(s)")
            }
            return strings
        }
        switch verb {
        case "set":
            guard arguments.count == 2, case .string(let field) = arguments[0] else {
                throw ChangeFormatError("\"set\" with a field name and a value")
            }
            self = .set(field: field, value: arguments[1])
        case "addTag":
            self = .addTag(try strings(1)[0])
        case "removeTag":
            self = .removeTag(try strings(1)[0])
        case "delete":
            _ = try strings(0)
            self = .delete
        case "restore":
            _ = try strings(0)
            self = .restore
        case "admit":
            let values = try strings(2)
            guard let id = DeviceID(rawValue: values[0]) else {
                throw ChangeFormatError("admit names a device id in canonical form, found \"\(values[0])\"")
            }
            self = .admit(id, name: values[1])
        case "revoke":
            guard arguments.count == 2, case .string(let device) = arguments[0], let id = DeviceID(rawValue: device),
                  case .integer(let lastSeq) = arguments[1] else {
                throw ChangeFormatError("\"revoke\" with a device id in canonical form and a seq")
            }
            self = .revoke(id, lastSeq: lastSeq)
        default:
            throw ChangeFormatError("an operation set, addTag, removeTag, delete, restore, admit or revoke, found \"\(verb)\"")
        }
    }
}

extension ChangeOperation {
    /// Reads a well-formed array of operations at the parser's position, as
    /// ``Change/readDirectly(_:)`` reads the rest of a change: each
    /// operation straight into its case, without first building its JSON
    /// array. Nil for anything else, which the general reading refuses or
    /// reads, and says why.
    static func readDirectly(_ parser: inout CanonicalJSONParser) throws(CanonicalJSONError) -> [ChangeOperation]? {
        guard parser.skip("[") else { return nil }
        var operations: [ChangeOperation] = []
        repeat {
            guard let operation = try readOne(&parser), parser.skip("]") else { return nil }
            operations.append(operation)
        } while parser.skip(",")
        return parser.skip("]") ? operations : nil
    }

    /// One operation, but for its closing `]`. A value is read at the depth
    /// the general reading gives it: in an operation, in the array of them.
    private static func readOne(_ parser: inout CanonicalJSONParser) throws(CanonicalJSONError) -> ChangeOperation? {
        if parser.skip("[\"set\",") {
            guard let field = try parser.stringIfPresent(), parser.skip(",") else { return nil }
            return .set(field: field, value: try parser.value(depth: 3))
        }
        if parser.skip("[\"addTag\",") { return try parser.stringIfPresent().map(ChangeOperation.addTag) }
        if parser.skip("[\"removeTag\",") { return try parser.stringIfPresent().map(ChangeOperation.removeTag) }
        if parser.skip("[\"delete\"") { return .delete }
        if parser.skip("[\"restore\"") { return .restore }
        if parser.skip("[\"admit\",") {
            guard let device = try parser.stringIfPresent().flatMap(DeviceID.init(rawValue:)), parser.skip(","),
                  let name = try parser.stringIfPresent() else { return nil }
            return .admit(device, name: name)
        }
        if parser.skip("[\"revoke\",") {
            guard let device = try parser.stringIfPresent().flatMap(DeviceID.init(rawValue:)), parser.skip(","),
                  let lastSeq = try parser.integerIfPresent() else { return nil }
            return .revoke(device, lastSeq: lastSeq)
        }
        return nil
    }
}

/// Why bytes are not a well-formed change.
public struct ChangeFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
