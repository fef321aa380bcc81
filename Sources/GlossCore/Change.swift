/// The kinds of entity that changes edit.
public enum EntityKind: String, Hashable, Sendable, CaseIterable {
    /// The workspace itself: its name and its members.
    case workspace
    case statement
    case annotation
}

/// One immutable edit of one entity by one device: the unit of the log.
///
/// A change is written once, as one line of canonical JSON, and from then on
/// travels and is checked as those exact bytes (``SignedChange``). The fields
/// appear in this order (see `Protocol/changes.md`):
///
///     {"v":1,"ws":W,"author":D,"seq":N,("prev":H|"key":K),"hlc":[MS,C],
///      "kind":KIND,"entity":E,"parents":[H...],"ops":[OP...]}
///
/// `prev` (the id of the author's change `seq - 1`) is present exactly when
/// `seq > 1`; `key` (the author's Ed25519 public key, hex) exactly when
/// `seq == 1`, so every replica learns a device's key from its first change.
public struct Change: Hashable, Sendable {
    public static let formatVersion = 1

    public var workspace: WorkspaceID
    public var author: DeviceID
    public var seq: Int
    /// The author's previous change; nil exactly for `seq == 1`.
    public var previous: ChangeID?
    /// The author's public key (32 bytes); present exactly for `seq == 1`.
    public var publicKey: [UInt8]?
    public var clock: HLCTimestamp
    public var kind: EntityKind
    public var entity: EntityID
    /// The entity's heads the author had seen, sorted by id, no duplicates.
    public var parents: [ChangeID]
    public var operations: [ChangeOperation]

    public init(workspace: WorkspaceID, author: DeviceID, seq: Int, previous: ChangeID?, publicKey: [UInt8]?,
                clock: HLCTimestamp, kind: EntityKind, entity: EntityID, parents: [ChangeID],
                operations: [ChangeOperation]) {
        self.workspace = workspace
        self.author = author
        self.seq = seq
        self.previous = previous
        self.publicKey = publicKey
        self.clock = clock
        self.kind = kind
        self.entity = entity
        self.parents = parents.count < 2 ? parents : Array(Set(parents)).sorted()
        self.operations = operations
    }

    /// The canonical bytes of this change (no line feed).
    public var encoded: [UInt8] {
        var bytes = encodedHeader
        CanonicalJSON.array(operations.map(\.json)).encode(into: &bytes)
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// The canonical bytes up to the operations: everything before the
    /// `[` of `"ops":[...]}`. A change's bytes are this header, its
    /// operations' JSON array and a closing `}`, so a store can keep only the
    /// operations' bytes and re-create the rest from its columns.
    ///
    /// Every string in the header is an id, a hex digest or a kind name,
    /// none of which JSON escapes, so they are written as they are.
    package var encodedHeader: [UInt8] {
        let capacity = 128 + workspace.rawValue.utf8.count + author.rawValue.utf8.count + kind.rawValue.utf8.count
            + entity.rawValue.utf8.count + 3 * 20 + 67 * (2 + parents.count)
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            var bytes = ByteWriter(buffer)
            bytes.write("{\"v\":"); bytes.write(decimal: Self.formatVersion)
            bytes.write(",\"ws\":"); bytes.write(quoted: workspace.rawValue)
            bytes.write(",\"author\":"); bytes.write(quoted: author.rawValue)
            bytes.write(",\"seq\":"); bytes.write(decimal: seq)
            if let previous { bytes.write(",\"prev\":"); previous.withUnsafeBytes { bytes.write(quotedHexOf: $0) } }
            if let publicKey { publicKey.withUnsafeBytes { bytes.write(",\"key\":"); bytes.write(quotedHexOf: $0) } }
            bytes.write(",\"hlc\":["); bytes.write(decimal: clock.milliseconds)
            bytes.write(","); bytes.write(decimal: clock.counter)
            bytes.write("],\"kind\":"); bytes.write(quoted: kind.rawValue)
            bytes.write(",\"entity\":"); bytes.write(quoted: entity.rawValue)
            bytes.write(",\"parents\":[")
            for (index, parent) in parents.enumerated() {
                if index > 0 { bytes.write(",") }
                parent.withUnsafeBytes { bytes.write(quotedHexOf: $0) }
            }
            bytes.write("],\"ops\":")
            count = bytes.count
        }
    }

    /// Reads the operations of a change from their canonical JSON array, as
    /// they follow ``encodedHeader`` in its bytes: straight into their
    /// cases when well formed, through the JSON tree (which says what is
    /// wrong) otherwise.
    ///
    /// - Throws: ``ChangeFormatError`` when the bytes are not a non-empty
    ///   array of operations in canonical JSON.
    package static func operations(decoding bytes: ArraySlice<UInt8>) throws(ChangeFormatError) -> [ChangeOperation] {
        var parser = CanonicalJSONParser(bytes: Array(bytes))
        if let operations = try? ChangeOperation.readDirectly(&parser), parser.position == parser.bytes.count { return operations }
        let json: CanonicalJSON
        do {
            json = try CanonicalJSON(parsing: parser.bytes)
        } catch {
            throw ChangeFormatError("canonical JSON \(error)")
        }
        return try operations(json)
    }

