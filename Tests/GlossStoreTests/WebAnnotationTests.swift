import Foundation
import GlossCore
import GlossMerge
import GlossStore
import Testing

@Suite("Store: W3C Web Annotation and Hypothesis import and export")
struct WebAnnotationTests {
    static let source = "https://www.icj.org/cambodia-kem-sokha/"

    /// Dara's workspace: three live annotations (one with a status
    /// conflict from Sophea) and a deleted one; the statement has a source URL.
    func annotated() throws -> (dara: TestWorkspace, statement: EntityID) {
        let dara = try TestWorkspace()
        let statement = try dara.store.addStatement(utf8: Array(TestWorkspace.seedText.utf8),
                                                    metadata: StatementMetadata(title: "Cambodia", source: Self.source), now: dara.tick())
        let sophea = try TestWorkspace(cloning: dara, seed: 2, admitAs: "Sophea")
        let treason = try dara.store.annotate(statement.id, span: .quote("treason", occurrence: nil),
                                              edit: AnnotationEdit(note: "spurious, says the ICJ", addedTags: ["legal", "treason"]), now: dara.tick())
        _ = try dara.store.annotate(statement.id, span: .quote("article 443", occurrence: nil),
                                    edit: AnnotationEdit(note: "Criminal Code, « trahison »", status: .verified, motivation: .describing), now: dara.tick())
        _ = try dara.store.annotate(statement.id, span: .quote("released", occurrence: nil),
                                    edit: AnnotationEdit(motivation: .highlighting), now: dara.tick())
        let gone = try dara.store.annotate(statement.id, span: .quote("banned", occurrence: nil), edit: AnnotationEdit(note: "x"), now: dara.tick())
        _ = try dara.store.setDeleted(gone.id, true, now: dara.tick())
        try dara.send(to: sophea)
        _ = try dara.store.edit(treason.id, AnnotationEdit(status: .checked), now: dara.tick())
        _ = try sophea.store.edit(treason.id, AnnotationEdit(status: .disputed), now: sophea.tick())
        try sophea.send(to: dara)
        return (dara, statement.id)
    }

    /// A second workspace holding the same text, under another id.
    func elsewhere(source: String? = nil) throws -> (TestWorkspace, EntityID) {
        let other = try TestWorkspace(deviceName: "Vuthy")
        let statement = try other.store.addStatement(utf8: Array(TestWorkspace.seedText.utf8),
                                                     metadata: StatementMetadata(source: source), now: other.tick())
        return (other, statement.id)
    }

    func parse(_ json: String) throws -> [WebAnnotation.Item] { try WebAnnotation.parse(Array(json.utf8)) }

    func reasons(_ report: ImportReport) -> [String] {
        report.items.compactMap { if case .refused(let reason) = $0.outcome { reason } else { nil } }
    }

    @Test("Gloss -> W3C -> Gloss gives the same annotations, with status, conflict flags and heads kept as their origin")
    func roundTrip() throws {
        let (dara, _) = try annotated()
        let exported = try dara.store.webAnnotations()
        let (vuthy, statement) = try elsewhere(source: Self.source)
        let report = try vuthy.store.importAnnotations(try WebAnnotation.parse(Array(exported)), now: vuthy.tick())
        #expect(report.written && report.items.count == 3 && reasons(report) == [])

        let original = try dara.store.annotations().sorted { $0.target.start < $1.target.start }
        let imported = try vuthy.store.annotations().sorted { $0.target.start < $1.target.start }
        #expect(imported.count == original.count)
        for (a, b) in zip(original, imported) {
            #expect(b.target.statement == statement)
            #expect([a.target.exact, a.target.prefix, a.target.suffix] == [b.target.exact, b.target.prefix, b.target.suffix])
            #expect(a.target.start == b.target.start && a.target.end == b.target.end)
            #expect(a.note == b.note && a.tags == b.tags && a.status == b.status && a.motivation == b.motivation)
            #expect(b.origin?.id == "urn:gloss:annotation:\(a.id)")
            #expect(b.origin?.creator == "Dara")
            #expect(b.origin?.conflicts == a.conflicts.map(\.field))
            #expect(b.origin?.heads.isEmpty == false)
        }
        #expect(imported.contains { $0.origin?.conflicts == ["status"] })

        let count = try vuthy.store.changeCount()
        let again = try vuthy.store.importAnnotations(try WebAnnotation.parse(Array(exported)), now: vuthy.tick())
        #expect(again.items.allSatisfy { if case .alreadyHeld = $0.outcome { true } else { false } })
        #expect(try vuthy.store.changeCount() == count)
        let home = try dara.store.importAnnotations(try WebAnnotation.parse(Array(exported)), now: dara.tick())
        #expect(home.items.allSatisfy { if case .alreadyHeld = $0.outcome { true } else { false } })
    }

