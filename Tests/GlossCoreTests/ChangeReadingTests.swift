import Testing
@testable import GlossCore

/// `Change(decoding:)` reads well-formed changes field by field
/// (`readDirectly`) and hands anything else to the general reading, which
/// parses the JSON object first. The two must agree on every input.
@Suite("Change reading: field by field and in general")
struct ChangeReadingTests {
    static let pieces = ["", "x", "Spurious charges, article 443", "«trahison»", "ក្រុមប្រឹក្សា", "𝕏 \u{200D}", "quote \" and \\",
                         "line\nbreak\ttab\u{1}", "Cafe\u{301}", "Caf\u{E9}", "0", "-"]

    /// A random value for a `set` operation: strings, integers, and arrays
    /// and objects nested up to 17 levels (the parser allows 16).
    static func value(_ depth: Int, _ random: inout SeededGenerator) -> CanonicalJSON {
        switch Int.random(in: 0..<(depth > 17 ? 2 : 5), using: &random) {
        case 0: return .string(pieces.randomElement(using: &random)!)
        case 1: return .integer([0, 7, 1_573_689_600_000, CanonicalJSON.maximumInteger].randomElement(using: &random)!)
        case 2: return .array((0..<Int.random(in: 0...2, using: &random)).map { _ in value(depth + 1, &random) })
        case 3: return .object((0..<Int.random(in: 0...2, using: &random)).map { index in
            CanonicalJSON.Member("k\(index)", value(depth + 1, &random))
        })
        default: return .array([value(depth + 1, &random)])
        }
    }

    static func randomChange(_ random: inout SeededGenerator, keys: [DeviceKey]) -> Change {
        let key = keys.randomElement(using: &random)!
        let seq = Bool.random(using: &random) ? 1 : Int.random(in: 2...CanonicalJSON.maximumInteger, using: &random)
        func id() -> ChangeID { ChangeID(hashing: (0..<8).map { _ in UInt8.random(in: 0...255, using: &random) }) }
        let operations: [ChangeOperation] = (0..<Int.random(in: 1...4, using: &random)).map { _ in
            switch Int.random(in: 0..<8, using: &random) {
            case 0: .set(field: ["note", "status", "target", "title", "name"].randomElement(using: &random)!, value: value(2, &random))
            case 1: .addTag(pieces.randomElement(using: &random)!)
            case 2: .removeTag("legal")
            case 3: .delete
            case 4: .restore
            case 5: .admit(keys.randomElement(using: &random)!.id, name: pieces.randomElement(using: &random)!)
            case 6: .revoke(keys.randomElement(using: &random)!.id, lastSeq: Int.random(in: 0...99, using: &random))
            default: .set(field: "note", value: .string(pieces.randomElement(using: &random)!))
            }
        }
        return Change(workspace: Fixtures.workspace, author: key.id, seq: seq, previous: seq > 1 ? id() : nil,
                      publicKey: seq == 1 ? Array(key.publicKey.rawRepresentation) : nil,
                      clock: HLCTimestamp(milliseconds: Int.random(in: 0...CanonicalJSON.maximumInteger, using: &random),
                                          counter: Int.random(in: 0...3, using: &random)),
                      kind: [.annotation, .statement, .workspace].randomElement(using: &random)!,
                      entity: Bool.random(using: &random) ? Fixtures.entity : EntityID(rawValue: Fixtures.workspace.rawValue)!,
                      parents: Array(Set((0..<Int.random(in: 0...3, using: &random)).map { _ in id() })).sorted(),
                      operations: operations)
    }

