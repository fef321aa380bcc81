import Foundation
import Testing

@Suite("CLI: statement revisions")
struct RevisionCLITests {
    @Test("revise reports each annotation's new anchor; list --anchor, show --revision and --diff read them")
    func revise() throws {
        let gloss = try GlossProcess()
        _ = try gloss.succeed("init", "--name", "Dara")
        try gloss.write("v1.txt", Array("Kem Sokha was charged with treason under article 443. The Commission will decide in February.".utf8))
        try gloss.write("v2.txt", Array("Update. Kem Sokha was charged with high treason under article 443.".utf8))
        let statement = String(try gloss.succeed("statement", "add", "v1.txt").prefix(8))
        let article = String(try gloss.succeed("annotate", statement, "--quote", "article 443").prefix(8))
        let treason = String(try gloss.succeed("annotate", statement, "--quote", "charged with treason").prefix(8))
        let decide = String(try gloss.succeed("annotate", statement, "--quote", "The Commission will decide in February").prefix(8))
        let before = try gloss.changeCount()

        let revised = try gloss.succeed("statement", "revise", statement, "v2.txt")
        let lines = revised.split(separator: "\n")
        #expect(lines[0].hasPrefix("revised \(statement): revision "))
        #expect(lines[1] == "annotations: 0 exact, 1 moved, 1 fuzzy, 1 orphaned")
        #expect(lines[2] == "  fuzzy     \(treason)  0.80  \"charged with high treason\"")
        #expect(lines[3] == "  orphaned  \(decide)        \"The Commission will decide in February\"")
        #expect(try gloss.changeCount() == before + 4)

        #expect(try gloss.succeed("list", "--anchor", "orphaned").contains("\(decide)  open"))
        #expect(!(try gloss.succeed("list", "--anchor", "orphaned").contains(article)))
        let shown = try gloss.json("show", article) as! [String: Any]
        #expect(shown["anchor"] as? String == "moved")
        #expect(shown["position"] as? [String: Int] == ["start": 54, "end": 65])
        #expect(try gloss.succeed("show", decide).contains("anchor      orphaned: the quote is not in the current revision"))
        #expect(try gloss.succeed("statement", "show", statement, "--revision", "1") == "Kem Sokha was charged with treason under article 443. The Commission will decide in February.\n")
        #expect(try gloss.succeed("statement", "show", statement, "--diff", "1..2") ==
                "{+Update. +}Kem Sokha was charged with{+ high+} treason under article 443.[- The Commission will decide in February.-]\n")
        #expect(try gloss.run("statement", "show", statement, "--revision", "3").stderr == "gloss: expected a revision from 1 to 2 of statement \(statement), found 3\n")
        #expect(try gloss.run("statement", "revise", statement, "v2.txt").stderr == "gloss: expected a changed text, found the text of statement \(statement)'s current revision\n")
        #expect(try gloss.run("statement", "revise", statement, "missing.txt").stderr == "gloss: expected a statement file, found no file at \"missing.txt\"\n")
        #expect(try gloss.run("verify").status == 0)
    }
}