    @Test("the export is an AnnotationCollection with both selectors, textual bodies and the gloss namespace")
    func exportShape() throws {
        let (dara, statement) = try annotated()
        let json = try JSONValue(parsing: Array(try dara.store.webAnnotations(statement: statement)))
        #expect(json["@context"]?.elements.first?.string == "http://www.w3.org/ns/anno.jsonld")
        #expect(json["@context"]?.elements.last?["gloss"]?.string == WebAnnotation.namespace)
        #expect(json.types == ["AnnotationCollection"] && json["total"]?.count == 3)
        let items = json["first"]?["items"]?.elements ?? []
        let treason = try #require(items.first { $0["target"]?["selector"]?.elements.first?["exact"]?.string == "treason" })
        #expect(treason["target"]?["source"]?.string == Self.source)
        #expect(treason["target"]?["selector"]?.elements.map(\.types) == [["TextQuoteSelector"], ["TextPositionSelector"]])
        #expect(treason["body"]?.elements.map { $0["purpose"]?.string } == ["commenting", "tagging", "tagging"])
        #expect(treason["gloss:conflicts"]?.strings == ["status"])
        #expect(treason["creator"]?["name"]?.string == "Dara")
        #expect(treason["created"]?.string?.hasSuffix("Z") == true)
    }

    @Test("malformed JSON, a JSON value of no known shape and a linked first page are refused as files")
    func malformedFiles() throws {
        for (text, expected) in [
            ("{\"type\": \"Annotation\",", "a JSON document, found a file that does not parse as JSON"),
            ("42", "an Annotation, an array of them, an AnnotationCollection or a Hypothesis search result"),
            ("{\"type\": \"Person\"}", "an Annotation, an array of them, an AnnotationCollection or a Hypothesis search result; found an object of type \"Person\""),
            ("{\"type\": \"AnnotationCollection\", \"first\": \"http://example.org/page1\"}",
             "an AnnotationCollection with its first page inline (\"first\": {\"items\": [...]}), found a link to http://example.org/page1"),
        ] {
            #expect(throws: WebAnnotation.FileError(description: expected)) { try parse(text) }
        }
    }

