import Foundation

/// Runs the built `gloss` executable the way a person would, in a fresh
/// temporary folder, and captures what it prints.
final class GlossProcess: Sendable {
    struct Result: Equatable {
        var stdout: String
        var stderr: String
        var status: Int32
    }

    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gloss-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// The path of `name` in the test folder.
    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// The `gloss` binary built beside this test bundle.
    static let executable: URL = {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gloss")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return packageRoot.appendingPathComponent(".build/debug/gloss")
    }()

    /// Runs `gloss arguments...` in `directory` (default: the test folder).
    @discardableResult
    func run(_ arguments: [String], in directory: URL? = nil, stdin: Data? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? folder
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "GLOSS_WORKSPACE")
        env.merge(environment) { $1 }
        process.environment = env
        let output = Pipe(), errors = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
                      status: process.terminationStatus)
    }

    func run(_ arguments: String...) throws -> Result { try run(arguments) }

    /// Runs a command that must succeed and returns its stdout.
    func succeed(_ arguments: String...) throws -> String {
        let result = try run(arguments)
        guard result.status == 0 else {
            throw CLIFailure(description: "gloss \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    /// Runs a read command with --json and decodes its output.
    func json(_ arguments: String...) throws -> Any {
        let result = try run(arguments + ["--json"])
        guard result.status == 0 else { throw CLIFailure(description: "exit \(result.status): \(result.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// Writes a file into the test folder.
    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: folder.appendingPathComponent(name))
    }

    /// Sends `other` what it lacks, through a heads file and a bundle, and
    /// returns what `bundle apply` printed.
    @discardableResult
    func send(to other: GlossProcess) throws -> String {
        let heads = try other.run("heads", "--json")
        try Data(heads.stdout.utf8).write(to: URL(fileURLWithPath: path("peer.heads")))
        _ = try succeed("bundle", "create", path("out.bundle"), "--for", path("peer.heads"))
        return try other.succeed("bundle", "apply", path("out.bundle"))
    }

    /// Dara's new workspace holding one statement of `text` (from
    /// `seed.txt`): the process, and the statement's short id.
    static func withStatement(_ text: String) throws -> (GlossProcess, statement: String) {
        let gloss = try GlossProcess()
        _ = try gloss.succeed("init", "--name", "Dara")
        try gloss.write("seed.txt", Array(text.utf8))
        return (gloss, String(try gloss.succeed("statement", "add", "seed.txt").prefix(8)))
    }

    /// The number of changes in the log, read with the sqlite3 shell.
    func changeCount() throws -> Int {
        Int(try sqlite("SELECT count(*) FROM change").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    var databasePath: String { folder.appendingPathComponent(".gloss/gloss.sqlite").path }

    /// Runs SQL on the workspace database with the sqlite3 shell, behind Gloss's back.
    @discardableResult
    func sqlite(_ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [databasePath, sql]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

struct CLIFailure: Error, CustomStringConvertible {
    var description: String
}
