import Foundation
@testable import GlossCore
import Testing

@Suite("Re-anchoring corpus")
struct ReanchoringCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Benchmarks/reanchoring-corpus.json")

    @Test("no case of the corpus anchors to a wrong span, and every case comes out as its author expected")
    func corpus() throws {
        let outcomes = try ReanchoringCorpus(contentsOf: Self.corpus).evaluate()
        #expect(outcomes.count >= 30)
        #expect(Set(outcomes.map(\.case.language)) == ["en", "fr", "es", "ar", "km"])
        for outcome in outcomes {
            #expect(outcome.verdict == .right,
                    "[\(outcome.case.language)] \(outcome.case.kind): expected \(outcome.case.expect), got \(outcome.result.state)")
        }
    }
}
