import Foundation
import Testing

@Suite("CLI: serve, clone and sync over loopback TLS")
struct NetworkCLITests {
    /// A `gloss serve` process on a free port, stopped when the test ends.
    final class Server: Sendable {
        let process: Process
        let port: Int
        let log: URL

        /// Listens on `port`, or on a free one for 0.
        init(_ gloss: GlossProcess, port: Int = 0) throws {
            log = gloss.folder.appendingPathComponent("serve-\(UUID().uuidString.prefix(6)).log")
            guard FileManager.default.createFile(atPath: log.path, contents: nil) else { throw CLIFailure(description: "cannot create \(log.path)") }
            process = Process()
            process.executableURL = GlossProcess.executable
            process.arguments = ["serve", "--listen", "127.0.0.1:\(port)"]
            process.currentDirectoryURL = gloss.folder
            process.standardError = try FileHandle(forWritingTo: log)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            var port: Int?
            for _ in 0..<500 where port == nil {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                if let range = text.range(of: #"on 127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                    port = Int(text[range].split(separator: ":").last!)
                } else {
                    Thread.sleep(forTimeInterval: 0.01)
                }
            }
            guard let port else { throw CLIFailure(description: "gloss serve did not start: \(try String(contentsOf: log, encoding: .utf8))") }
            self.port = port
        }

        var address: String { "127.0.0.1:\(port)" }
        var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }

    @Test("clone is refused until admitted, then clones; sync moves edits both ways and reports")
    func cloneAndSync() throws {
        let dara = try GlossProcess(), sophea = try GlossProcess()
        _ = try dara.succeed("init", "--name", "Dara")
        try dara.write("s.txt", Array("Kem Sokha was charged under article 443 of the Criminal Code.".utf8))
        let statement = String(try dara.succeed("statement", "add", "s.txt").prefix(8))
        let annotation = String(try dara.succeed("annotate", statement, "--quote", "article 443").prefix(8))
        let daraID = (try dara.json("id") as! [String: String])["device"]!
        let server = try Server(dara)
        defer { server.stop() }

        let refused = try sophea.run("clone", server.address, "--peer", daraID, "--name", "Sophea")
        #expect(refused.status == 1)
        #expect(refused.stderr == "gloss: the server at \(server.address) refused this device (not a member yet)\n")
        let sopheaID = String(refused.stdout.split(separator: " ")[3].dropLast())
        #expect(refused.stdout == """
            this device is \(sopheaID); the server refused it: it is not a member yet, so a member must run:
              gloss member add Sophea \(sopheaID)
            then run this clone again (the device id stays the same).

            """)
        #expect(server.logText.contains("refused device \(sopheaID)"))

        _ = try dara.succeed("member", "add", "Sophea", sopheaID)
        let cloned = try sophea.succeed("clone", server.address, "--peer", daraID)
        #expect(cloned.contains("(4 changes); remote \"origin\" added\nthis device is \(sopheaID)\n"))

        _ = try sophea.succeed("edit", annotation, "--add-tag", "legal")
        _ = try dara.succeed("edit", annotation, "--status", "checked")
        let synced = try sophea.succeed("sync")
        #expect(synced.hasPrefix("synced with origin: sent 1, received 1, conflicts created 0, resolved 0, in "))
        #expect(try sophea.succeed("list", "--json") == dara.succeed("list", "--json"))
        let report = try sophea.json("sync") as! [String: Any]
        #expect(report["sent"] as? Int == 0 && report["received"] as? Int == 0 && report["inStep"] as? Bool == true)

        let trace = sophea.path("trace.txt")
        _ = try sophea.succeed("sync", "--pull-only", "--trace", trace)
        #expect(try String(contentsOf: URL(fileURLWithPath: trace), encoding: .utf8).hasPrefix("> hello 1 "))
        #expect(try sophea.run("sync", "127.0.0.1:1").stderr == "gloss: cannot connect to 127.0.0.1:1: Connection refused\n")
        let unknownHost = try sophea.run("sync", "nosuchhost.invalid:7420").stderr
        #expect(unknownHost.hasPrefix("gloss: cannot connect to nosuchhost.invalid:7420: cannot resolve nosuchhost.invalid: ")
                && !unknownHost.contains("SocketAddressError"), "\(unknownHost)")
        #expect(try sophea.run("sync", "nowhere").stderr == "gloss: expected HOST:PORT such as 127.0.0.1:7420, found \"nowhere\"\n")
        #expect(try sophea.run("sync", "--pull-only", "--push-only").stderr == "gloss: expected --pull-only or --push-only, found both\n")
    }

    @Test("a clone that trusts another device id refuses the server")
    func wrongPeer() throws {
        let dara = try GlossProcess(), other = try GlossProcess()
        _ = try dara.succeed("init", "--name", "Dara")
        _ = try other.succeed("init", "--name", "Other")
        let otherID = (try other.json("id") as! [String: String])["device"]!
        let daraID = (try dara.json("id") as! [String: String])["device"]!
        let server = try Server(dara)
        defer { server.stop() }
        let target = try GlossProcess()
        let result = try target.run("clone", server.address, "--peer", otherID)
        #expect(result.status == 1)
        #expect(result.stderr.contains("the peer's device \(daraID) is not one this workspace trusts"))
    }

    @Test("remotes are added, listed and removed; sync with no remote says what it expected")
    func remotes() throws {
        let dara = try GlossProcess()
        _ = try dara.succeed("init", "--name", "Dara")
        #expect(try dara.run("sync").stderr == "gloss: expected a remote or HOST:PORT (there are no remotes)\n")
        #expect(try dara.succeed("remote", "add", "office", "192.0.2.10:7420") == "added remote office at 192.0.2.10:7420\n")
        #expect(try dara.run("remote", "add", "office", "192.0.2.11:7420").stderr == "gloss: expected a new remote name, found \"office\" already for 192.0.2.10:7420\n")
        #expect(try dara.run("remote", "add", "bad name", "x:1").stderr == "gloss: expected a remote name of letters, digits, - _ or . (at most 64), found \"bad name\"\n")
        #expect(try dara.succeed("remote", "list") == "office        192.0.2.10:7420\n")
        #expect(try dara.succeed("remote", "remove", "office") == "removed remote office\n")
        #expect(try dara.succeed("remote", "list") == "no remotes; add one with gloss remote add NAME HOST:PORT\n")
    }
}
