import Testing
@testable import GlossCore

@Suite("Canonical JSON")
struct CanonicalJSONTests {
    @Test("strings escape only what JSON requires, with short escapes where they exist")
    func escaping() {
        let value = CanonicalJSON.string("a\"b\\c\n\t\r\u{08}\u{0C}\u{01}\u{1F}/é\u{7F}😀")
        #expect(String(decoding: value.encoded, as: UTF8.self) == #""a\"b\\c\n\t\r\b\f\u0001\u001f/é"# + "\u{7F}😀\"")
    }

    @Test("every value round-trips through its canonical bytes")
    func roundTrip() throws {
        let value = CanonicalJSON.object([
            .init("s", .string("ខ្មែរ العربية français")), .init("n", .integer(CanonicalJSON.maximumInteger)),
            .init("a", .array([.integer(0), .array([]), .object([])])),
        ])
        #expect(try CanonicalJSON(parsing: value.encoded) == value)
    }

    @Test("an integer past 2^53 - 1 is refused")
    func bigInteger() {
        #expect(throws: CanonicalJSONError.self) { try CanonicalJSON(parsing: Array("9007199254740992".utf8)) }
    }

    @Test("nesting deeper than 16 levels is refused, not a stack overflow")
    func deepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: CanonicalJSONError.self) { try CanonicalJSON(parsing: Array(deep.utf8)) }
    }
}
