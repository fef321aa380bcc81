import Foundation
import Testing

/// Makes a folder that this process cannot write: by its mode for a user,
/// by the immutable attribute for root (whom modes do not stop).
enum UnwritableFolder {
    static func set(_ path: String, _ unwritable: Bool) -> Bool {
        guard getuid() == 0 else { return chmod(path, unwritable ? 0o500 : 0o700) == 0 }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
        process.arguments = [unwritable ? "+i" : "-i", path]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Whether this machine lets the tests make one (root needs `chattr` and
    /// a file system that keeps the attribute).
    static let canMake: Bool = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-unwritable-\(UUID().uuidString)")
        guard (try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)) != nil else { return false }
        defer { try? FileManager.default.removeItem(at: folder) }
        let made = set(folder.path, true) && !FileManager.default.isWritableFile(atPath: folder.path)
        _ = set(folder.path, false)
        return made
    }()
}

@Suite("CLI: a workspace this user cannot write")
struct ReadOnlyCLITests {
    @Test("every reading command works, and a write says the workspace is open for reading only and changes nothing",
          .enabled(if: UnwritableFolder.canMake, "needs a folder this process cannot write: chmod for a user, chattr +i for root"))
    func readsButDoesNotWrite() throws {
        let (gloss, statement) = try GlossProcess.withStatement("Kem Sokha was charged under article 443 of the Criminal Code.")
        let annotation = String(try gloss.succeed("annotate", statement, "--quote", "article 443", "--note", "why?").prefix(8))
        let count = try gloss.changeCount()
        let folder = gloss.path(".gloss")
        #expect(UnwritableFolder.set(folder, true))
        defer { _ = UnwritableFolder.set(folder, false) }

        for command in [["list"], ["show", annotation], ["log"], ["history", annotation], ["blame", statement], ["verify"],
                        ["search", "article"], ["statement", "show", statement], ["member", "list"], ["conflicts"]] {
            let result = try gloss.run(command)
            #expect(result.status == 0, "gloss \(command.joined(separator: " ")): \(result.stderr)")
        }
        let readOnly = "gloss: the workspace in \"\(gloss.folder.standardizedFileURL.path)\" is open for reading only, as this user cannot write its .gloss folder: it can be read here, not changed\n"
        for command in [["edit", annotation, "--note", "because"], ["annotate", statement, "--quote", "Kem Sokha"], ["remote", "add", "office", "10.0.0.5:7420"]] {
            #expect(try gloss.run(command) == GlossProcess.Result(stdout: "", stderr: readOnly, status: 1))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["device.key", "gloss.sqlite"])
        #expect(UnwritableFolder.set(folder, false))
        #expect(try gloss.changeCount() == count)
        #expect(try gloss.succeed("show", annotation).contains("why?"))
    }
}
