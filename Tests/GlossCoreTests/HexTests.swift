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
        var appended: [UInt8] = Array("x".utf8)
        Hex.append([0xab, 0x01], to: &appended)
        #expect(String(decoding: appended, as: UTF8.self) == "xab01")
    }

    @Test("a change id's hash and equality follow its bytes")
    func changeIDHashing() {
        let a = ChangeID(bytes: Array(repeating: 1, count: 32))!
        let b = ChangeID(bytes: Array(repeating: 1, count: 31) + [2])!
        #expect(a != b, "ids that differ only past the hashed prefix are still different")
        #expect(Set([a, b, a]).count == 2)
        #expect(ChangeID(hex: a.hex) == a)
    }

    @Test("upper case, other characters and the wrong length are refused", arguments: [
        ("AB", 1), ("0g", 1), ("abc", 1), ("", 1), ("ab", 2), (" a", 1),
    ])
    func refused(text: String, count: Int) {
        #expect(Hex.decode(Substring(text).utf8, count: count) == nil)
    }
}
