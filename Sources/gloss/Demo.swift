import ArgumentParser
import Foundation
import GlossStore

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Walk through Gloss on a temporary workspace with the seed statement.")

    @Flag(help: "Keep the temporary workspace and print where it is.") var keep = false

    func run() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-demo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(at: root) } }
        let seed = root.appendingPathComponent(SeedStatement.fileName)
        try Data(SeedStatement.text.utf8).write(to: seed)
        guard FileManager.default.changeCurrentDirectoryPath(root.path) else {
            throw Failure(message: "cannot enter the demo folder \(root.path)")
        }

        say("A researcher makes a workspace on her laptop. Her device gets an Ed25519 key;\nits id is what teammates will trust.")
        try gloss("init", "--name", "Dara")
        say("She imports the ICJ statement of 14 November 2019.")
        try gloss("statement", "add", SeedStatement.fileName, "--title", SeedStatement.title,
                  "--published", SeedStatement.published, "--source", SeedStatement.source)
        let store = try Store.open(WorkspaceFolder(root: root))
        let statement = try store.statements()[0].id.short
        say("She annotates the legal article the charges rest on.")
        try gloss("annotate", statement, "--quote", "article 443 of the Criminal Code",
                  "--note", "Treason charge; check the text of article 443 in the 2009 Criminal Code.", "--tag", "legal")
        let annotation = try store.annotations()[0].id.short
        say("A quote that occurs more than once must say which occurrence it means.")
        try gloss("annotate", statement, "--quote", "Kem Sokha", "--tag", "person")
        try gloss("annotate", statement, "--quote", "Kem Sokha", "--occurrence", "2", "--tag", "person")
        say("Later she checks it, adds a tag and sharpens the note.")
        try gloss("edit", annotation, "--status", "checked", "--add-tag", "treason",
                  "--note", "Treason under article 443: the ICJ calls the charges spurious.")
        try gloss("list")
        try gloss("show", annotation)
        try gloss("search", "treason")
        say("Every version is kept, signed and chained: nothing is overwritten.")
        try gloss("history", annotation)
        try gloss("log")
        try gloss("verify")
        if keep {
            say("The workspace is in \(root.path); run gloss there, or pass --workspace \(root.path).")
        }
    }

    private func say(_ text: String) {
        print("\n# " + text.replacingOccurrences(of: "\n", with: "\n# "))
    }

    /// Prints a command line as a person would type it, then runs it as the
    /// `gloss` executable would, printing an error the same way.
    private func gloss(_ arguments: String...) throws {
        print("$ gloss " + arguments.map { $0.contains(" ") || $0.isEmpty ? "\"\($0)\"" : $0 }.joined(separator: " "))
        do {
            var command = try Gloss.parseAsRoot(arguments)
            try command.run()
        } catch let error as StoreError {
            print("gloss: \(error)")
        } catch let failure as Failure {
            print("gloss: \(failure.message)")
        }
    }
}
