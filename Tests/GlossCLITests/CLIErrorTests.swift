import Foundation
import Testing

@Suite("CLI: bad input gets one clear line and changes nothing")
struct CLIErrorTests {
    typealias Result = GlossProcess.Result

    func error(_ message: String, status: Int32 = 1) -> Result {
        Result(stdout: "", stderr: "gloss: \(message)\n", status: status)
    }

    /// A workspace with the seed statement; returns the statement's short id.
    func workspace() throws -> (GlossProcess, String) {
        try GlossProcess.withStatement("Kem Sokha was charged under article 443 of the Criminal Code. Kem Sokha denies it.")
    }

    @Test("every command run outside a workspace says where it looked")
    func noWorkspace() throws {
        let gloss = try GlossProcess()
        let path = gloss.folder.standardizedFileURL.path
        for command in [["list"], ["id"], ["statement", "list"], ["verify"], ["log"], ["search", "x"]] {
            #expect(try gloss.run(command) == error(
                "expected a workspace (.gloss) in \"\(path)\" or a parent folder, found none; run `gloss init` or pass --workspace"))
        }
    }

    @Test("init twice is refused and the first workspace kept")
    func initTwice() throws {
        let (gloss, _) = try workspace()
        let id = try gloss.succeed("id")
        #expect(try gloss.run("init") == error("expected no workspace in \"\(gloss.folder.standardizedFileURL.path)\", found one already"))
        #expect(try gloss.succeed("id") == id)
    }

    @Test("a name on two lines is refused, shown escaped on the one error line, and nothing is written")
    func twoLineNames() throws {
        let (gloss, _) = try workspace()
        let before = try gloss.changeCount()
        let device = "EH7DDX5-BKSRGCK-YTL7BKA-I36SE4E-NXX3KLN-K7ELKS5-YQ57PI7-4XEG4QG"
        #expect(try gloss.run("member", "add", "Sophea\nX", device)
                == error(#"expected a device name of 1 to 200 characters on one line, found "Sophea\nX""#))
        #expect(try gloss.changeCount() == before)
        let elsewhere = try GlossProcess()
        #expect(try elsewhere.run("init", "--name", "Dara\u{1B}[2J")
                == error(#"expected a device name of 1 to 200 characters on one line, found "Dara\u{1B}[2J""#))
        #expect(!FileManager.default.fileExists(atPath: elsewhere.folder.appendingPathComponent(".gloss").path))
    }

    @Test("statement add refuses a missing, invalid, NUL-holding, empty or folder file and writes nothing")
    func badStatementFiles() throws {
        let (gloss, _) = try workspace()
        let before = try gloss.changeCount()
        try gloss.write("bad.txt", [0x61, 0x62, 0xC3, 0x28])
        try gloss.write("empty.txt", [])
        try gloss.write("nul.txt", Array("Kem Sokha\u{0} was charged.".utf8))
        #expect(try gloss.run("statement", "add", "missing.txt") == error("expected a statement file, found no file at \"missing.txt\""))
        #expect(try gloss.run("statement", "add", "nul.txt") == error("expected a text without U+0000 (NUL), found one at offset 9"))
        #expect(try gloss.run("statement", "add", "bad.txt") == error("expected UTF-8 text, found an invalid byte at offset 2"))
        #expect(try gloss.run("statement", "add", "empty.txt") == error("expected a text with at least one visible character, found an empty text"))
        #expect(try gloss.run("statement", "add", ".") == error("expected a readable statement file, found a folder at \".\""))
        #expect(try gloss.run("statement", "add", "seed.txt") == error("expected a new text, found the text of statement \(try gloss.succeed("statement", "list").split(separator: "\n")[1].prefix(8)) again"))
        #expect(try gloss.run("statement", "add", "seed.txt", "--published", "yesterday") == error("expected a publication date as YYYY-MM-DD, found \"yesterday\""))
        #expect(try gloss.changeCount() == before)
    }

    @Test("annotate refuses a wrong id, a missing quote, an ambiguous quote, a bad span and an unknown status")
    func badAnnotations() throws {
        let (gloss, statement) = try workspace()
        let before = try gloss.changeCount()
        #expect(try gloss.run("annotate", "zzzz", "--quote", "Kem") == error("no statement has an id starting with \"zzzz\""))
        #expect(try gloss.run("annotate", "no-such", "--quote", "Kem") == error("expected a statement id (letters a-z and digits 2-7), found \"no-such\""))
        #expect(try gloss.run("show", "no-such") == error("expected an annotation id (letters a-z and digits 2-7), found \"no-such\""))
        #expect(try gloss.run("annotate", statement, "--quote", "article 444") == error("quote \"article 444\" does not occur in statement \(statement)"))
        #expect(try gloss.run("annotate", statement, "--quote", "Kem Sokha") == error(
            "quote \"Kem Sokha\" occurs 2 times in statement \(statement) (at 1: 0-9, 2: 62-71); pass --occurrence 1 to 2"))
        #expect(try gloss.run("annotate", statement, "--quote", "Kem Sokha", "--occurrence", "3") == error(
            "expected --occurrence between 1 and 2 for quote \"Kem Sokha\", found 3"))
        #expect(try gloss.run("annotate", statement, "--start", "5", "--end", "500") == error(
            "expected 0 <= start < end <= 82 (the text's length in code points), found start 5, end 500"))
        #expect(try gloss.run("annotate", statement, "--start", "5") == error("expected either --quote TEXT or both --start and --end"))
        #expect(try gloss.run("annotate", statement, "--quote", "Kem", "--status", "done") == error(
            "The value 'done' is invalid for '--status <status>'. Please provide one of 'open', 'checked', 'verified' or 'disputed'.", status: 64))
        #expect(try gloss.run("annotate", statement, "--quote", "article", "--tag", "two words") == error(
            "expected a tag without spaces or control characters, found \"two words\""))
        #expect(try gloss.run("annotate", statement, "--quote", "article", "--note", "x", "--note-file", "n.txt") == error(
            "expected --note or --note-file, found both"))
        try gloss.write("nul-note.txt", Array("a note\u{0}with NUL".utf8))
        let nulNote = try gloss.run("annotate", statement, "--quote", "article", "--note-file", "nul-note.txt")
        #expect(nulNote == error("refused to write an invalid change: expected strings without U+0000 (NUL), found one in note"))
        #expect(try gloss.changeCount() == before)
    }

    @Test("edit, delete and restore refuse a wrong id or an edit that changes nothing")
    func badEdits() throws {
        let (gloss, statement) = try workspace()
        let annotation = String(try gloss.succeed("annotate", statement, "--quote", "article 443").prefix(8))
        let before = try gloss.changeCount()
        #expect(try gloss.run("edit", "zzzz", "--status", "checked") == error("no annotation has an id starting with \"zzzz\""))
        #expect(try gloss.run("edit", annotation) == error(
            "expected at least one of --note, --note-file, --add-tag, --remove-tag, --status, --motivation"))
        #expect(try gloss.run("edit", annotation, "--status", "open") == error(
            "expected an edit that changes annotation \(annotation), found only its current values"))
        #expect(try gloss.run("restore", annotation) == error(
            "expected a deleted annotation, found annotation \(annotation) already live"))
        #expect(try gloss.run("show", statement) == error("no annotation has an id starting with \"\(statement)\""))
        #expect(try gloss.changeCount() == before)
    }

    @Test("unknown flags and subcommands are usage errors (exit 64)")
    func usage() throws {
        let (gloss, _) = try workspace()
        #expect(try gloss.run("list", "--bogus") == error("Unknown option '--bogus'", status: 64))
        #expect(try gloss.run("frobnicate") == error("Unexpected argument 'frobnicate'", status: 64))
        #expect(try gloss.run("log", "--since", "last week") == error(
            "expected --since as YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], found \"last week\""))
        #expect(try gloss.run("log", "--limit", "0") == error("expected --limit of at least 1, found 0"))
        #expect(try gloss.run("list", "--author", "nobody") == error("expected a member's name (\"Dara\") or device id, found \"nobody\""))
    }
}
