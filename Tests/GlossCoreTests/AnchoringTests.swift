import Testing
import GlossCore

@Suite("Anchoring spans in statement text")
struct AnchoringTests {
    let statement = EntityID(rawValue: "cccccccccccccccccccccccccc")!

    func text(_ string: String) -> StatementText { StatementText(statement: statement, text: string.nfc) }

    @Test("offsets count code points of French text, whatever form the quote was typed in")
    func french() throws {
        let target = try text("Le procès de Kem Sokha a été reporté.").target(quote: "e\u{301}te\u{301} reporte\u{301}")
        #expect(target.start == 25)
        #expect(target.end == 36)
        #expect(target.exact == "été reporté")
        #expect(target.prefix == "Le procès de Kem Sokha a ")
        #expect(target.suffix == ".")
    }

    @Test("offsets in Arabic are code points in logical order")
    func arabic() throws {
        let target = try text("قالت اللجنة الدولية للحقوقيين إن التهم ذات دوافع سياسية").target(quote: "التهم")
        #expect(target.start == 33)
        #expect(target.end == 38)
    }

    @Test("Khmer, with no spaces and combining signs, counts each code point")
    func khmer() throws {
        let khmer = text("កឹម សុខា ត្រូវបានដោះលែង")
        let target = try khmer.target(quote: "ត្រូវ")
        #expect(target.start == 9)
        #expect(target.end == 14)
        #expect(try khmer.target(start: 0, end: 3).exact == "កឹម")
    }

    @Test("an emoji is one code point, not two UTF-16 units or four bytes")
    func emoji() throws {
        let target = try text("🇰🇭 ICJ 👩🏽‍⚖️ statement").target(quote: "statement")
        #expect(target.start == 13)
        #expect(try text("a😀b").target(start: 1, end: 2).exact == "😀")
    }

    @Test("the context is 32 code points on each side, cut at the text's ends")
    func context() throws {
        let body = String(repeating: "x", count: 40) + "QUOTE" + String(repeating: "y", count: 40)
        let target = try text(body).target(quote: "QUOTE")
        #expect(target.prefix == String(repeating: "x", count: 32))
        #expect(target.suffix == String(repeating: "y", count: 32))
    }

    @Test("a quote that is not in the text is refused")
    func notFound() {
        #expect(throws: AnchorError.quoteNotFound(quote: "article 444", statement: statement)) {
            try text("under article 443 of the Criminal Code").target(quote: "article 444")
        }
    }

    @Test("a repeated quote lists its occurrences, and --occurrence picks one")
    func repeated() throws {
        let body = text("Kem Sokha said; Kem Sokha left.")
        #expect(throws: AnchorError.ambiguousQuote(quote: "Kem Sokha", statement: statement, occurrences: [0..<9, 16..<25])) {
            try body.target(quote: "Kem Sokha")
        }
        #expect("\(AnchorError.ambiguousQuote(quote: "Kem Sokha", statement: statement, occurrences: [0..<9, 16..<25]))"
            == "quote \"Kem Sokha\" occurs 2 times in statement cccccccc (at 1: 0-9, 2: 16-25); pass --occurrence 1 to 2")
        #expect(try body.target(quote: "Kem Sokha", occurrence: 2).start == 16)
        #expect(throws: AnchorError.noSuchOccurrence(quote: "Kem Sokha", occurrence: 3, count: 2)) {
            try body.target(quote: "Kem Sokha", occurrence: 3)
        }
    }

    @Test("spans outside the text, empty or reversed are refused", arguments: [(-1, 2), (3, 3), (4, 2), (0, 12)])
    func invalidSpans(start: Int, end: Int) {
        #expect(throws: AnchorError.invalidSpan(start: start, end: end, length: 11)) {
            try text("hello world").target(start: start, end: end)
        }
    }

    @Test("an empty quote is refused")
    func emptyQuote() {
        #expect(throws: AnchorError.emptyQuote) { try text("text").target(quote: "") }
    }
}
