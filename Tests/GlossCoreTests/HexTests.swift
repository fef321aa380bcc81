@testable import GlossCore
import Testing

@Suite("Hex")
struct HexTests {
    @Test("every byte value survives encoding and decoding, in lower case")
    func roundTrip() {
        let bytes = (0...255).map(UInt8.init)
        let text = Hex.encode(bytes)
        #expect(text.count == 512)
        #expect(text.hasPrefix("000102") && text.hasSuffix("fdfeff"))
        #expect(Hex.decode(Substring(text).utf8, count: 256) == bytes)
    }

    @Test("a change id's hash and equality follow its bytes")
    func changeIDHashing() {
        let a = ChangeID(bytes: Array(repeating: 1, count: 32))!
        let b = ChangeID(bytes: Array(repeating: 1, count: 31) + [2])!
        #expect(a != b, "ids that differ only past the hashed prefix are still different")
        #expect(Set([a, b, a]).count == 2)
        #expect(ChangeID(hex: a.hex) == a)
    }

    @Test("a change id keeps its bytes, and orders as they do, byte by byte from the first")
    func changeIDBytesAndOrder() throws {
        var generator = SeededGenerator(seed: 7)
        var ids: [[UInt8]] = (0..<200).map { _ in (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        ids += [Array(repeating: 0, count: 32), Array(repeating: 255, count: 32), Array(repeating: 0, count: 31) + [1], [1] + Array(repeating: 0, count: 31)]
        for bytes in ids {
            let id = try #require(ChangeID(bytes: bytes))
            #expect(id.bytes == bytes)
            #expect(Array(id.data) == bytes)
            #expect(id.hex == Hex.encode(bytes))
            #expect(ChangeID(hex: id.hex) == id)
        }
        #expect(ids.compactMap { ChangeID(bytes: $0) }.sorted().map(\.bytes) == ids.sorted { $0.lexicographicallyPrecedes($1) })
        #expect(ChangeID(bytes: [UInt8](repeating: 1, count: 31)) == nil)
        #expect(ChangeID(hex: String(repeating: "A", count: 64)) == nil)
        #expect(ChangeID(hex: String(repeating: "a", count: 63)) == nil)
    }

    @Test("upper case, other characters and the wrong length are refused", arguments: [
        ("AB", 1), ("0g", 1), ("abc", 1), ("", 1), ("ab", 2), (" a", 1),
    ])
    func refused(text: String, count: Int) {
        #expect(Hex.decode(Substring(text).utf8, count: count) == nil)
    }
}
