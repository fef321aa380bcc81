import Crypto
import Testing
@testable import GlossCore

@Suite("Change encoding")
struct ChangeTests {
    static let knownLine = #"{"v":1,"ws":"aaaaaaaaaaaaaaaaaaaaaaaaaa","author":"EH7DDX5-BKSRGCK-YTL7BKA-I36SE4E-NXX3KLN-K7ELKS5-YQ57PI7-4XEG4QG","seq":1,"key":"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a","hlc":[1573689600000,0],"kind":"annotation","entity":"bbbbbbbbbbbbbbbbbbbbbbbbbb","parents":[],"ops":[["set","note","Spurious charges, article 443 — «trahison»\n"],["addTag","legal"]]}"#
    /// SHA-256 of `knownLine` and the RFC 8032 key's signature over it, both computed independently.
    static let knownID = "a36f8d01a251d8e8ec5519bedb6a1c8e8377f3f1beab55d3d1ee17995bd5514a"
    static let knownSignature = "f9937bd8de1f8babd15b6c9708611a18e6925040673520f6b4a68d407254748fe0b6c8e1a78424df88f317e87ab9431b8806d7a4ea0ec69e19cb583684e6220b"

    static var knownChange: Change {
        Change(workspace: Fixtures.workspace, author: Fixtures.key.id, seq: 1, previous: nil,
               publicKey: Array(Fixtures.key.publicKey.rawRepresentation),
               clock: HLCTimestamp(milliseconds: 1_573_689_600_000, counter: 0), kind: .annotation,
               entity: Fixtures.entity, parents: [],
               operations: [.set(field: "note", value: .string("Spurious charges, article 443 — «trahison»\n")), .addTag("legal")])
    }

    @Test("a change encodes to known bytes, id and signature")
    func knownAnswer() throws {
        let signed = SignedChange(signing: Self.knownChange, with: Fixtures.key)
        #expect(String(decoding: signed.bytes, as: UTF8.self) == Self.knownLine)
        #expect(signed.id.hex == Self.knownID)
        #expect(Hex.encode(signed.signature) == Self.knownSignature)
        #expect(signed.isSigned(by: Fixtures.key.publicKey))
    }

    @Test("known bytes decode to the change that wrote them, with the same id")
    func decodeKnown() throws {
        let received = try SignedChange(bytes: Array(Self.knownLine.utf8), signature: Fixtures.hex(Self.knownSignature))
        #expect(received.change == Self.knownChange)
        #expect(received.id.hex == Self.knownID)
        #expect(received.isSigned(by: Fixtures.key.publicKey))
    }

    @Test("a signature by another key, or over other bytes, does not verify")
    func wrongSignature() throws {
        let other = DeviceKey()
        let received = try SignedChange(bytes: Array(Self.knownLine.utf8), signature: Fixtures.hex(Self.knownSignature))
        #expect(!received.isSigned(by: other.publicKey))
        let altered = Self.knownLine.replacingOccurrences(of: "legal", with: "legat")
        let forged = try SignedChange(bytes: Array(altered.utf8), signature: Fixtures.hex(Self.knownSignature))
        #expect(!forged.isSigned(by: Fixtures.key.publicKey))
    }

    @Test("a later change carries prev instead of key, and sorted parents")
    func laterChange() throws {
        let first = SignedChange(signing: Self.knownChange, with: Fixtures.key)
        let parentB = ChangeID(hashing: [2]), parentA = ChangeID(hashing: [1])
        let change = Change(workspace: Fixtures.workspace, author: Fixtures.key.id, seq: 2, previous: first.id, publicKey: nil,
                            clock: HLCTimestamp(milliseconds: 1_573_689_600_000, counter: 1), kind: .annotation,
                            entity: Fixtures.entity, parents: [parentB, parentA, parentB], operations: [.delete])
        let line = String(decoding: change.encoded, as: UTF8.self)
        #expect(line.contains(#""seq":2,"prev":"\#(first.id.hex)","hlc":[1573689600000,1]"#))
        #expect(change.parents == [parentA, parentB].sorted())
        #expect(try Change(decoding: change.encoded) == change)
    }

