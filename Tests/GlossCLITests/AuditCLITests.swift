import Crypto
import Foundation
import Testing

@Suite("CLI: blame, as-of views and the raw log")
struct AuditCLITests {
    @Test("blame names the change behind each field; show --at and list --at give the past state; export jsonl gives exact bytes")
    func audit() throws {
        let gloss = try GlossProcess()
        _ = try gloss.succeed("init", "--name", "Dara")
        try gloss.write("s.txt", Array("Kem Sokha was charged under article 443 of the Criminal Code.".utf8))
        let statement = String(try gloss.succeed("statement", "add", "s.txt").prefix(8))
        let annotation = String(try gloss.succeed("annotate", statement, "--quote", "article 443", "--note", "first", "--tag", "legal").prefix(8))
        _ = try gloss.succeed("edit", annotation, "--note", "second", "--status", "checked")
        let log = try gloss.json("log", "--entity", annotation) as! [[String: Any]]
        let (edit, creation) = (log[0]["id"] as! String, log[1]["id"] as! String)

        let blame = try gloss.json("blame", statement) as! [[String: Any]]
        let fields = Dictionary(uniqueKeysWithValues: (blame[0]["fields"] as! [[String: Any]]).map { ($0["field"] as! String, $0) })
        #expect(fields["note"]?["value"] as? String == "second")
        #expect(fields["note"]?["change"] as? String == edit)
        #expect(fields["status"]?["change"] as? String == edit)
        #expect(fields["target"]?["change"] as? String == creation)
        #expect(fields["tag:legal"]?["change"] as? String == creation)
        #expect((fields["note"]?["author"] as? [String: String])?["name"] == "Dara")
        #expect(try gloss.succeed("blame", statement).contains("  note          second"))

        let then = try gloss.json("show", annotation, "--at", String(creation.prefix(10))) as! [String: Any]
        #expect(then["note"] as? String == "first")
        #expect(then["status"] as? String == "open")
        #expect((try gloss.json("show", annotation, "--at", "2099-01-01") as! [String: Any])["note"] as? String == "second")
        #expect(try gloss.run("show", annotation, "--at", "2020-01-01").stderr ==
                "gloss: expected a time or change after annotation \(annotation) was made, found \"2020-01-01\"\n")
        #expect(try gloss.succeed("list", "--at", "2020-01-01") == "no annotations match\n")
        #expect(try gloss.run("list", "--at", "soon").stderr == "gloss: expected --at as YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], found \"soon\"\n")

        let lines = try gloss.succeed("export", "--format", "jsonl").split(separator: "\n")
        let ids = (try gloss.json("log") as! [[String: Any]]).map { $0["id"] as! String }
        #expect(lines.map { SHA256.hash(data: Array($0.utf8)).map { String(format: "%02x", $0) }.joined() }.sorted() == ids.sorted())
        #expect(try gloss.run("export", "--format", "csv").stderr == "gloss: expected --format jsonl, found \"csv\"\n")
    }
}
