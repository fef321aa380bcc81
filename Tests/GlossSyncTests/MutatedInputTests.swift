import Foundation
import GlossCore
import GlossMerge
import GlossStore
@testable import GlossSync
import Testing

/// Property tests over hostile input: real protocol lines and real
/// conversations, cut, repeated, reordered and corrupted at random.
@Suite("Sync: mutated lines and mangled conversations")
struct MutatedInputTests {
    /// The lines of every transcript in `Protocol/transcripts/`, without their `C: ` or `S: `.
    static func transcriptLines() throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: TranscriptTests.folder.path).sorted() {
            let text = try String(contentsOf: TranscriptTests.folder.appendingPathComponent(name), encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("C: ") || line.hasPrefix("S: ") {
                lines.append(Array(line.dropFirst(3).utf8))
            }
        }
        return lines
    }

    static let splices: [[UInt8]] = [
        "\"", "\\", "{", "}", "[", "]", ",", ":", "0", "-", "e", ".", " ", "\u{0}", "99999999999999999999", "-0", "1e400",
        "0.5", "null", "true", "\\u0000", "\\ud800", "[]", "{}", "\"\"", "9007199254740993", "-1", "é", "e\u{301}",
    ].map { Array($0.utf8) } + [[0xff], [0xc3], [0xed, 0xa0, 0x80]]

    /// `bytes` with one to four random edits at or after `floor`: a byte
    /// changed, a run removed or repeated, a splice inserted, a number replaced.
    static func mutate(_ bytes: [UInt8], from floor: Int = 0, _ random: inout SeededGenerator) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<Int.random(in: 1...4, using: &random) where bytes.count > floor {
            let at = Int.random(in: floor..<bytes.count, using: &random)
            switch Int.random(in: 0..<5, using: &random) {
            case 0: bytes[at] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...20, using: &random)))
            case 2: bytes.insert(contentsOf: splices.randomElement(using: &random)!, at: at)
            case 3:
                let run = bytes[at..<min(bytes.count, at + Int.random(in: 1...40, using: &random))]
                bytes.insert(contentsOf: run, at: Int.random(in: floor...bytes.count, using: &random))
            default:
                let digits = bytes[at...].prefix { (0x30...0x39).contains($0) }.count
                bytes.replaceSubrange(at..<(at + digits), with: splices.randomElement(using: &random)!)
            }
        }
        return bytes
    }

    @Test("a corrupted protocol line decodes to a message that survives encoding, or is refused with 400 or 422; a change that decodes and validates derives",
          arguments: [1, 2, 3] as [UInt64])
    func corruptedLines(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let lines = try Self.transcriptLines()
        let changeLines = lines.filter { $0.starts(with: Array("change ".utf8)) }
        var decodedChanges = 0
        for round in 0..<10_000 {
            // Three rounds in four corrupt a change's JSON, past its verb and signature.
            let line = round % 4 == 0
                ? Self.mutate(lines.randomElement(using: &random)!, &random)
                : Self.mutate(changeLines.randomElement(using: &random)!, from: 7 + 129, &random)
            let message: Message
            do {
                message = try Wire.decode(line)
            } catch {
                #expect([SyncError.malformed, SyncError.refused].contains(error.code), "\(error) for \(String(decoding: line, as: UTF8.self))")
                continue
            }
            #expect(try Wire.decode(Wire.encode(message).dropLast()) == message, "\(String(decoding: line, as: UTF8.self)) -> \(String(decoding: Wire.encode(message), as: UTF8.self))")
            guard case .change(let signed) = message, (try? signed.change.validate()) != nil else { continue }
            decodedChanges += 1
            switch signed.change.kind {
            case .annotation:
                _ = AnnotationState(deriving: [signed])
                _ = AnnotationState.blame(ChangeGraph([signed]))
                _ = AnnotationState.versions(of: ChangeGraph([signed]))
            case .statement: _ = StatementState(deriving: [signed])
            case .workspace: _ = WorkspaceState(deriving: [signed])
            }
        }
        #expect(decodedChanges > 20, "enough corrupted changes still decode and validate to reach the merge")
    }

    @Test("an error line whose reason holds a control character (a terminal escape, say) or nothing is refused with 400; one to send has its control characters made spaces")
    func errorReasons() throws {
        for line in ["error 409 \u{1B}[2Jcleared", "error 409 tab\there", "error 409 del\u{7F}", "error 409 "] {
            #expect(throws: SyncError(SyncError.malformed, "expected \"error CODE REASON\" with a reason of printable text, without control characters")) {
                try Wire.decode(Array(line.utf8))
            }
        }
        #expect(try Wire.decode(Array("error 409 expected « ack 3 », found ack 4".utf8)) == .error(code: 409, reason: "expected « ack 3 », found ack 4"))
        let sent = Wire.encode(.error(code: 500, reason: "disk I/O error\nat \u{1B}[1mpage\r 7"))
        #expect(String(decoding: sent, as: UTF8.self) == "error 500 disk I/O error at  [1mpage  7\n")
        #expect(Wire.encode(.error(code: 500, reason: "")) == Array("error 500 unexplained\n".utf8))
    }

    @Test("a session fed a real conversation cut, repeated, reordered or spliced refuses it with a 4xx code; both stores still verify, and a clean sync then converges",
          arguments: [1, 2] as [UInt64])
    func mangledConversations(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let (dara, sophea, _) = try Replica.twoApart(edits: 5)
        var limits = SyncLimits()
        limits.maximumBatchChanges = 3

        // The conversation as it goes between copies, leaving the two replicas apart.
        var recorded = Conversation()
        let (daraCopy, sopheaCopy) = (try Replica(copying: dara), try Replica(copying: sophea))
        #expect(try recorded.run(client: SyncSession(role: .client(.sync), store: sopheaCopy.store, limits: limits, now: { sopheaCopy.tick() }),
                                 server: SyncSession(role: .server, store: daraCopy.store, limits: limits, now: { daraCopy.tick() })) == nil)
        let clientLines = recorded.transcript.filter { $0.hasPrefix("C: ") }.map { Array($0.dropFirst(3).utf8) }
        let serverLines = recorded.transcript.filter { $0.hasPrefix("S: ") }.map { Array($0.dropFirst(3).utf8) }

        let before = (try dara.store.changeCount(), try sophea.store.changeCount())
        var refusals = 0
        for trial in 0..<150 {
            let toServer = trial % 2 == 0
            var lines = toServer ? clientLines : serverLines
            for _ in 0..<Int.random(in: 1...3, using: &random) where !lines.isEmpty {
                let at = Int.random(in: 0..<lines.count, using: &random)
                switch Int.random(in: 0..<5, using: &random) {
                case 0: lines.remove(at: at)
                case 1: lines.insert(lines[at], at: Int.random(in: 0...lines.count, using: &random))
                case 2: lines.swapAt(at, Int.random(in: 0..<lines.count, using: &random))
                case 3: lines.insert((toServer ? serverLines : clientLines).randomElement(using: &random)!, at: at)
                default: lines[at] = Self.mutate(lines[at], &random)
                }
            }
            let session = toServer
                ? SyncSession(role: .server, store: dara.store, limits: limits, now: { dara.tick() })
                : SyncSession(role: .client(.sync), store: sophea.store, limits: limits, now: { sophea.tick() })
            if !toServer { _ = try session.start() }
            for line in lines {
                do {
                    _ = try session.received(try Wire.decode(line))
                } catch {
                    #expect((400..<500).contains(error.code), "\(error)")
                    refusals += 1
                    break
                }
            }
        }
        #expect(refusals > 50)
        #expect(try dara.store.changeCount() > before.0 && sophea.store.changeCount() > before.1,
                "some mangled conversations still carried whole batches, which were applied")
        #expect(try dara.store.verify().isEmpty)
        #expect(try sophea.store.verify().isEmpty)

        var clean = Conversation()
        #expect(try clean.run(client: SyncSession(role: .client(.sync), store: sophea.store, now: { sophea.tick() }),
                              server: SyncSession(role: .server, store: dara.store, now: { dara.tick() })) == nil)
        #expect(try dara.store.heads() == sophea.store.heads())
        let all = AnnotationFilter(includeDeleted: true)
        #expect(try dara.store.annotations(all) == sophea.store.annotations(all))
        #expect(try dara.store.statements() == sophea.store.statements())
    }
}
