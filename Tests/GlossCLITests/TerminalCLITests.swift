import Foundation
import Testing

@Suite("CLI: text from other devices is shown on a terminal, never obeyed")
struct TerminalCLITests {
    /// Runs `gloss arguments...` on a pseudo-terminal (through `script`), as
    /// a person at a terminal would, and returns what the terminal received.
    func onTerminal(_ gloss: GlossProcess, _ arguments: String...) throws -> String {
        let script = URL(fileURLWithPath: "/usr/bin/script")
        try #require(FileManager.default.isExecutableFile(atPath: script.path), "util-linux's script runs a command on a pseudo-terminal")
        let quoted = ([GlossProcess.executable.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let process = Process()
        process.executableURL = script
        process.arguments = ["--quiet", "--return", "--command", quoted.joined(separator: " ") + " 2>&1", "/dev/null"]
        process.currentDirectoryURL = gloss.folder
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test("a note holding escape sequences prints them as \u{FFFD} on a terminal, and exactly to a pipe; so does an error echoing input")
    func escapeSequences() throws {
        let (gloss, statement) = try GlossProcess.withStatement("Kem Sokha was charged under article 443 of the Criminal Code.")
        // As a teammate's device could write it: it arrives by sync like any note.
        let note = "red \u{1B}[31mRED\u{1B}[0m \u{1B}]0;title\u{07} done\r\nsecond line\tend"
        let annotation = String(try gloss.succeed("annotate", statement, "--quote", "article 443", "--note", note).prefix(8))

        #expect(try gloss.succeed("show", annotation).contains(note.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n")[0]),
                "a pipe gets the note's bytes")
        let shown = try onTerminal(gloss, "show", annotation)
        #expect(shown.contains("red \u{FFFD}[31mRED\u{FFFD}[0m \u{FFFD}]0;title\u{FFFD} done"), "\(shown)")
        #expect(shown.contains("second line\tend"))
        #expect(!shown.contains("\u{1B}") && !shown.contains("\u{07}"))

        let refused = try onTerminal(gloss, "member", "add", "\u{1B}[2Jname", "AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA")
        #expect(refused.hasPrefix("gloss: expected "), "\(refused)")
        #expect(!refused.contains("\u{1B}"), "\(refused)")
    }
}
