import Foundation
import GlossCore
import GlossStore
import Testing

@Suite("CLI: a server killed mid-sync or mid-clone")
struct KillTests {
    @Test("kill -9 of gloss serve mid-sync: both logs verify, acknowledged batches stay, a second sync converges")
    func killedServer() throws {
        let (dara, statement, daraID) = try Self.workspaceWithStatement()
        let sophea = try GlossProcess()
        var server = try NetworkCLITests.Server(dara)
        let refused = try sophea.run("clone", server.address, "--peer", daraID)
        let sopheaID = String(refused.stdout.split(separator: " ")[3].dropLast())
        _ = try dara.succeed("member", "add", "Sophea", sopheaID)
        server.stop()
        server = try NetworkCLITests.Server(dara)
        _ = try sophea.succeed("clone", server.address, "--peer", daraID)

        try Self.writeManyChanges(in: sophea, on: statement)
        let before = try dara.changeCount()

        let sync = Process()
        sync.executableURL = GlossProcess.executable
        sync.arguments = ["sync", "--push-only"]
        sync.currentDirectoryURL = sophea.folder
        sync.standardOutput = FileHandle.nullDevice
        sync.standardError = FileHandle.nullDevice
        try sync.run()
        // Kill the server as soon as it has committed a first batch.
        let deadline = Date().addingTimeInterval(30)
        while try dara.changeCount() == before, Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        kill(server.process.processIdentifier, SIGKILL)
        server.process.waitUntilExit()
        sync.waitUntilExit()

        let received = try dara.changeCount() - before
        #expect(received % 1_000 == 0 && received < 2_550, "killed mid-sync, only whole acknowledged batches are kept: \(received)")
        #expect(try dara.run("verify").status == 0)
        #expect(try sophea.run("verify").status == 0)

        server = try NetworkCLITests.Server(dara)
        defer { server.stop() }
        let again = try sophea.run("sync", server.address)
        #expect(again.status == 0, "second sync: \(again.stderr) \(again.stdout)")
        #expect(try sophea.succeed("list", "--json") == dara.succeed("list", "--json"))
        #expect(try dara.changeCount() == sophea.changeCount())
    }

    @Test("kill -9 of gloss serve mid-clone: the clone keeps its whole batches, names its origin, and gloss sync finishes it")
    func killedServerMidClone() throws {
        let (dara, statement, daraID) = try Self.workspaceWithStatement()
        let sophea = try GlossProcess()
        // Ten batches: a clone commits a batch in some milliseconds, and the
        // server must still be sending when the test, polling, kills it.
        try Self.writeManyChanges(in: dara, on: statement, annotations: 200)
        var server = try NetworkCLITests.Server(dara)
        let refused = try sophea.run("clone", server.address, "--peer", daraID)
        _ = try dara.succeed("member", "add", "Sophea", String(refused.stdout.split(separator: " ")[3].dropLast()))

        let clone = Process()
        clone.executableURL = GlossProcess.executable
        clone.arguments = ["clone", server.address, "--peer", daraID]
        clone.currentDirectoryURL = sophea.folder
        let output = Pipe()
        clone.standardOutput = output
        clone.standardError = FileHandle.nullDevice
        try clone.run()
        // Kill the server as soon as the clone has committed a first batch
        // (the sqlite3 shell would make the database if it were not there).
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: sophea.databasePath) || (try? sophea.changeCount()) ?? -1 <= 0, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.005)
        }
        kill(server.process.processIdentifier, SIGKILL)
        server.process.waitUntilExit()
        clone.waitUntilExit()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)

        let received = try sophea.changeCount()
        #expect(clone.terminationStatus != 0)
        #expect(try received % 1_000 == 0 && received > 0 && received < dara.changeCount(), "only whole batches are kept: \(received)")
        #expect(said.contains("the clone was cut short") && said.contains("gloss sync"), "\(said)")
        #expect(try sophea.run("verify").status == 0)

        server = try NetworkCLITests.Server(dara, port: server.port)
        defer { server.stop() }
        let again = try sophea.run("sync")
        #expect(again.status == 0, "sync with the clone's origin: \(again.stderr) \(again.stdout)")
        #expect(try sophea.succeed("list", "--json") == dara.succeed("list", "--json"))
        #expect(try sophea.changeCount() == dara.changeCount())
        #expect(try sophea.sqlite("SELECT name FROM sqlite_master WHERE name IN ('change_by_entity', 'change_by_clock', 'change_by_id') ORDER BY name")
            .split(separator: "\n") == ["change_by_clock", "change_by_entity", "change_by_id"])
    }

    /// Dara's new workspace, holding one statement: its short id, and Dara's device id.
    static func workspaceWithStatement() throws -> (GlossProcess, statement: String, device: String) {
        let dara = try GlossProcess()
        _ = try dara.succeed("init", "--name", "Dara")
        try dara.write("s.txt", Array("Kem Sokha was charged under article 443 of the Criminal Code.".utf8))
        let statement = String(try dara.succeed("statement", "add", "s.txt").prefix(8))
        return (dara, statement, (try dara.json("id") as! [String: String])["device"]!)
    }

    /// `annotations` annotations of `statement` with 50 edits each (51
    /// changes apiece), written through the library for speed.
    static func writeManyChanges(in gloss: GlossProcess, on statement: String, annotations: Int = 50) throws {
        let store = try Store.open(WorkspaceFolder(root: gloss.folder))
        let id = try store.resolve(statement, as: .statement)
        var time = 1_800_000_000_000
        for start in 0..<annotations {
            time += 1
            let annotation = try store.annotate(id, span: .positions(start: start % 50, end: start % 50 + 5), edit: AnnotationEdit(), now: time)
            for index in 0..<50 {
                time += 1
                _ = try store.edit(annotation.id, AnnotationEdit(note: "version \(index)"), now: time)
            }
        }
    }
}