    static let malformed: [(String, String)] = [
        ("whitespace", knownLine.replacingOccurrences(of: #""v":1,"#, with: #""v": 1,"#)),
        ("fields out of order", knownLine.replacingOccurrences(of: #""v":1,"ws":"aaaaaaaaaaaaaaaaaaaaaaaaaa","#, with: #""ws":"aaaaaaaaaaaaaaaaaaaaaaaaaa","v":1,"#)),
        ("a float", knownLine.replacingOccurrences(of: "[1573689600000,0]", with: "[1573689600000.0,0]")),
        ("a leading zero", knownLine.replacingOccurrences(of: "[1573689600000,0]", with: "[01573689600000,0]")),
        ("a needless escape", knownLine.replacingOccurrences(of: "legal", with: #"leg\u0061l"#)),
        ("an escaped slash", knownLine.replacingOccurrences(of: "legal", with: #"le\/gal"#)),
        ("a decomposed (non-NFC) string", knownLine.replacingOccurrences(of: "charges", with: "charge\u{301}s")),
        ("an unknown operation", knownLine.replacingOccurrences(of: #"["addTag","legal"]"#, with: #"["rename","legal"]"#)),
        ("a missing key at seq 1", knownLine.replacingOccurrences(of: #""key":"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a","#, with: "")),
        ("a key at seq 2", knownLine.replacingOccurrences(of: #""seq":1"#, with: #""seq":2"#)),
        ("a field after ops", String(knownLine.dropLast()) + #","x":1}"#),
        ("an unknown format version", knownLine.replacingOccurrences(of: #""v":1"#, with: #""v":2"#)),
        ("a lower-case author", knownLine.replacingOccurrences(of: "EH7DDX5", with: "eh7ddx5")),
        ("no operations", knownLine.replacingOccurrences(of: #""ops":[["set","note","Spurious charges, article 443 — «trahison»\n"],["addTag","legal"]]"#, with: #""ops":[]"#)),
        ("a trailing line feed", knownLine + "\n"),
        ("true", knownLine.replacingOccurrences(of: #""v":1"#, with: #""v":true"#)),
    ]

    @Test("bytes that are not the canonical form are refused", arguments: malformed)
    func refusesNonCanonical(_ name: String, _ line: String) {
        #expect(throws: ChangeFormatError.self, "\(name)") { try Change(decoding: Array(line.utf8)) }
    }

    @Test("invalid UTF-8 and overlong encodings are refused with the byte offset")
    func invalidUTF8() {
        var bytes = Array(Self.knownLine.utf8)
        let index = bytes.firstIndex(of: UInt8(ascii: "S"))!
        bytes[index] = 0xC0
        #expect(throws: ChangeFormatError("canonical JSON at byte \(index): expected valid UTF-8")) {
            try Change(decoding: bytes)
        }
    }

    @Test("a tag is one short word: printable ASCII and NFC words pass; spaces, control characters, more than 64 characters and other normal forms fail")
    func tagRules() {
        for tag in ["legal", "art.443", String(repeating: "x", count: 64), "trahison»", "Überprüft", String(repeating: "é", count: 64)] {
            #expect(Tag.problem(with: tag) == nil, "\(tag)")
        }
        for tag in ["", "two words", "tab\there", "del\u{7F}", "nbsp\u{A0}x", String(repeating: "x", count: 65),
                    String(repeating: "é", count: 65), "Cafe\u{301}"] {
            #expect(Tag.problem(with: tag) != nil, "\(tag.debugDescription)")
        }
    }

    @Test("a change with no operations, of the wrong entity for its kind, with a field its kind does not have, a string holding U+0000 or not in NFC, or a name holding a control character fails validation")
    func validation() throws {
        var change = Self.knownChange
        change.operations = [.set(field: "colour", value: .string("red"))]
        #expect(throws: ChangeFormatError.self) { try change.validate() }
        change.operations = [.set(field: "status", value: .string("done"))]
        #expect(throws: ChangeFormatError("a status (open, checked, verified, disputed), found \"done\"")) { try change.validate() }
        change.operations = [.addTag("two words")]
        #expect(throws: ChangeFormatError.self) { try change.validate() }
        change.operations = [.addTag("legal"), .removeTag("legal")]
        #expect(throws: ChangeFormatError("each field, tag or device at most once in a change, found tag \"legal\" twice")) {
            try change.validate()
        }
        change.operations = [.delete, .restore]
        #expect(throws: ChangeFormatError.self) { try change.validate() }
        // Decoding refuses it too; a change made in memory and signed must fail the same way.
        change.operations = []
        #expect(throws: ChangeFormatError("\"ops\" to be a non-empty array of operations")) { try change.validate() }
        // SQLite's text columns end a string at U+0000: no string in a change holds one.
        change.operations = [.set(field: "note", value: .string("before\u{0}after"))]
        #expect(throws: ChangeFormatError("strings without U+0000 (NUL), found one in note")) { try change.validate() }
        change.operations = [.set(field: "origin", value: .object([CanonicalJSON.Member("creator", .array([.string("\u{0}")]))]))]
        #expect(throws: ChangeFormatError("strings without U+0000 (NUL), found one in origin")) { try change.validate() }
        // Decoding refuses a string not in NFC, so a change made in memory cannot hold one either.
        change.operations = [.set(field: "note", value: .string("Cafe\u{301}"))]
        #expect(throws: ChangeFormatError("strings in NFC, found one in another form in note")) { try change.validate() }
        change.operations = [.set(field: "note", value: .string("Caf\u{E9}, 𝕏"))]
        try change.validate()
        change.operations = [.set(field: "status", value: .string("verified")), .addTag("ok")]
        try change.validate()
        // One workspace entity, the workspace's own.
        var usurper = change
        (usurper.kind, usurper.operations) = (.workspace, [.set(field: "name", value: .string("mine"))])
        #expect(throws: ChangeFormatError("a workspace change is of the workspace's own entity \(change.workspace), not bbbbbbbb")) {
            try usurper.validate()
        }
        usurper.entity = EntityID(rawValue: change.workspace.rawValue)!
        try usurper.validate()
        // Names are shown on one line, in every member's tables: no control characters.
        usurper.operations = [.set(field: "name", value: .string("Kem Sokha\ncase"))]
        #expect(throws: ChangeFormatError("a name on one line, without control characters, found U+000A")) { try usurper.validate() }
        usurper.operations = [.admit(Self.knownChange.author, name: "Dara\u{1B}[2J")]
        #expect(throws: ChangeFormatError("a device name on one line, without control characters, found U+001B")) { try usurper.validate() }
        usurper.operations = [.admit(Self.knownChange.author, name: "Dara Sok (laptop)")]
        try usurper.validate()
        change.entity = usurper.entity
        #expect(throws: ChangeFormatError("an annotation change is of an entity other than the workspace's")) { try change.validate() }
    }
}
