import Testing
import GlossCore

@Suite("Re-anchoring on a new revision")
struct ReanchoringTests {
    let statement = EntityID(rawValue: "cccccccccccccccccccccccccc")!

    /// Anchors `quote` in `old`, then re-anchors it on `new`.
    func reanchor(_ quote: String, occurrence: Int? = nil, from old: String, to new: String) throws -> Reanchored {
        let target = try StatementText(statement: statement, text: old.nfc).target(quote: quote, occurrence: occurrence)
        return StatementText(statement: statement, text: new.nfc).reanchor(target)
    }

    static let english = "On 10 November, Kem Sokha was released, following his arrest in 2017 on spurious charges of treason under article 443 of the Criminal Code. He remains banned from political activities."

    @Test("a typo fixed elsewhere of the same length keeps the quote exact")
    func exact() throws {
        let result = try reanchor("article 443", from: Self.english, to: Self.english.replacingOccurrences(of: "spurious", with: "spurrous"))
        #expect(result.state == .exact)
        #expect(result.target?.start == 106)
    }

    @Test("text inserted before the quote moves it")
    func insertedBefore() throws {
        let result = try reanchor("article 443", from: Self.english, to: "Update, 15 November: " + Self.english)
        #expect(result.state == .moved)
        #expect(result.target?.start == 127)
        #expect(result.target?.exact == "article 443")
    }

    @Test("a repeated quote moves to the occurrence whose context matches")
    func repeatedQuote() throws {
        let old = "Sokha was charged under article 443 of the Criminal Code. Rawski said article 443 is vague."
        let new = "Rawski said article 443 is vague. Later, Sokha was charged under article 443 of the Criminal Code."
        let result = try reanchor("article 443", occurrence: 1, from: old, to: new)
        #expect(result.state == .moved)
        #expect(result.target?.prefix.hasSuffix("charged under ") == true)
    }

    @Test("a typo fixed inside the quote anchors fuzzily, with its score")
    func typoInside() throws {
        let old = Self.english.replacingOccurrences(of: "Criminal Code", with: "Criminnal Code")
        let result = try reanchor("article 443 of the Criminnal Code", from: old, to: Self.english)
        #expect(result.state == .fuzzy)
        #expect(result.target?.exact == "article 443 of the Criminal Code")
        #expect(result.score == 970)
    }

    @Test("whitespace and quote-mark changes still find the quote")
    func whitespaceAndQuotes() throws {
        let old = "Rawski said: “the release is  a welcome development”, but not enough."
        let new = "Rawski said: \"the release is a welcome development\", but not enough."
        let result = try reanchor("“the release is  a welcome development”", from: old, to: new)
        #expect(result.state == .moved)
        #expect(result.target?.exact == "\"the release is a welcome development\"")
    }

    @Test("a deleted sentence orphans its quote rather than anchoring it anywhere")
    func deletedSentence() throws {
        let new = Self.english.replacingOccurrences(of: " He remains banned from political activities.", with: "")
        let result = try reanchor("He remains banned from political activities", from: Self.english, to: new)
        #expect(result.state == .orphaned)
        #expect(result.target == nil)
    }

    @Test("a changed number in another sentence is not taken for the quote")
    func noFalseAnchor() throws {
        let old = "He was charged under article 443. The court met in Phnom Penh."
        let new = "The court met in Phnom Penh. It cited article 444 of the Code."
        #expect(try reanchor("article 443", from: old, to: new).state == .orphaned)
    }

    @Test("a reworded sentence anchors fuzzily only while it stays alike")
    func reworded() throws {
        let old = "The charges against Kem Sokha appear politically-motivated, the ICJ said."
        let slight = "The charges against Kem Sokha appear politically motivated, the ICJ said."
        let heavy = "The ICJ said that the prosecution of the opposition leader was political."
        #expect(try reanchor("charges against Kem Sokha appear politically-motivated", from: old, to: slight).state == .fuzzy)
        #expect(try reanchor("charges against Kem Sokha appear politically-motivated", from: old, to: heavy).state == .orphaned)
    }

    @Test("French, Spanish, Arabic and Khmer quotes move with their text", arguments: [
        ("Le 10 novembre, Kem Sokha a été libéré de son assignation à résidence.", "assignation à résidence"),
        ("El 10 de noviembre, Kem Sokha fue liberado del arresto domiciliario.", "arresto domiciliario"),
        ("قالت اللجنة الدولية للحقوقيين إن التهم ذات دوافع سياسية", "دوافع سياسية"),
        ("កឹមសុខាត្រូវបានដោះលែងពីការឃុំខ្លួនក្នុងផ្ទះ", "ការឃុំខ្លួន"),
    ])
    func languages(_ text: String, _ quote: String) throws {
        let moved = try reanchor(quote, from: text, to: "Mise à jour. " + text)
        #expect(moved.state == .moved)
        #expect(moved.target?.exact == quote)
        let same = try reanchor(quote, from: text, to: text + " Fin.")
        #expect(same.state == .exact)
    }

    @Test("a Khmer typo inside the quote (no spaces between words) anchors fuzzily")
    func khmerTypo() throws {
        let old = "កឹមសុខាត្រូវបានដោះលែងពីការឃុំខ្លួនក្នុងផ្ទះ ហើយនៅតែត្រូវហាមឃាត់"
        let new = old.replacingOccurrences(of: "ដោះលែង", with: "ដោលែង")
        let result = try reanchor("ត្រូវបានដោះលែងពីការឃុំខ្លួន", from: old, to: new)
        #expect(result.state == .fuzzy)
        #expect(result.target?.exact == "ត្រូវបានដោលែងពីការឃុំខ្លួន")
    }
}
