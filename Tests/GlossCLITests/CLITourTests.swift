import Foundation
import Testing
@testable import gloss

@Suite("CLI: the tour, as a person runs it")
struct CLITourTests {
    let seedPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("seeds/icj-cambodia-kem-sokha-2019-11-14.txt")

    /// "2026-11-29T07:10:03.123Z" -> "2026-11-29 07:10:03 UTC", as the tables show times.
    func human(_ iso: Any?) -> String {
        let text = iso as! String
        return text.prefix(10) + " " + text.dropFirst(11).prefix(8) + " UTC"
    }

    @Test("the embedded seed statement is byte for byte the one in seeds/")
    func embeddedSeed() throws {
        #expect(Array(SeedStatement.text.utf8) == Array(try Data(contentsOf: seedPath)))
    }

    @Test("annotate, tag, edit, search, list, show and history work on the seed statement")
    func tour() throws {
        let gloss = try GlossProcess()
        let initialised = try gloss.succeed("init", "--name", "Dara")
        let id = try gloss.json("id") as! [String: String]
        let device = id["device"]!
        #expect(initialised == "initialised workspace \(id["workspace"]!) in \(gloss.folder.standardizedFileURL.path)/.gloss\nthis device is \(device) (Dara)\n")
        #expect(try gloss.succeed("id") == "\(device)  Dara\n")

        let added = try gloss.succeed("statement", "add", seedPath.path, "--title", "Cambodia: charges against Kem Sokha",
                                      "--published", "2019-11-14", "--source", "https://www.icj.org/cambodia-kem-sokha/")
        let statement = String(added.prefix(8))
        #expect(added == "\(statement)  added 4485 code points  Cambodia: charges against Kem Sokha\n")
        #expect(try gloss.succeed("statement", "list") == """
            ID        PUBLISHED   NOTES  TITLE
            \(statement)  2019-11-14      0  Cambodia: charges against Kem Sokha

            """)

        let annotated = try gloss.succeed("annotate", statement, "--quote", "article 443 of the Criminal Code",
                                          "--note", "Treason charge.", "--tag", "legal")
        let annotation = String(annotated.prefix(8))
        #expect(annotated == "\(annotation)  annotated 606-638 \"article 443 of the Criminal Code\"\n")
        #expect(try gloss.succeed("edit", annotation, "--status", "checked", "--add-tag", "treason",
                                  "--note", "Spurious treason charge, says the ICJ.") == "\(annotation)  edited\n")

        #expect(try gloss.succeed("list") == """
            ID        STATUS    TAGS            QUOTE
            \(annotation)  checked   legal,treason   "article 443 of the Criminal Code"

            """)
        #expect(try gloss.succeed("list", "--tag", "nothing") == "no annotations match\n")
        #expect(try gloss.succeed("search", "spurious", "treason") == """
            annotation  \(annotation)  article 443 of the Criminal Code [Spurious] [treason] cha…
            statement   \(statement)  …arrest in 2017 on [spurious] charges of [treason] under …

            """)

        let json = try gloss.json("show", annotation) as! [String: Any]
        #expect(json["note"] as? String == "Spurious treason charge, says the ICJ.")
        #expect(json["tags"] as? [String] == ["legal", "treason"])
        #expect(json["status"] as? String == "checked")
        #expect(json["motivation"] as? String == "commenting")
        #expect(json["deleted"] as? Bool == false)
        #expect(json["quote"] as? [String: String] == [
            "exact": "article 443 of the Criminal Code", "prefix": "urious charges of treason under ",
            "suffix": ". This came after Phnom Penh Mun",
        ])
        #expect(json["position"] as? [String: Int] == ["start": 606, "end": 638])
        #expect((json["author"] as? [String: String])?["name"] == "Dara")
        let fullID = json["id"] as! String

        #expect(try gloss.succeed("show", annotation) == """
            annotation  \(fullID)
            statement   \(statement)  Cambodia: charges against Kem Sokha
            quote       "article 443 of the Criminal Code" (606-638)
            context     …urious charges of treason under [article 443 of the Criminal Code]. This came after Phnom Penh Mun…
            note        Spurious treason charge, says the ICJ.
            tags        legal, treason
            status      checked
            motivation  commenting
            created     \(human(json["created"])) by Dara (\(device.prefix(7)))
            modified    \(human(json["modified"])) by Dara (\(device.prefix(7)))

            """)

        let versions = try gloss.json("history", annotation) as! [[String: Any]]
        #expect(versions.map { $0["changes"] as! [String] } == [
            ["created on \"article 443 of the Criminal Code\" (606-638)", "note: \"Treason charge.\"", "tags: +legal",
             "status: open", "motivation: commenting"],
            ["note: \"Spurious treason charge, says the ICJ.\"", "tags: +treason", "status: open -> checked"],
        ])
        let history = try gloss.succeed("history", annotation)
        #expect(history.contains("Dara (\(device.prefix(7)))  change \((versions[1]["change"] as! String).prefix(12))\n  note: \"Spurious treason charge, says the ICJ.\"\n  tags: +treason\n  status: open -> checked\n"))

        #expect(try gloss.succeed("delete", annotation) == "\(annotation)  deleted\n")
        #expect(try gloss.succeed("list") == "no annotations match\n")
        #expect(try gloss.succeed("list", "--deleted").contains("\(annotation)  deleted "))
        #expect(try gloss.succeed("restore", annotation) == "\(annotation)  restored\n")

        let log = try gloss.json("log") as! [[String: Any]]
        let time = human(log[0]["time"]).prefix(16)
        #expect(try gloss.succeed("log", "--limit", "1") == "\((log[0]["id"] as! String).prefix(10))  \(time)  Dara      annotation \(annotation)  restore\n")
        #expect(log.map { $0["seq"] as! Int } == [6, 5, 4, 3, 2, 1])
        #expect(log.allSatisfy { ($0["author"] as? [String: String])?["device"] == device })
        #expect((try gloss.json("log", "--entity", annotation, "--limit", "2") as! [Any]).count == 2)
        #expect(try gloss.succeed("verify") == "ok: 6 changes verified (hashes, chains, signatures)\n")
    }

    @Test("a statement can come from stdin, a note from a file, and the workspace from GLOSS_WORKSPACE")
    func stdinAndEnvironment() throws {
        let gloss = try GlossProcess()
        _ = try gloss.succeed("init")
        let elsewhere = gloss.folder.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: false)
        try gloss.write("note.txt", Array("line one\nline two".utf8))
        let env = ["GLOSS_WORKSPACE": gloss.folder.path]
        let added = try gloss.run(["statement", "add", "-"], in: URL(fileURLWithPath: "/"), stdin: Data("Le procès de Kem Sokha.".utf8), environment: env)
        #expect(added.status == 0)
        let statement = String(added.stdout.prefix(8))
        let annotated = try gloss.run(["annotate", statement, "--quote", "procès", "--note-file", "note.txt"], in: gloss.folder)
        #expect(annotated.status == 0)
        let json = try gloss.json("show", String(annotated.stdout.prefix(8))) as! [String: Any]
        #expect(json["note"] as? String == "line one\nline two")
        #expect(json["position"] as? [String: Int] == ["start": 3, "end": 9])
    }

    @Test("verify exits 1 and names each change altered with the sqlite3 shell")
    func tamperWithSQLiteShell() throws {
        let gloss = try GlossProcess()
        _ = try gloss.succeed("init", "--name", "Dara")
        try gloss.write("s.txt", Array("under article 443 of the Criminal Code".utf8))
        let statement = String(try gloss.succeed("statement", "add", "s.txt").prefix(8))
        let annotation = String(try gloss.succeed("annotate", statement, "--quote", "article 443", "--note", "original").prefix(8))
        _ = try gloss.succeed("edit", annotation, "--note", "second")
        #expect(try gloss.run("verify").status == 0)

        try gloss.sqlite("UPDATE change SET body = CAST(replace(CAST(body AS TEXT), 'original', 'rewritten') AS BLOB) WHERE seq = 3")
        let idPrefix = try gloss.sqlite("SELECT lower(hex(id)) FROM change WHERE seq = 3").prefix(12)
        let author = (try gloss.json("id") as! [String: String])["device"]!.prefix(7)
        let result = try gloss.run("verify")
        #expect(result == GlossProcess.Result(
            stdout: """
                change \(idPrefix) (\(author) seq 3): its bytes, re-created from the log, do not hash to its id
                change \(idPrefix) (\(author) seq 3): its signature does not verify against its author's key

                """,
            stderr: "gloss: the log fails verification: 2 problems\n", status: 1))
        let report = try gloss.run("verify", "--json")
        #expect(report.status == 1)
        let json = try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as! [String: Any]
        #expect(json["ok"] as? Bool == false)
        let problems = json["problems"] as? [[String: Any]] ?? []
        #expect(problems.map { $0["kind"] as? String } == ["hash", "signature"])
        #expect(problems.allSatisfy { ($0["change"] as? String)?.hasPrefix(String(idPrefix)) == true && $0["seq"] as? Int == 3 })
    }

    @Test("two processes writing to one workspace at once both succeed, with no lost or locked write")
    func concurrentProcesses() async throws {
        let gloss = try GlossProcess()
        _ = try gloss.succeed("init")
        try gloss.write("s.txt", Array("one two three four five six seven eight nine ten".utf8))
        let statement = String(try gloss.succeed("statement", "add", "s.txt").prefix(8))
        let annotation = String(try gloss.succeed("annotate", statement, "--quote", "five").prefix(8))
        let rounds = 15
        let failures = try await withThrowingTaskGroup(of: [String].self) { group in
            for writer in 0..<2 {
                group.addTask {
                    var failures: [String] = []
                    for round in 0..<rounds {
                        let result = try gloss.run(["edit", annotation, "--add-tag", "w\(writer)r\(round)"])
                        if result.status != 0 { failures.append(result.stderr) }
                        let read = try gloss.run(["list"])
                        if read.status != 0 { failures.append(read.stderr) }
                    }
                    return failures
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(failures == [])
        #expect(try gloss.changeCount() == 3 + 2 * rounds)
        let tags = (try gloss.json("show", annotation) as! [String: Any])["tags"] as! [String]
        #expect(tags.count == 2 * rounds)
        #expect(try gloss.run("verify").status == 0)
    }

    @Test("the demo runs from start to end: two replicas sync over TLS, merge a note, resolve a conflict, audit and render")
    func demo() throws {
        let gloss = try GlossProcess()
        let result = try gloss.run("demo")
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout.contains("$ gloss annotate"))
        #expect(result.stdout.contains("pass --occurrence 1 to 6"))
        #expect(result.stdout.contains("refused it: it is not a member yet, so a member must run:"))
        #expect(result.stdout.contains("conflicts created 1, resolved 0"))
        #expect(result.stdout.contains("2 live values; gloss resolve"))
        #expect(result.stdout.contains("  resolves the conflict on status\n"))
        #expect(result.stdout.contains("note        Treason under article 443 (2009 Code): the ICJ calls the charges spurious and politically motivated.\n"))
        #expect(result.stdout.contains("ok: 9 changes verified (hashes, chains, signatures)\n"))
        #expect(result.stdout.contains("ok: every hash, chain, signature and derived annotation checks\n"))
        #expect(result.stdout.hasSuffix("kem-sokha.html: 2 highlighted annotations\n"))
    }
}
