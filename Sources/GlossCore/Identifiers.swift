import Foundation
import Crypto

/// The SHA-256 of a change's exact bytes: its identity everywhere.
///
/// Held inline as four words, so that an id costs no allocation, and
/// compares and hashes in a few steps: a clone handles several per change.
public struct ChangeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 32 bytes read as four big-endian words, in order: comparing the
    /// words compares the bytes.
    private let words: (UInt64, UInt64, UInt64, UInt64)

    /// The id whose 32 bytes are `bytes`; nil for any other count.
    public init?(bytes: some ContiguousBytes) {
        guard let id = bytes.withUnsafeBytes({ $0.count == 32 ? ChangeID(buffer: $0) : nil }) else { return nil }
        self = id
    }

    private init(buffer: UnsafeRawBufferPointer) {
        func word(_ index: Int) -> UInt64 { UInt64(bigEndian: buffer.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self)) }
        words = (word(0), word(1), word(2), word(3))
    }

    /// The id of the change whose encoding is `line`.
    public init<Line: DataProtocol>(hashing line: Line) {
        self = SHA256.hash(data: line).withUnsafeBytes(ChangeID.init(buffer:))
    }

    /// Reads the 64 lower-case hex digits of a change id.
    public init?(hex: some StringProtocol) {
        var bytes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        guard Swift.withUnsafeMutableBytes(of: &bytes, { Hex.decode(Substring(hex).utf8, into: $0) }) else { return nil }
        self = Swift.withUnsafeBytes(of: &bytes, ChangeID.init(buffer:))
    }

    /// The 32 bytes of the hash.
    public var bytes: [UInt8] { withUnsafeBytes { Array($0) } }

    /// The 32 bytes of the hash, as SQLite stores them.
    public var data: Data { withUnsafeBytes { Data($0) } }

    /// Calls `body` with the 32 bytes of the hash.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        var bytes = (words.0.bigEndian, words.1.bigEndian, words.2.bigEndian, words.3.bigEndian)
        return try Swift.withUnsafeBytes(of: &bytes, body)
    }

    public var hex: String { withUnsafeBytes { Hex.encode($0) } }
    public var description: String { hex }

    /// Hashes the first word, which is already uniform (a SHA-256's).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
    }

    public static func == (lhs: ChangeID, rhs: ChangeID) -> Bool {
        lhs.words == rhs.words
    }

    public static func < (lhs: ChangeID, rhs: ChangeID) -> Bool {
        lhs.words < rhs.words
    }
}

/// Identifies a workspace: every replica of one team workspace shares it.
///
/// 128 random bits, 26 lower-case base32 characters.
public struct WorkspaceID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init?(rawValue: String) {
        guard EntityID.isWellFormed(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// A new random workspace id.
    public static func random(using generator: inout some RandomNumberGenerator) -> WorkspaceID {
        let bytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return WorkspaceID(rawValue: Base32.encode(bytes).lowercased())!
    }

    public var description: String { rawValue }
}

/// Identifies a statement or an annotation: 26 lower-case base32 characters.
public struct EntityID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    /// The text's hash, taken once, when the id is made: a clone looks up
    /// each change's entity and author some 25 times, and hashing the whole
    /// text at each lookup was a sixth of its work. Like every `String`
    /// hash it is seeded anew in each process, so ids chosen by a hostile
    /// peer cannot be made to collide.
    private let textHash: Int

    public init?(rawValue: String) {
        guard Self.isWellFormed(rawValue) else { return nil }
        self.rawValue = rawValue
        textHash = rawValue.hashValue
    }

    /// The id of the entity created by the change `seq` of `author`: the first
    /// 128 bits of SHA-256 over "gloss-entity", the author and the sequence
    /// number. Unique because an author never reuses a sequence number, and
    /// reproducible, so no randomness is needed to write a change.
    public init(createdBy author: DeviceID, seq: Int) {
        let digest = SHA256.hash(data: Array("gloss-entity \(author) \(seq)".utf8))
        rawValue = Base32.encode(digest.prefix(16)).lowercased()
        textHash = rawValue.hashValue
    }

    /// The first eight characters, how ids are shown in tables.
    public var short: String { String(rawValue.prefix(8)) }
    public var description: String { rawValue }

    public static func < (lhs: EntityID, rhs: EntityID) -> Bool { lhs.rawValue < rhs.rawValue }

    public static func == (lhs: EntityID, rhs: EntityID) -> Bool {
        lhs.textHash == rhs.textHash && lhs.rawValue == rhs.rawValue
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(textHash) }

    static func isWellFormed(_ text: String) -> Bool {
        var text = text  // `withUTF8` reads the bytes in place, faster than the view's iterator
        // a to z, or 2 to 7 (a wrapping difference is below the range's size only inside it)
        return text.utf8.count == 26 && text.withUTF8 { $0.allSatisfy { $0 &- UInt8(ascii: "a") < 26 || $0 &- UInt8(ascii: "2") < 6 } }
    }
}

/// The SHA-256 of a statement revision's NFC text in UTF-8.
public struct RevisionHash: Hashable, Sendable, CustomStringConvertible {
    public let hex: String

    public init?(hex: String) {
        guard Hex.decode(Substring(hex).utf8, count: 32) != nil else { return nil }
        self.hex = hex
    }

    /// The hash of `text`, which must already be NFC.
    public init(text: String) {
        hex = Hex.encode(SHA256.hash(data: Array(text.utf8)))
    }

    public var description: String { hex }
}