    private static func operations(_ json: CanonicalJSON) throws(ChangeFormatError) -> [ChangeOperation] {
        guard case .array(let values) = json, !values.isEmpty else {
            throw ChangeFormatError("\"ops\" to be a non-empty array of operations")
        }
        var operations: [ChangeOperation] = []
        for value in values { operations.append(try ChangeOperation(json: value)) }
        return operations
    }

    /// Reads a change from its canonical bytes.
    ///
    /// - Throws: ``ChangeFormatError`` when the bytes are not canonical JSON,
    ///   a field is missing, misplaced, of the wrong type or out of range.
    public init(decoding bytes: some Collection<UInt8>) throws(ChangeFormatError) {
        let bytes = Array(bytes)
        if let change = Self.readDirectly(bytes) {
            self = change
        } else {
            try self.init(readingObject: bytes)
        }
    }

    /// The general reading of ``init(decoding:)``: the bytes parsed as
    /// canonical JSON, then the object's fields read in their order. Slower
    /// than ``readDirectly(_:)``, it says what is wrong with bytes it refuses.
    package init(readingObject bytes: [UInt8]) throws(ChangeFormatError) {
        let json: CanonicalJSON
        do {
            json = try CanonicalJSON(parsing: bytes)
        } catch {
            throw ChangeFormatError("canonical JSON \(error)")
        }
        guard case .object(let members) = json else { throw ChangeFormatError("a JSON object") }
        var fields = FieldReader(members: members)

        let version = try fields.integer("v")
        guard version == Self.formatVersion else {
            throw ChangeFormatError("format version \(Self.formatVersion), found \(version)")
        }
        guard let workspace = WorkspaceID(rawValue: try fields.string("ws")) else {
            throw ChangeFormatError("\"ws\" to be a workspace id (26 base32 characters)")
        }
        guard let author = DeviceID(rawValue: try fields.string("author")) else {
            throw ChangeFormatError("\"author\" to be a device id in canonical form")
        }
        let seq = try fields.integer("seq")
        guard seq >= 1 else { throw ChangeFormatError("\"seq\" of at least 1, found 0") }
        var previous: ChangeID?
        var publicKey: [UInt8]?
        if seq > 1 {
            guard let id = ChangeID(hex: try fields.string("prev")) else {
                throw ChangeFormatError("\"prev\" to be a change id (64 lower-case hex digits)")
            }
            previous = id
        } else {
            guard let key = Hex.decode(Substring(try fields.string("key")).utf8, count: 32) else {
                throw ChangeFormatError("\"key\" to be a public key (64 lower-case hex digits)")
            }
            publicKey = key
        }
        guard case .array(let hlc) = try fields.value("hlc"), hlc.count == 2,
              case .integer(let milliseconds) = hlc[0], case .integer(let counter) = hlc[1] else {
            throw ChangeFormatError("\"hlc\" to be [milliseconds,counter]")
        }
        guard let kind = EntityKind(rawValue: try fields.string("kind")) else {
            throw ChangeFormatError("\"kind\" to be workspace, statement or annotation")
        }
        guard let entity = EntityID(rawValue: try fields.string("entity")) else {
            throw ChangeFormatError("\"entity\" to be an entity id (26 base32 characters)")
        }
        guard case .array(let parentValues) = try fields.value("parents") else {
            throw ChangeFormatError("\"parents\" to be an array of change ids")
        }
        var parents: [ChangeID] = []
        for value in parentValues {
            guard case .string(let hex) = value, let id = ChangeID(hex: hex) else {
                throw ChangeFormatError("\"parents\" to be an array of change ids")
            }
            guard parents.last.map({ $0 < id }) ?? true else {
                throw ChangeFormatError("\"parents\" sorted with no duplicates")
            }
            parents.append(id)
        }
        let operations = try Self.operations(try fields.value("ops"))
        try fields.end()

        self.init(workspace: workspace, author: author, seq: seq, previous: previous, publicKey: publicKey,
                  clock: HLCTimestamp(milliseconds: milliseconds, counter: counter), kind: kind,
                  entity: entity, parents: parents, operations: operations)
    }
}