    /// Where each string and number in `bytes` starts and ends.
    static func tokens(_ bytes: [UInt8]) -> [Range<Int>] {
        var tokens: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            let start = index
            if bytes[index] == UInt8(ascii: "\"") {
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") { index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1 }
                index = min(index + 1, bytes.count)
                tokens.append(start..<index)
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
                tokens.append(start..<index)
            } else {
                index += 1
            }
        }
        return tokens
    }

    /// `bytes` with one to three random edits: a byte changed, dropped or
    /// added, a stretch cut, a piece of another change spliced in, a
    /// field's name, seq or version swapped for another, or a string or
    /// number replaced by nothing or a value of another type, or a comma,
    /// colon, bracket or brace dropped or doubled.
    static func mutated(_ bytes: [UInt8], others: [[UInt8]], _ random: inout SeededGenerator) -> [UInt8] {
        var bytes = bytes
        let structural = Array(#"{}[],:"\0123456789 -ak"#.utf8)
        let swaps = [(#""prev":"#, #""key":"#), (#""key":"#, #""prev":"#), (#""seq":1,"#, #""seq":2,"#), (#""v":1"#, #""v":2"#),
                     (#""parents":[]"#, #""parents":[,]"#), (#"],"ops""#, #"],"ops2""#), (#""hlc":["#, #""hlc":[["#)]
        for _ in 0..<Int.random(in: 1...3, using: &random) where !bytes.isEmpty {
            let index = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<10, using: &random) {
            case 9:
                // A comma, colon, bracket or brace dropped or doubled.
                let marks = bytes.indices.filter { Array(",:[]{}".utf8).contains(bytes[$0]) }
                guard let mark = marks.randomElement(using: &random) else { break }
                if Bool.random(using: &random) { bytes.remove(at: mark) } else { bytes.insert(bytes[mark], at: mark) }
            case 7, 8:
                guard let token = tokens(bytes).randomElement(using: &random) else { break }
                let replacements = ["", #""""#, "0", "01", #""0""#, "[]", "{}", "[0]", #"["x"]"#, "null", "1.5"]
                bytes.replaceSubrange(token, with: Array(replacements.randomElement(using: &random)!.utf8))
            case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes[index] = structural.randomElement(using: &random)!
            case 2: bytes.remove(at: index)
            case 3: bytes.insert(structural.randomElement(using: &random)!, at: index)
            case 4: bytes.removeSubrange(index..<Int.random(in: index...bytes.count, using: &random))
            case 5:
                let other = others.randomElement(using: &random)!
                let start = Int.random(in: 0..<other.count, using: &random)
                let piece = other[start..<min(other.count, start + Int.random(in: 0...40, using: &random))]
                bytes.replaceSubrange(index..<min(bytes.count, index + Int.random(in: 0...40, using: &random)), with: piece)
            default:
                let (from, to) = swaps.randomElement(using: &random)!
                var text = String(decoding: bytes, as: UTF8.self)
                if let range = text.range(of: from) { text.replaceSubrange(range, with: to) }
                bytes = Array(text.utf8)
            }
        }
        return bytes
    }

    @Test("reading field by field accepts exactly what the general reading accepts, and gives the same change, over random changes and 30,000 random edits of their bytes and values")
    func readingsAgree() throws {
        var random = SeededGenerator(seed: 443)
        let keys = try (1...3).map { seed in try DeviceKey(seed: [UInt8](repeating: UInt8(seed), count: 32)) }
        let corpus = (0..<500).map { _ in Self.randomChange(&random, keys: keys).encoded } + [Array(ChangeTests.knownLine.utf8)]
        var (read, edited, editedAndRead) = (0, 0, 0)
        for original in corpus {
            let general = try? Change(readingObject: original)
            #expect(Change.readDirectly(original) == general)
            if general != nil { read += 1 }
            for _ in 0..<60 {
                let bytes = Self.mutated(original, others: corpus, &random)
                let general = try? Change(readingObject: bytes)
                #expect(Change.readDirectly(bytes) == general, "\(String(decoding: bytes, as: UTF8.self))")
                edited += 1
                if let general {
                    editedAndRead += 1
                    // As a store reads a change's operations back from what it keeps of them.
                    #expect(try Change.operations(decoding: bytes[general.encodedHeader.count..<(bytes.count - 1)]) == general.operations)
                }
            }
        }
        // Both kinds of input are well represented: most changes read, and some edits still read.
        #expect(read > 300, "\(read) of \(corpus.count) random changes read")
        #expect(editedAndRead > 500, "\(editedAndRead) of \(edited) edited changes read")
    }

    @Test("a value nested just within or just past the depth limit is read or refused alike by both readings")
    func depthLimitAgrees() throws {
        let key = try DeviceKey(seed: [UInt8](repeating: 1, count: 32))
        var read: [Bool] = []
        for levels in 10...15 {
            var value = CanonicalJSON.string("deep")
            for _ in 0..<levels { value = .array([value]) }
            let bytes = Change(workspace: Fixtures.workspace, author: key.id, seq: 1, previous: nil, publicKey: Array(key.publicKey.rawRepresentation),
                               clock: HLCTimestamp(milliseconds: 1, counter: 0), kind: .annotation, entity: Fixtures.entity, parents: [],
                               operations: [.addTag("legal"), .set(field: "note", value: value)]).encoded
            let general = try? Change(readingObject: bytes)
            #expect(Change.readDirectly(bytes) == general, "\(levels) levels")
            read.append(general != nil)
        }
        // The object is level 0, its ops 1, an operation 2 and its value 3: a string inside 12 arrays is at 15, the deepest allowed.
        #expect(read == [true, true, true, false, false, false])
    }

    @Test("a refused change is explained by the general reading")
    func refusalsExplained() {
        var bytes = Array(ChangeTests.knownLine.utf8)
        bytes.removeLast()
        #expect(Change.readDirectly(bytes) == nil)
        do {
            _ = try Change(decoding: bytes)
            Issue.record("a change cut short was read")
        } catch {
            #expect("\(error)".contains("canonical JSON at byte \(bytes.count)"), "\(error)")
        }
    }
}