    @Test("a quote not in the text, an unknown source, a bad item and a U+0000 refuse the file whole unless --skip-refused")
    func refusals() throws {
        let (vuthy, statement) = try elsewhere(source: Self.source)
        let items = try parse("""
            [{"type": "Annotation", "body": {"type": "TextualBody", "value": "good"},
              "target": {"source": "\(Self.source)", "selector": {"type": "TextQuoteSelector", "exact": "Kem Sokha remains banned"}}},
             {"type": "Annotation", "target": {"source": "\(Self.source)", "selector": {"type": "TextQuoteSelector", "exact": "habeas corpus"}}},
             {"type": "Annotation", "target": {"source": "https://example.org/other", "selector": {"type": "TextPositionSelector", "start": 3, "end": 9}}},
             {"type": "Annotation", "target": {"source": "\(Self.source)", "selector": {"type": "TextPositionSelector", "start": 9, "end": 3}}},
             {"type": "Annotation", "target": {"source": "\(Self.source)", "selector": {"type": "TextPositionSelector", "start": 3, "end": 9000}}},
             {"type": "Annotation", "gloss:status": "done", "target": {"source": "\(Self.source)", "selector": {"type": "TextPositionSelector", "start": 3, "end": 9}}},
             {"type": "Annotation", "bodyValue": "a\\u0000b", "target": {"source": "\(Self.source)", "selector": {"type": "TextPositionSelector", "start": 3, "end": 9}}}]
            """)
        let count = try vuthy.store.changeCount()
        let report = try vuthy.store.importAnnotations(items, now: vuthy.tick())
        #expect(!report.written)
        #expect(try vuthy.store.changeCount() == count)
        #expect(reasons(report) == [
            "its quote \"habeas corpus\" is not in statement \(statement.short), nor anything close enough",
            "no statement of this workspace has the source <https://example.org/other>; pass --statement",
            "expected a TextPositionSelector with integers 0 <= start < end",
            "expected a TextPositionSelector within the statement's \(TestWorkspace.seedText.unicodeScalars.count) code points, found 3-9000",
            "expected gloss:status to be one of open, checked, verified, disputed, found \"done\"",
            "expected strings without U+0000 (NUL), found one",
        ])
        let skipping = try vuthy.store.importAnnotations(items, skipRefused: true, now: vuthy.tick())
        #expect(skipping.written)
        #expect(try vuthy.store.annotations().map(\.target.exact) == ["Kem Sokha remains banned"])
    }

    @Test("an origin IRI in another Unicode form is kept in NFC, as every string of a change is, and the log still reads")
    func decomposedOrigin() throws {
        let (vuthy, _) = try elsewhere(source: Self.source)
        let w3c = try vuthy.store.importAnnotations(try parse("""
            {"type": "Annotation", "id": "https://example.org/anno/Jose\\u0301", "body": {"type": "TextualBody", "value": "noted"},
             "target": {"source": "\(Self.source)", "selector": {"type": "TextQuoteSelector", "exact": "article 443"}}}
            """), now: vuthy.tick())
        let hypothesis = try vuthy.store.importAnnotations(try parse("""
            {"total": 1, "rows": [{"id": "Jose\\u0301", "uri": "\(Self.source)", "text": "noted", "links": {"html": "https://hypothes.is/a/Jose\\u0301"},
              "target": [{"source": "\(Self.source)", "selector": [{"type": "TextQuoteSelector", "exact": "treason"}]}]}]}
            """), now: vuthy.tick())
        #expect(w3c.written && reasons(w3c).isEmpty && hypothesis.written && reasons(hypothesis).isEmpty)
        #expect(try Set(vuthy.store.annotations().compactMap(\.origin?.id)) == ["https://example.org/anno/Jos\u{E9}", "https://hypothes.is/a/Jos\u{E9}"])
        #expect(try vuthy.store.log().count == vuthy.store.changeCount())
        #expect(try vuthy.store.verify().isEmpty)
    }

    @Test("Hypothesis search results import by their URI, tags with spaces become one word, and replies without selectors are refused")
    func hypothesis() throws {
        let (vuthy, statement) = try elsewhere(source: "https://www.icj.org/cambodia-kem-sokha")
        let report = try vuthy.store.importAnnotations(try parse("""
            {"total": 2, "rows": [
              {"id": "AbC123", "created": "2026-11-20T10:00:00.000000+00:00", "user": "acct:sophea@hypothes.is",
               "uri": "https://www.icj.org/cambodia-kem-sokha/", "text": "Spurious, per the ICJ", "tags": ["human rights", "treason"],
               "target": [{"source": "https://www.icj.org/cambodia-kem-sokha/", "selector": [
                 {"type": "RangeSelector", "startContainer": "/div[1]/p[1]", "startOffset": 0, "endContainer": "/div[1]/p[1]", "endOffset": 10},
                 {"type": "TextPositionSelector", "start": 100, "end": 130},
                 {"type": "TextQuoteSelector", "exact": "charges  of treason", "prefix": "spurious ", "suffix": " under"}]}],
               "links": {"html": "https://hypothes.is/a/AbC123"}},
              {"id": "DeF456", "user": "acct:dara@hypothes.is", "uri": "https://www.icj.org/cambodia-kem-sokha/",
               "text": "Agreed", "references": ["AbC123"], "target": [{"source": "https://www.icj.org/cambodia-kem-sokha/"}]}]}
            """), skipRefused: true, now: vuthy.tick())
        #expect(reasons(report) == [
            "expected a target with a TextQuoteSelector or TextPositionSelector on the text, found the whole resource https://www.icj.org/cambodia-kem-sokha/"])
        let imported = try #require(try vuthy.store.annotations().first)
        #expect(imported.target.statement == statement && imported.target.exact == "charges of treason")
        #expect(imported.tags == ["human-rights", "treason"] && imported.note == "Spurious, per the ICJ")
        #expect(imported.origin == Origin(id: "https://hypothes.is/a/AbC123", creator: "sophea@hypothes.is",
                                          created: "2026-11-20T10:00:00.000000+00:00"))
        #expect(imported.anchor.state == .moved)
    }

    /// One annotation for each shape the W3C Web Annotation Data Model's
    /// examples show: bodies, targets, selectors, states, agents, choices
    /// and collections. Each either imports or is refused with its reason.
    @Test("every shape of the W3C model's examples imports or is refused one by one with a reason")
    func specificationShapes() throws {
        let (vuthy, statement) = try elsewhere()
        let page = "http://example.org/page1"
        let shapes: [(String, String?)] = [
            ("{\"type\": \"Annotation\", \"body\": \"http://example.org/post1\", \"target\": \"\(page)\"}",
             "expected a target with a TextQuoteSelector or TextPositionSelector on the text, found the whole resource \(page)"),
            ("{\"type\": \"Annotation\", \"body\": {\"id\": \"http://example.org/analysis1.mp3\", \"format\": \"audio/mpeg\"}, \"target\": {\"id\": \"\(page)\", \"type\": \"Text\"}}",
             "expected a target with a TextQuoteSelector or TextPositionSelector on the text, found the whole resource \(page)"),
            ("{\"type\": \"Annotation\", \"bodyValue\": \"Comment text\", \"target\": \"\(page)\"}",
             "expected a target with a TextQuoteSelector or TextPositionSelector on the text, found the whole resource \(page)"),
            ("{\"type\": \"Annotation\", \"target\": {\"source\": \"\(page)\", \"selector\": {\"type\": \"FragmentSelector\", \"value\": \"xywh=50,50,640,480\"}}}",
             "expected a target with a TextQuoteSelector or TextPositionSelector on the text, found selectors of types FragmentSelector"),
            ("{\"type\": \"Annotation\", \"target\": {\"source\": \"\(page)\", \"selector\": {\"type\": \"CssSelector\", \"value\": \"#elemid > .elemclass + p\"}}}",
             "expected a target with a TextQuoteSelector or TextPositionSelector on the text, found selectors of types CssSelector"),
            ("{\"type\": \"Annotation\", \"target\": {\"source\": \"\(page)\", \"selector\": {\"type\": \"XPathSelector\", \"value\": \"/html/body/p[2]/table/tr[2]/td[3]/span\"}}}",
             "expected a target with a TextQuoteSelector or TextPositionSelector on the text, found selectors of types XPathSelector"),
            ("{\"type\": \"Annotation\", \"target\": {\"source\": \"\(page)\", \"selector\": {\"type\": \"DataPositionSelector\", \"start\": 4096, \"end\": 4104}}}",
             "expected a target with a TextQuoteSelector or TextPositionSelector on the text, found selectors of types DataPositionSelector"),
            ("{\"type\": \"Annotation\", \"target\": {\"source\": \"\(page)\", \"selector\": {\"type\": \"RangeSelector\", \"startSelector\": {\"type\": \"XPathSelector\", \"value\": \"//table[1]/tr[1]/td[2]\"}, \"endSelector\": {\"type\": \"XPathSelector\", \"value\": \"//table[1]/tr[1]/td[4]\"}}}}",
             "expected a target with a TextQuoteSelector or TextPositionSelector on the text, found selectors of types RangeSelector"),
            ("{\"type\": \"Annotation\", \"target\": {\"source\": \"\(page)\", \"state\": {\"type\": \"TimeState\", \"cached\": \"http://archive.example/copy1\", \"sourceDate\": \"2015-07-20T13:30:00Z\"}}}",
             "expected a target with a TextQuoteSelector or TextPositionSelector on the text, found the whole resource \(page)"),
            ("{\"type\": \"Annotation\", \"body\": {\"type\": \"TextualBody\", \"value\": \"<p>j'adore !</p>\", \"format\": \"text/html\", \"language\": \"fr\"}, \"target\": {\"source\": \"\(page)\", \"selector\": {\"type\": \"TextQuoteSelector\", \"exact\": \"anotation\", \"prefix\": \"this is an \", \"suffix\": \" that has some\"}}}",
             "its quote \"anotation\" is not in statement \(statement.short), nor anything close enough"),
            ("{\"type\": \"Annotation\", \"target\": {\"source\": \"\(page)\", \"selector\": {\"type\": \"TextPositionSelector\", \"start\": 412, \"end\": 795}}}",
             "expected a TextPositionSelector within the statement's \(TestWorkspace.seedText.unicodeScalars.count) code points, found 412-795"),
            ("{\"type\": \"Annotation\", \"body\": [], \"target\": []}", "expected a target, found none"),
            ("{\"type\": \"Annotation\", \"body\": {\"type\": \"TextualBody\"}, \"target\": {\"source\": \"\(page)\", \"selector\": {\"type\": \"TextQuoteSelector\", \"exact\": \"treason\"}}}",
             "expected a body with a \"value\" or an \"id\", found one with neither"),
            ("{\"type\": \"Annotation\", \"target\": {\"source\": \"\(page)\", \"selector\": {\"type\": \"TextQuoteSelector\", \"exact\": \"\"}}}",
             "expected a TextQuoteSelector with a non-empty \"exact\""),
            ("{\"@context\": \"http://www.w3.org/ns/anno.jsonld\", \"id\": \"http://example.org/anno38\", \"type\": \"Annotation\", \"motivation\": \"bookmarking\","
             + " \"creator\": {\"id\": \"http://example.org/user1\", \"type\": \"Person\", \"name\": \"My Pseudonym\", \"nickname\": \"pseudo\"},"
             + " \"created\": \"2015-10-13T13:00:00Z\", \"generator\": {\"id\": \"http://example.org/client1\", \"type\": \"Software\"},"
             + " \"audience\": {\"id\": \"http://example.edu/roles/teacher\", \"type\": \"schema:EducationalAudience\"}, \"rights\": \"https://creativecommons.org/licenses/by/4.0/\","
             + " \"body\": [{\"type\": \"TextualBody\", \"purpose\": \"tagging\", \"value\": \"love\"},"
             + " {\"type\": \"Choice\", \"items\": [{\"type\": \"TextualBody\", \"purpose\": \"describing\", \"value\": \"I really love this particular bit of text\", \"language\": \"en\"},"
             + " {\"type\": \"TextualBody\", \"value\": \"J'adore !\", \"language\": \"fr\"}]}],"
             + " \"target\": [\"http://example.com/image1\", {\"source\": \"\(page)\", \"styleClass\": \"red\", \"scope\": \"http://example.org/index.html\","
             + " \"selector\": [{\"type\": \"TextQuoteSelector\", \"exact\": \"charges of treason\", \"prefix\": \"spurious \"}, {\"type\": \"TextPositionSelector\", \"start\": 90, \"end\": 108}]}]}",
             nil),
        ]
        let items = try shapes.map { try parse($0.0)[0] }
        let report = try vuthy.store.importAnnotations(items, statement: statement, skipRefused: true, now: vuthy.tick())
        for ((_, expected), item) in zip(shapes, report.items) {
            switch item.outcome {
            case .refused(let reason): #expect(reason == expected)
            case .anchored(let annotation, _, _, _, _): #expect(expected == nil && annotation != nil)
            case .alreadyHeld: Issue.record("nothing was held before")
            }
        }
        let imported = try #require(try vuthy.store.annotations().first)
        #expect(imported.target.exact == "charges of treason" && imported.motivation == .bookmarking)
        #expect(imported.tags == ["love"] && imported.note == "I really love this particular bit of text")
        #expect(imported.origin == Origin(id: "http://example.org/anno38", creator: "My Pseudonym", created: "2015-10-13T13:00:00Z"))
    }
}
