import ArgumentParser
import Foundation
import Logging
import NIOConcurrencyHelpers
import GlossStore
import GlossSync

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Walk through Gloss on temporary workspaces with the seed statement, two laptops syncing over TLS.")

    @Flag(help: "Keep the temporary workspaces and print where they are.") var keep = false

    func run() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-demo-\(UUID().uuidString.prefix(8))")
        let dara = root.appendingPathComponent("dara"), sophea = root.appendingPathComponent("sophea")
        for folder in [dara, sophea] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        defer { if !keep { try? FileManager.default.removeItem(at: root) } }
        try Data(SeedStatement.text.utf8).write(to: dara.appendingPathComponent(SeedStatement.fileName))
        guard FileManager.default.changeCurrentDirectoryPath(dara.path) else {
            throw Failure(message: "cannot enter the demo folder \(dara.path)")
        }

        say("Dara makes a workspace on her laptop. Her device gets an Ed25519 key;\nits id is what teammates will trust.")
        try await gloss("init", "--name", "Dara")
        say("She imports the ICJ statement of 14 November 2019.")
        try await gloss("statement", "add", SeedStatement.fileName, "--title", SeedStatement.title,
                        "--published", SeedStatement.published, "--source", SeedStatement.source)
        let store = try Store.open(WorkspaceFolder(root: dara))
        let statement = try store.statements()[0].id.short
        say("She annotates the legal article the charges rest on.")
        try await gloss("annotate", statement, "--quote", "article 443 of the Criminal Code",
                        "--note", "Treason charge; check the text of article 443 in the 2009 Criminal Code.", "--tag", "legal")
        let annotation = try store.annotations()[0].id.short
        say("A quote that occurs more than once must say which occurrence it means.")
        try await gloss("annotate", statement, "--quote", "Kem Sokha", "--tag", "person")
        try await gloss("annotate", statement, "--quote", "Kem Sokha", "--occurrence", "2", "--tag", "person")
        say("Later she checks it, adds a tag and sharpens the note.")
        try await gloss("edit", annotation, "--status", "checked", "--add-tag", "treason",
                        "--note", "Treason under article 443: the ICJ calls the charges spurious.")
        try await gloss("list")
        try await gloss("show", annotation)
        try await gloss("search", "treason")
        say("Every version is kept, signed and chained: nothing is overwritten.")
        try await gloss("history", annotation)
        try await gloss("verify")

        say("Dara serves her workspace on this machine's loopback, over TLS 1.3 (gloss serve).")
        let port = NIOLockedValueBox<Int?>(nil)
        var logger = Logger(label: "gloss.serve") { StreamLogHandler.standardOutput(label: $0) }
        logger.logLevel = .critical
        let server = SyncServer(store: store, logger: logger, now: { now() })
        // Unstructured: the server runs beside the walkthrough until the demo cancels it.
        let serving = Task { try await server.run(host: "127.0.0.1", port: 0) { bound in port.withLockedValue { $0 = bound } } }
        defer { serving.cancel() }
        while port.withLockedValue({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
        let address = "127.0.0.1:\(port.withLockedValue { $0! })"

        say("Sophea clones it onto her laptop, trusting only Dara's device id. The server\nrefuses her device until a member admits it.")
        try await gloss("clone", address, "--peer", store.device.rawValue, "--name", "Sophea", sophea.path)
        let sopheaID = try WorkspaceFolder(root: sophea).keyForClone().id
        try await gloss("member", "add", "Sophea", sopheaID.rawValue)
        try await gloss("clone", address, "--peer", store.device.rawValue, "--name", "Sophea", sophea.path)

        say("Offline, both edit the same annotation: different words of the note, and\ndifferent statuses.")
        try await gloss("edit", annotation, "--workspace", sophea.path, "--status", "verified",
                        "--note", "Treason under article 443: the ICJ calls the charges spurious and politically motivated.")
        try await gloss("edit", annotation, "--status", "disputed",
                        "--note", "Treason under article 443 (2009 Code): the ICJ calls the charges spurious.")
        say("Sophea syncs. The note edits merge word by word; the statuses cannot merge,\nso both stay visible as a conflict.")
        try await gloss("sync", "--workspace", sophea.path)
        try await gloss("show", annotation, "--workspace", sophea.path)
        say("She resolves it: the resolution is a signed change like any other.")
        let conflict = try Store.open(WorkspaceFolder(root: sophea)).annotation(try store.resolve(annotation, as: .annotation))
        let verified = conflict.conflicts.first { $0.field == "status" }?.values.first { $0.value == .string("verified") }?.change.hex.prefix(10)
        try await gloss("resolve", annotation, "--workspace", sophea.path, "--field", "status", "--take", String(verified ?? ""))
        try await gloss("sync", "--workspace", sophea.path)
        try await gloss("conflicts")
        try await gloss("history", annotation)
        try await gloss("verify", "--workspace", sophea.path)

        say("For an outside reviewer, Dara writes a signed audit file of the statement;\nit checks anywhere, with no workspace, and names any altered line.")
        let record = root.appendingPathComponent("kem-sokha.audit").path
        try await gloss("audit", "export", record, "--statement", statement)
        try await gloss("audit", "check", record)
        say("For a report, one self-contained HTML page: highlights, notes, history.")
        try await gloss("render", statement, "-o", root.appendingPathComponent("kem-sokha.html").path)
        if keep {
            say("The workspaces are in \(dara.path) and \(sophea.path).")
        }
    }

    private func say(_ text: String) {
        print("\n# " + text.replacingOccurrences(of: "\n", with: "\n# "))
    }

    /// Prints a command line as a person would type it, then runs it as the
    /// `gloss` executable would, printing an error the same way.
    private func gloss(_ arguments: String...) async throws {
        let shown = arguments.map { $0.contains(" ") || $0.isEmpty ? "\"\($0)\"" : $0 }.joined(separator: " ")
        print("$ gloss " + shown.replacingOccurrences(of: FileManager.default.temporaryDirectory.path, with: "$TMP"))
        do {
            var command = try Gloss.parseAsRoot(arguments)
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let error as StoreError {
            print("gloss: \(error)")
        } catch let failure as Failure {
            print("gloss: \(failure.message)")
        }
    }
}