extension Change {
    /// What ``init(decoding:)`` reads from a well-formed change, read field
    /// by field in their required order, without first building the JSON
    /// object; nil for anything else. A clone reads every change this way:
    /// building and freeing the object was half the cost of reading one.
    ///
    /// It accepts exactly what the general reading accepts, and gives the
    /// same change (property-tested); bytes it does not accept go to that
    /// reading, which refuses them or reads them, and says why it refused.
    package static func readDirectly(_ bytes: [UInt8]) -> Change? {
        var parser = CanonicalJSONParser(bytes: bytes)
        do {
            guard parser.skip("{\"v\":"), try parser.integerIfPresent() == formatVersion,
                  parser.skip(",\"ws\":"), let workspace = try parser.stringIfPresent().flatMap(WorkspaceID.init(rawValue:)),
                  parser.skip(",\"author\":"), let author = try parser.stringIfPresent().flatMap(DeviceID.init(rawValue:)),
                  parser.skip(",\"seq\":"), let seq = try parser.integerIfPresent(), seq >= 1 else { return nil }
            var previous: ChangeID?
            var publicKey: [UInt8]?
            if seq > 1 {
                guard parser.skip(",\"prev\":"), let id = parser.hexIfPresent(count: 32).flatMap(ChangeID.init(bytes:)) else { return nil }
                previous = id
            } else {
                guard parser.skip(",\"key\":"), let key = parser.hexIfPresent(count: 32) else { return nil }
                publicKey = key
            }
            guard parser.skip(",\"hlc\":["), let milliseconds = try parser.integerIfPresent(),
                  parser.skip(","), let counter = try parser.integerIfPresent(), parser.skip("]"),
                  parser.skip(",\"kind\":"), let kind = try parser.stringIfPresent().flatMap(EntityKind.init(rawValue:)),
                  parser.skip(",\"entity\":"), let entity = try parser.stringIfPresent().flatMap(EntityID.init(rawValue:)),
                  parser.skip(",\"parents\":[") else { return nil }
            var parents: [ChangeID] = []
            while !parser.skip("]") {
                guard parents.isEmpty || parser.skip(","), let id = parser.hexIfPresent(count: 32).flatMap(ChangeID.init(bytes:)),
                      parents.last.map({ $0 < id }) ?? true else { return nil }
                parents.append(id)
            }
            guard parser.skip(",\"ops\":"), let operations = try ChangeOperation.readDirectly(&parser),
                  parser.skip("}"), parser.position == bytes.count else { return nil }
            return Change(workspace: workspace, author: author, seq: seq, previous: previous, publicKey: publicKey,
                          clock: HLCTimestamp(milliseconds: milliseconds, counter: counter), kind: kind,
                          entity: entity, parents: parents, operations: operations)
        } catch {
            return nil
        }
    }
}

/// Reads an object's members in their required order.
private struct FieldReader {
    var members: ArraySlice<CanonicalJSON.Member>

    init(members: [CanonicalJSON.Member]) { self.members = members[...] }

    mutating func value(_ key: String) throws(ChangeFormatError) -> CanonicalJSON {
        guard let member = members.first else { throw ChangeFormatError("field \"\(key)\", found the end") }
        guard member.key == key else { throw ChangeFormatError("field \"\(key)\", found \"\(member.key)\"") }
        members = members.dropFirst()
        return member.value
    }

    mutating func string(_ key: String) throws(ChangeFormatError) -> String {
        guard case .string(let string) = try value(key) else { throw ChangeFormatError("\"\(key)\" to be a string") }
        return string
    }

    mutating func integer(_ key: String) throws(ChangeFormatError) -> Int {
        guard case .integer(let integer) = try value(key) else { throw ChangeFormatError("\"\(key)\" to be an integer") }
        return integer
    }

    func end() throws(ChangeFormatError) {
        if let extra = members.first { throw ChangeFormatError("no field after \"ops\", found \"\(extra.key)\"") }
    }
}

/// The pieces of ``Change/encodedHeader``, written straight into a buffer
/// sized for them: every change read from or written to the log is
/// encoded this way.
private struct ByteWriter {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

    mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        precondition(count + bytes.count <= buffer.count, "a change's header outgrew the room counted for it")
        _ = UnsafeMutableBufferPointer(rebasing: buffer[count...]).initialize(fromContentsOf: bytes)
        count += bytes.count
    }

    mutating func write(_ literal: StaticString) {
        write(UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    mutating func write(byte: UInt8) {
        precondition(count < buffer.count, "a change's header outgrew the room counted for it")
        buffer.initializeElement(at: count, to: byte)
        count += 1
    }

    /// A string needing no escapes, quoted.
    mutating func write(quoted text: String) {
        write(byte: UInt8(ascii: "\""))
        if text.utf8.withContiguousStorageIfAvailable({ write($0) }) == nil { Array(text.utf8).withUnsafeBufferPointer { write($0) } }
        write(byte: UInt8(ascii: "\""))
    }

    mutating func write(quotedHexOf bytes: UnsafeRawBufferPointer) {
        write(byte: UInt8(ascii: "\""))
        precondition(count + 2 * bytes.count <= buffer.count, "a change's header outgrew the room counted for it")
        for byte in bytes {
            buffer.initializeElement(at: count, to: Hex.digit(byte >> 4))
            buffer.initializeElement(at: count + 1, to: Hex.digit(byte & 0x0F))
            count += 2
        }
        write(byte: UInt8(ascii: "\""))
    }

    /// `number` in decimal, as `String(number)` writes it.
    mutating func write(decimal number: Int) {
        if number < 0 { write(byte: UInt8(ascii: "-")) }
        var rest = number.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in  // UInt.max has 20
            var first = digits.endIndex
            repeat {
                first -= 1
                digits[first] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            write(UnsafeBufferPointer(rebasing: digits[first...]))
        }
    }
}
