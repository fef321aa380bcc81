import Foundation

/// The re-anchoring corpus (`Benchmarks/reanchoring-corpus.json`): base
/// texts, revisions made by edits, and each case's expected outcome. Shared
/// by the test that guards the algorithm and by `gloss-bench reanchor`.
package struct ReanchoringCorpus: Decodable {
    package struct Edit: Decodable {
        var replace: String
        var with: String
    }

    package struct Case: Decodable {
        package var language: String
        package var kind: String
        var quote: String
        var occurrence: Int?
        var edits: [Edit]
        package var expect: AnchorState
        var newQuote: String?
        var newOccurrence: Int?
    }

    /// How one case came out.
    package struct Outcome {
        package enum Verdict: String { case right, missed, wrong }

        package var `case`: Case
        package var result: Reanchored
        /// Right: the expected state and span. Missed: orphaned, or another
        /// state, though the span was expected. Wrong: a span that is not
        /// the expected one: the failure that must never happen.
        package var verdict: Verdict
        /// Whether the span is the expected one (or both are none).
        package var rightSpan: Bool
    }

    var texts: [String: String]
    package var cases: [Case]

    package init(contentsOf url: URL) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(contentsOf: url))
    }

    /// Runs every case.
    package func evaluate() throws -> [Outcome] {
        let statement = EntityID(rawValue: "corpuscorpuscorpuscorpusaa")!
        return try cases.map { item in
            guard var text = texts[item.language]?.nfc else { throw ChangeFormatError("a base text for language \(item.language)") }
            let target = try StatementText(statement: statement, text: text).target(quote: item.quote, occurrence: item.occurrence ?? 1)
            for edit in item.edits {
                guard let range = text.range(of: edit.replace) else { throw ChangeFormatError("\"\(edit.replace)\" in the \(item.language) text") }
                text.replaceSubrange(range, with: edit.with)
            }
            let revised = StatementText(statement: statement, text: text.nfc)
            let result = revised.reanchor(target)
            var expected: Range<Int>?
            if let newQuote = item.newQuote {
                let spans = revised.occurrences(of: Array(newQuote.nfc.unicodeScalars))
                guard spans.count >= item.newOccurrence ?? 1 else { throw ChangeFormatError("\"\(newQuote)\" in the revised \(item.language) text") }
                expected = spans[(item.newOccurrence ?? 1) - 1]
            }
            let found = result.target.map { $0.start..<$0.end }
            let rightSpan = found == expected
            let verdict: Outcome.Verdict = found != nil && !rightSpan ? .wrong : rightSpan && result.state == item.expect ? .right : .missed
            return Outcome(case: item, result: result, verdict: verdict, rightSpan: rightSpan)
        }
    }
}
