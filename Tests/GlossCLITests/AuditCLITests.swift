import Crypto
import Foundation
import Testing

@Suite("CLI: blame, as-of views and the raw log")
struct AuditCLITests {
    @Test("blame names the change behind each field; show --at and list --at give the past state; export jsonl gives exact bytes")
    func audit() throws {
        let (gloss, statement) = try GlossProcess.withStatement("Kem Sokha was charged under article 443 of the Criminal Code.")
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
        #expect(try gloss.run("export", "--format", "jsonl", "--statement", statement)
                == GlossProcess.Result(stdout: "", stderr: "gloss: expected --statement only with --format w3c\n", status: 64))
        #expect(try gloss.run("export", "--format", "csv").stderr == "gloss: The value 'csv' is invalid for '--format <format>'. Please provide one of 'jsonl' and 'w3c'.\n")
    }

    @Test("audit export writes a file that audit check verifies with no workspace; one altered byte fails naming its line")
    func auditFile() throws {
        let gloss = try GlossProcess()
        _ = try gloss.succeed("init", "--name", "Dara")
        try gloss.write("s.txt", Array("Kem Sokha was charged under article 443 of the Criminal Code.".utf8))
        let statement = String(try gloss.succeed("statement", "add", "s.txt", "--title", "Kem Sokha").prefix(8))
        let annotation = String(try gloss.succeed("annotate", statement, "--quote", "article 443", "--note", "first").prefix(8))
        _ = try gloss.succeed("edit", annotation, "--status", "verified")
        #expect(try gloss.succeed("audit", "export", "record.audit", "--statement", statement)
                == "wrote record.audit: 1 statement, 1 annotation, 4 changes\n")

        let nowhere = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-nowhere-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: nowhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: nowhere) }
        let check = try gloss.run(["audit", "check", gloss.path("record.audit")], in: nowhere)
        #expect(check.status == 0, "\(check.stderr)")
        let lines = check.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "ok: every hash, chain, signature and derived annotation checks")
        #expect(lines.contains { $0.hasPrefix("  annotation \(annotation)  \"article 443\"  verified") })
        #expect(lines.contains { $0.contains("Dara (") && $0.contains("created on \"article 443\"") })
        #expect(lines.contains { $0.contains("status: open -> verified") })

        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: gloss.path("record.audit"))))
        let offset = (0..<bytes.count).first { bytes[$0...].starts(with: Array("\"first\"".utf8)) }! + 1  // on a change line
        let line = bytes[..<offset].filter { $0 == 0x0A }.count + 1
        bytes[offset] = UInt8(ascii: "F")
        try gloss.write("altered.audit", bytes)
        let altered = try gloss.run(["audit", "check", gloss.path("altered.audit")], in: nowhere)
        #expect(altered.status == 1)
        #expect(altered.stdout.hasPrefix("line \(line): change "))
        #expect(altered.stderr.hasPrefix("gloss: \"\(gloss.path("altered.audit"))\" fails its check: "))
        let json = try JSONSerialization.jsonObject(with: Data(try gloss.run(["audit", "check", "--json", gloss.path("altered.audit")]).stdout.utf8)) as! [String: Any]
        #expect(json["ok"] as? Bool == false)
        #expect(((json["problems"] as? [[String: Any]])?.first?["line"] as? Int) == line)
        #expect(try gloss.run("audit", "check", "missing.audit").stderr == "gloss: expected an audit file, found no file at \"missing.audit\"\n")
        let unwritable = try gloss.run("audit", "export", gloss.path("missing/folder/record.audit"))
        #expect(unwritable.status == 1)
        #expect(unwritable.stderr.hasPrefix("gloss: cannot write the audit file \"\(gloss.path("missing/folder/record.audit"))\": "))
    }

    @Test("export --format w3c and import carry annotations between workspaces; a refused item leaves the store unchanged")
    func webAnnotations() throws {
        let dara = try GlossProcess(), vuthy = try GlossProcess()
        let text = Array("Kem Sokha was charged under article 443 of the Criminal Code.".utf8)
        for gloss in [dara, vuthy] {
            _ = try gloss.succeed("init")
            try gloss.write("s.txt", text)
            _ = try gloss.succeed("statement", "add", "s.txt", "--source", "https://example.org/release")
        }
        let statement = String(try dara.succeed("statement", "list").split(separator: "\n")[1].prefix(8))
        _ = try dara.succeed("annotate", statement, "--quote", "article 443", "--note", "<script>alert(1)</script>", "--tag", "legal")
        _ = try dara.succeed("export", "--format", "w3c", "--statement", statement, "annotations.jsonld")
        let exported = try Data(contentsOf: URL(fileURLWithPath: dara.path("annotations.jsonld")))
        try vuthy.write("in.jsonld", Array(exported))

        let lines = try vuthy.succeed("import", "in.jsonld").split(separator: "\n")
        #expect(lines.count == 2 && lines[0].contains("imported as ") && lines[0].hasSuffix("at 28-39 (exact)"))
        #expect(lines[1] == "imported 1 of 1 item; 0 already held; 0 refused")
        let imported = try vuthy.json("list") as! [[String: Any]]
        #expect(imported.first?["note"] as? String == "<script>alert(1)</script>")
        #expect(imported.first?["tags"] as? [String] == ["legal"])
        #expect(try vuthy.succeed("import", "in.jsonld").hasSuffix("imported 0 of 1 item; 1 already held; 0 refused\n"))

        let count = try vuthy.changeCount()
        try vuthy.write("bad.json", Array("""
            [{"type": "Annotation", "target": {"source": "https://example.org/release", "selector": {"type": "TextQuoteSelector", "exact": "Criminal Code"}}},
             {"type": "Annotation", "target": {"source": "https://example.org/release", "selector": {"type": "TextQuoteSelector", "exact": "Penal Code of 1810"}}}]
            """.utf8))
        let refused = try vuthy.run("import", "bad.json")
        #expect(refused.status == 1)
        #expect(refused.stdout.hasPrefix("item 1: would import on "))
        #expect(refused.stderr == "gloss: nothing imported: 1 of 2 items refused; fix it or pass --skip-refused to import the other 1\n")
        #expect(try vuthy.changeCount() == count)
        #expect(try vuthy.run("import", "in.jsonld", "--statement", "zzzz").stderr == "gloss: no statement has an id starting with \"zzzz\"\n")
        try vuthy.write("broken.json", Array("{\"type\":".utf8))
        #expect(try vuthy.run("import", "broken.json").stderr
                == "gloss: expected a JSON document, found a file that does not parse as JSON in \"broken.json\"\n")
        #expect(try vuthy.succeed("import", "bad.json", "--skip-refused").contains("imported 1 of 2 items; 0 already held; 1 refused"))
    }
}
