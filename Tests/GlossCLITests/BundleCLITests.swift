import Foundation
import Testing

@Suite("CLI: two laptops exchanging bundles")
struct BundleCLITests {
    typealias Result = GlossProcess.Result

    func exchange(_ from: GlossProcess, _ to: GlossProcess) throws -> String { try from.send(to: to) }

    func listJSON(_ gloss: GlossProcess) throws -> String {
        try gloss.succeed("list", "--json", "--deleted")
    }

    @Test("a clone, admitted by a member, edits concurrently; both reach the same list, conflicts and resolution")
    func roundTrip() throws {
        let dara = try GlossProcess(), sophea = try GlossProcess()
        _ = try dara.succeed("init", "--name", "Dara")
        try dara.write("s.txt", Array("Kem Sokha was charged under article 443 of the Criminal Code.".utf8))
        let statement = String(try dara.succeed("statement", "add", "s.txt").prefix(8))
        let annotation = String(try dara.succeed("annotate", statement, "--quote", "article 443", "--note", "charge under 443").prefix(8))
        #expect(try dara.succeed("bundle", "create", dara.path("all.bundle")) == "wrote 3 changes and 1 text to \(dara.path("all.bundle"))\n")

        let cloned = try sophea.succeed("init", "--from", dara.path("all.bundle"), "--name", "Sophea")
        let device = (try sophea.json("id") as! [String: String])["device"]!
        #expect(cloned.hasSuffix("it is not a member yet, so a member must run:\n  gloss member add Sophea \(device)\n"))
        #expect(try sophea.run("edit", annotation, "--status", "checked") == Result(
            stdout: "", stderr: "gloss: this device is not a member of the workspace, so it cannot write; a member must run: gloss member add NAME \(device)\n",
            status: 1))

        #expect(try dara.succeed("member", "add", "Sophea", device.lowercased().replacingOccurrences(of: "-", with: "")) == "admitted Sophea (\(device.prefix(7)))\n")
        #expect(try exchange(dara, sophea) == "received 1, already held 0, entities changed 0\nconflicts created 0, resolved 0\n")
        #expect((try sophea.json("member", "list") as! [[String: String]]).map { $0["name"]! } == ["Dara", "Sophea"])

        _ = try sophea.succeed("edit", annotation, "--status", "checked", "--note", "charge under 443 of 2009", "--add-tag", "legal")
        _ = try dara.succeed("edit", annotation, "--status", "disputed", "--note", "spurious charge under 443")
        #expect(try exchange(sophea, dara) == "received 1, already held 0, entities changed 1\nconflicts created 1, resolved 0\n")
        _ = try exchange(dara, sophea)
        #expect(try listJSON(dara) == listJSON(sophea))

        let shown = try dara.json("show", annotation) as! [String: Any]
        #expect(shown["note"] as? String == "spurious charge under 443 of 2009", "word-level edits to different words merge")
        #expect(shown["tags"] as? [String] == ["legal"])
        let conflicts = shown["conflicts"] as! [[String: Any]]
        #expect(conflicts.map { $0["field"] as! String } == ["status"])
        let values = (conflicts[0]["values"] as! [[String: Any]]).map { $0["value"] as! String }
        #expect(Set(values) == ["checked", "disputed"])
        #expect(try dara.succeed("list", "--conflicted").contains("\(annotation)  conflict"))

        let checked = (conflicts[0]["values"] as! [[String: Any]]).first { $0["value"] as? String == "checked" }!["change"] as! String
        #expect(try sophea.succeed("resolve", annotation, "--field", "status", "--take", String(checked.prefix(8))) == "\(annotation)  resolved status\n")
        #expect(try exchange(sophea, dara) == "received 1, already held 0, entities changed 1\nconflicts created 0, resolved 1\n")
        #expect(try dara.succeed("conflicts") == "no conflicts\n")
        #expect(try listJSON(dara) == listJSON(sophea))
        #expect(try dara.succeed("history", annotation).contains("  resolves the conflict on status\n"))
        #expect(try dara.run("verify").status == 0)
        #expect(try sophea.run("verify").status == 0)

        #expect(try dara.succeed("member", "remove", "sophea") ==
                "removed Sophea (\(device.prefix(7))); their changes up to seq 2 stay valid, later ones will take no effect\n")
        _ = try exchange(dara, sophea)
        #expect(try sophea.run("edit", annotation, "--note", "too late") == Result(
            stdout: "", stderr: "gloss: this device (\(device.prefix(7))) was removed from the workspace, so it cannot write; a member may admit a new identity made with gloss init --from\n",
            status: 1))
        #expect(try sophea.succeed("member", "list").hasSuffix("Sophea (removed; valid up to seq 2)\n"))
    }

    @Test("a truncated, altered or foreign bundle is refused whole and the store is unchanged")
    func badBundles() throws {
        let dara = try GlossProcess(), other = try GlossProcess()
        _ = try dara.succeed("init", "--name", "Dara")
        _ = try other.succeed("init", "--name", "Other")
        try dara.write("s.txt", Array("Kem Sokha was charged.".utf8))
        _ = try dara.succeed("statement", "add", "s.txt")
        _ = try dara.succeed("bundle", "create", dara.path("good.bundle"))
        let good = try Data(contentsOf: URL(fileURLWithPath: dara.path("good.bundle")))
        let lines = String(decoding: good, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        try dara.write("truncated.bundle", Array((lines.dropLast(2).joined(separator: "\n") + "\n").utf8))
        var altered = Array(good)
        altered[altered.count / 2] ^= 0x01
        try dara.write("altered.bundle", altered)
        let before = try other.changeCount()

        #expect(try other.run("bundle", "apply", dara.path("truncated.bundle")).stderr ==
                "gloss: expected a Gloss bundle in \"\(dara.path("truncated.bundle"))\": a last line \"end CHANGES TEXTS SHA256\", found none: the bundle is truncated\n")
        #expect(try other.run("bundle", "apply", dara.path("altered.bundle")).stderr ==
                "gloss: expected a Gloss bundle in \"\(dara.path("altered.bundle"))\": bytes matching the digest in the last line: the bundle was altered or damaged\n")
        let foreign = try other.run("bundle", "apply", dara.path("good.bundle"))
        #expect(foreign.status == 1)
        #expect(foreign.stderr.hasPrefix("gloss: expected a bundle of workspace "))
        #expect(try other.changeCount() == before)
        #expect(try other.run("bundle", "apply", dara.path("missing.bundle")).stderr ==
                "gloss: expected a bundle, found no file at \"\(dara.path("missing.bundle"))\"\n")
    }

    @Test("member add refuses a mistyped device id and a name already taken")
    func badMembers() throws {
        let dara = try GlossProcess()
        _ = try dara.succeed("init", "--name", "Dara")
        let device = (try dara.json("id") as! [String: String])["device"]!
        var typo = Array(device)
        typo[3] = typo[3] == "A" ? "B" : "A"
        let result = try dara.run("member", "add", "Sophea", String(typo))
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("gloss: expected a device id like "))
        #expect(result.stderr.hasSuffix("(with correct check characters), found \"\(String(typo))\"\n"))
        #expect(try dara.run("member", "add", "Dara2", device).stderr ==
                "gloss: expected a device that is not a member, found \(device.prefix(7)) already a member as \"Dara\"\n")
    }

    @Test("an annotation on a statement that a removed device made after its removal is still shown and audited, without the statement")
    func annotationOnLateStatement() throws {
        let dara = try GlossProcess(), sophea = try GlossProcess(), vuthy = try GlossProcess()
        _ = try dara.succeed("init", "--name", "Dara")
        _ = try dara.succeed("bundle", "create", dara.path("all.bundle"))
        for (laptop, name) in [(sophea, "Sophea"), (vuthy, "Vuthy")] {
            _ = try laptop.succeed("init", "--from", dara.path("all.bundle"), "--name", name)
            _ = try dara.succeed("member", "add", name, (try laptop.json("id") as! [String: String])["device"]!)
            try dara.send(to: laptop)
        }
        _ = try dara.succeed("member", "remove", "Sophea")
        // Sophea, offline, does not know yet; Vuthy hears from her first.
        try sophea.write("late.txt", Array("A late release on the charges.".utf8))
        let statement = String(try sophea.succeed("statement", "add", "late.txt", "--title", "Late").prefix(8))
        try sophea.send(to: vuthy)
        let annotation = String(try vuthy.succeed("annotate", statement, "--quote", "charges", "--note", "on the late release").prefix(8))
        try dara.send(to: vuthy)

        #expect(try vuthy.run("statement", "show", statement).status == 1)
        let shown = try vuthy.succeed("show", annotation)
        #expect(shown.contains("statement   \(statement)  (not in this workspace: a removed device made it after its removal, so it takes no effect)\n"))
        #expect(shown.contains("note        on the late release\n"))
        _ = try vuthy.succeed("audit", "export", "all.audit")
        let check = try vuthy.succeed("audit", "check", vuthy.path("all.audit"))
        #expect(check.contains("\nstatement \(statement)  (takes no effect: a removed device made it after its removal)\n  annotation \(annotation)  "))
    }
}
