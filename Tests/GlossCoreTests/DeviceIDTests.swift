import Crypto
import Testing
@testable import GlossCore

@Suite("Device ids")
struct DeviceIDTests {
    @Test("the RFC 8032 test key has the public key and device id computed independently")
    func knownAnswer() {
        let key = Fixtures.key
        #expect(Hex.encode(key.publicKey.rawRepresentation) == Fixtures.rfc8032PublicKey)
        #expect(key.id.rawValue == Fixtures.rfc8032DeviceID)
    }

    @Test("a device id is eight dash-separated groups of seven base32 characters")
    func shape() {
        let groups = DeviceKey().id.rawValue.split(separator: "-")
        #expect(groups.count == 8)
        #expect(groups.allSatisfy { $0.count == 7 && $0.allSatisfy { "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".contains($0) } })
    }

    @Test("an id typed in lower case, without dashes or with 0/1/8 for O/I/B, reads as the same id")
    func forgivingParse() {
        let id = DeviceID(rawValue: Fixtures.rfc8032DeviceID)!
        #expect(DeviceID(parsing: Fixtures.rfc8032DeviceID.lowercased()) == id)
        #expect(DeviceID(parsing: Fixtures.rfc8032DeviceID.replacingOccurrences(of: "-", with: "")) == id)
        #expect(DeviceID(parsing: Fixtures.rfc8032DeviceID.replacingOccurrences(of: "B", with: "8")) == id)
        #expect(DeviceID(rawValue: Fixtures.rfc8032DeviceID.lowercased()) == nil, "changes hold the canonical form only")
    }

    @Test("every single-character typo is caught by a check character")
    func typos() {
        let digits = Array(Fixtures.rfc8032DeviceID)
        for index in digits.indices where digits[index] != "-" {
            for replacement in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" where replacement != digits[index] {
                var typo = digits
                typo[index] = replacement
                #expect(DeviceID(parsing: String(typo)) == nil, "typo at \(index): \(String(typo))")
            }
        }
    }

    @Test("the canonical form is accepted exactly when parsing and printing again gives the same text")
    func canonicalFormAgreesWithParsing() {
        var random = SeededGenerator(seed: 3)
        for _ in 0..<50 {
            let id = DeviceID(publicKey: try! DeviceKey(seed: (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }).publicKey).rawValue
            #expect(DeviceID(rawValue: id)?.rawValue == id)
            var characters = Array(id)
            let index = Int.random(in: 0..<characters.count, using: &random)
            characters[index] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567-a0".randomElement(using: &random)!
            let altered = String(characters)
            #expect((DeviceID(rawValue: altered) != nil) == (DeviceID(parsing: altered)?.rawValue == altered), "\(altered)")
        }
        // Every single-character change of one id, the last data digit (one
        // bit and four zero padding bits, at 61) and the dashes among them.
        let fixture = Array(Fixtures.rfc8032DeviceID)
        for index in fixture.indices {
            for replacement in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567-a0 " where replacement != fixture[index] {
                var characters = fixture
                characters[index] = replacement
                let altered = String(characters)
                #expect((DeviceID(rawValue: altered) != nil) == (DeviceID(parsing: altered)?.rawValue == altered), "\(altered)")
            }
        }
        // The last data digit with each check digit, so that some pass the
        // Luhn check and only the zero padding bits can refuse them.
        let digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        for tail in digits {
            for check in digits {
                var characters = fixture
                (characters[61], characters[62]) = (tail, check)
                let altered = String(characters)
                #expect((DeviceID(rawValue: altered) != nil) == (DeviceID(parsing: altered)?.rawValue == altered), "\(altered)")
            }
        }
        #expect(DeviceID(rawValue: String(fixture.dropLast())) == nil)
        #expect(DeviceID(rawValue: String(fixture) + "A") == nil)
    }

    @Test("an entity id is 26 lower-case base32 digits: every other byte in any place, or another length, is refused")
    func entityIDAlphabet() {
        let digits = Set("abcdefghijklmnopqrstuvwxyz234567".utf8)
        for byte in UInt8(0)...UInt8(127) {
            for place in [0, 13, 25] {
                var text = Array("aaaaaaaaaaaaaaaaaaaaaaaaaa".utf8)
                text[place] = byte
                let id = String(decoding: text, as: UTF8.self)
                #expect((EntityID(rawValue: id) != nil) == digits.contains(byte), "\(id)")
            }
        }
        #expect(EntityID(rawValue: String(repeating: "a", count: 25)) == nil)
        #expect(EntityID(rawValue: String(repeating: "a", count: 27)) == nil)
        #expect(EntityID(rawValue: String(repeating: "a", count: 25) + "é") == nil)
    }

    @Test("ids hash by their whole text, taken once: ids alike but for the last character are two keys; one id made two ways is one")
    func hashingByText() throws {
        let entity = EntityID(rawValue: "aaaaaaaaaaaaaaaaaaaaaaaaab")!, twin = EntityID(rawValue: "aaaaaaaaaaaaaaaaaaaaaaaaac")!
        #expect(entity != twin)
        #expect(entity.hashValue != twin.hashValue)
        #expect(Set([entity, twin, EntityID(rawValue: entity.rawValue)!]).count == 2)

        let made = EntityID(createdBy: Fixtures.key.id, seq: 7)
        let read = try #require(EntityID(rawValue: made.rawValue))
        #expect(made == read && made.hashValue == read.hashValue)
        let device = DeviceID(publicKey: Fixtures.key.publicKey)
        let parsed = try #require(DeviceID(rawValue: device.rawValue))
        #expect(device == parsed && device.hashValue == parsed.hashValue)
        #expect([device: 1][parsed] == 1)
        #expect(device != DeviceID(publicKey: DeviceKey().publicKey))
    }

    @Test("an id of the wrong length is refused")
    func wrongLength() {
        #expect(DeviceID(parsing: String(Fixtures.rfc8032DeviceID.dropLast())) == nil)
        #expect(DeviceID(parsing: "") == nil)
    }

    @Test("a device key's description never shows the private key")
    func keyNeverPrinted() {
        let key = Fixtures.key
        #expect(!"\(key)".contains(Hex.encode(key.seed)))
        #expect("\(key)".contains(key.id.rawValue))
    }
}
