import ArgumentParser
import Foundation
import Logging
import GlossCore
import GlossStore
import GlossSync

/// A peer's address as typed: `HOST:PORT` or `[IPv6]:PORT`.
struct Address: CustomStringConvertible {
    var host: String
    var port: Int

    /// Reads `text`; port 0 (any free port) only when `listening`.
    init(parsing text: String, listening: Bool = false) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              ((listening ? 0 : 1)...65535).contains(port) else {
            throw Failure(message: "expected HOST:PORT such as 127.0.0.1:7420, found \"\(text)\"")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw Failure(message: "expected HOST:PORT such as 127.0.0.1:7420, found \"\(text)\"") }
        self.host = host
        self.port = port
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve this workspace to member devices over TLS; logs each session to stderr.")

    @Option(help: ArgumentHelp("Where to listen (port 0: any free port, logged).", valueName: "host:port")) var listen = "127.0.0.1:7420"
    @Option(help: ArgumentHelp("Most connections served at once.", valueName: "n")) var maxConnections = 32
    @Option(help: ArgumentHelp("Seconds of silence after which a peer is disconnected.", valueName: "seconds")) var idleTimeout = 30
    @OptionGroup var workspace: WorkspaceOptions

    func run() async throws {
        let address = try Address(parsing: listen, listening: true)
        guard maxConnections >= 1, idleTimeout >= 1 else {
            throw Failure(message: "expected --max-connections and --idle-timeout of at least 1")
        }
        let store = try workspace.open(access: .concurrent)
        var options = SyncServer.Options()
        options.maximumConnections = maxConnections
        options.idleTimeout = .seconds(Int64(idleTimeout))
        var logger = Logger(label: "gloss.serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .info
        let server = SyncServer(store: store, options: options, logger: logger, now: { now() })
        try await server.run(host: address.host, port: address.port)
    }
}

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync with a peer running `gloss serve`: each side gets what it lacks.")

    @Argument(help: ArgumentHelp("A remote's name or HOST:PORT (default: the only remote).", valueName: "remote")) var peer: String?
    @Flag(help: "Sync with every remote, one after another.") var all = false
    @Flag(help: "Only receive.") var pullOnly = false
    @Flag(help: "Only send.") var pushOnly = false
    @Option(help: ArgumentHelp("Write every line sent and received to this file.", valueName: "file")) var trace: String?
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    struct ReportJSON: Encodable {
        var peer: String
        var sent, received, conflictsCreated, conflictsResolved, ignored, clockSkewMilliseconds: Int
        var seconds: Double
        var inStep: Bool?
    }

    func run() async throws {
        guard !(pullOnly && pushOnly) else { throw Failure(message: "expected --pull-only or --push-only, found both") }
        guard !(all && peer != nil) else { throw Failure(message: "expected a remote or --all, found both") }
        let store = try workspace.open()
        let remotes = try store.remotes()
        let targets: [(name: String, address: String)]
        if all {
            guard !remotes.isEmpty else { throw Failure(message: "expected remotes for --all, found none; add one with gloss remote add NAME HOST:PORT") }
            targets = remotes
        } else if let peer {
            targets = [remotes.first { $0.name == peer } ?? (peer, peer)]
        } else {
            guard remotes.count == 1 else {
                throw Failure(message: "expected a remote or HOST:PORT (\(remotes.isEmpty ? "there are no remotes" : "remotes: " + remotes.map(\.name).joined(separator: ", ")))")
            }
            targets = remotes
        }
        let traceFile = try trace.map { try Trace(path: $0) }
        let mode: SyncMode = pullOnly ? .pull : pushOnly ? .push : .sync
        var reports: [ReportJSON] = []
        for target in targets {
            let address = try Address(parsing: target.address)
            let started = Date()
            let showsProgress = !output.json && isatty(STDERR_FILENO) != 0
            let report = try await SyncClient.sync(store, host: address.host, port: address.port, mode: mode, trace: traceFile,
                                                   now: { now() }) { report in
                guard showsProgress else { return }
                FileHandle.standardError.write(Data("\rsyncing with \(target.name): sent \(report.sent), received \(report.received)…".utf8))
            }
            if showsProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            let seconds = Date().timeIntervalSince(started)
            reports.append(ReportJSON(peer: target.name, sent: report.sent, received: report.received, conflictsCreated: report.conflictsCreated,
                                      conflictsResolved: report.conflictsResolved, ignored: report.ignored,
                                      clockSkewMilliseconds: report.clockSkew, seconds: seconds, inStep: report.digestsMatch))
            if !output.json {
                print("synced with \(target.name): sent \(report.sent), received \(report.received), conflicts created \(report.conflictsCreated), resolved \(report.conflictsResolved), in \(String(format: "%.2f", seconds)) s")
                if report.clockSkew > 0 {
                    print("warning: a change's clock was \(report.clockSkew / 3_600_000) h ahead of this machine's; the local clock did not follow it")
                }
                if mode == .sync, report.digestsMatch == false {
                    print("note: the peer wrote changes during the sync; sync again to get them")
                }
            }
        }
        if output.json { try Format.printJSON(all ? AnyEncodable(reports) : AnyEncodable(reports[0])) }
    }
}

/// Lets `--json` print one report or a list with one call.
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: Encoder) throws { try value.encode(to: encoder) }
}

struct Clone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clone",
        abstract: "Make a new replica of a server's workspace, trusting only the server's device id.")

    @Argument(help: ArgumentHelp("The server, as HOST:PORT.", valueName: "host:port")) var address: String
    @Option(help: ArgumentHelp("The server's device id (its `gloss id`).", valueName: "device-id")) var peer: String
    @Option(help: "This device's name, for the `gloss member add` command to suggest.") var name: String?
    @Argument(help: ArgumentHelp("The folder for the replica (default: the current folder).", valueName: "dir")) var directory: String?

    func run() async throws {
        let server = try Address(parsing: address)
        guard let peerID = DeviceID(parsing: peer) else {
            throw Failure(message: "expected --peer to be the server's device id (from its `gloss id`), found \"\(peer)\"")
        }
        let root = URL(fileURLWithPath: directory ?? FileManager.default.currentDirectoryPath)
        let folder = WorkspaceFolder(root: root)
        let key = try folder.keyForClone()
        let memberCommand = "gloss member add \(name.map { $0.contains(" ") ? "\"\($0)\"" : $0 } ?? "NAME") \(key.id)"
        let result: (Store?, SyncReport)
        do {
            result = try await SyncClient.clone(key: key, host: server.host, port: server.port, peer: peerID, now: { now() }) { batch in
                let made = try Store.clone(folder, from: batch, key: key, deferringDerivation: true, now: now())
                // Named at once, so that `gloss sync` finishes a clone cut short.
                try made.0.addRemote("origin", address: server.description)
                return made
            }
        } catch TransportError.handshakeFailed {
            print("this device is \(key.id); the server refused it: it is not a member yet, so a member must run:")
            print("  \(memberCommand)")
            print("then run this clone again (the device id stays the same).")
            throw Failure(message: "the server at \(server) refused this device (not a member yet)")
        } catch where folder.hasDatabase {
            print("the clone was cut short; the changes received are kept in \(folder.root.path), with remote \"origin\"")
            print("to fetch the rest, run there: gloss sync")
            throw error
        }
        guard let store = result.0 else { throw Failure(message: "expected the workspace's changes from \(server), found none") }
        print("cloned workspace \(store.workspace) from \(server) into \(folder.root.path) (\(result.1.received) changes); remote \"origin\" added")
        print("this device is \(key.id)")
        if try store.members()[key.id] == nil {
            print("it is not a member yet, so it cannot write until a member runs:")
            print("  \(memberCommand)")
        }
    }
}

struct Remote: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote",
        abstract: "Name the peers this replica syncs with.", subcommands: [Add.self, ListRemotes.self, RemoveRemote.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Name a peer's address.")
        @Argument var name: String
        @Argument(help: ArgumentHelp("HOST:PORT", valueName: "host:port")) var address: String
        @OptionGroup var workspace: WorkspaceOptions

        func run() throws {
            let parsed = try Address(parsing: address)
            try workspace.open().addRemote(name, address: parsed.description)
            print("added remote \(name) at \(parsed)")
        }
    }

    struct ListRemotes: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the named peers.")
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        struct RemoteJSON: Encodable { var name, address: String }

        func run() throws {
            let remotes = try workspace.open().remotes()
            if output.json { return try Format.printJSON(remotes.map { RemoteJSON(name: $0.name, address: $0.address) }) }
            if remotes.isEmpty { return print("no remotes; add one with gloss remote add NAME HOST:PORT") }
            for remote in remotes { print("\(Format.pad(remote.name, 12))  \(remote.address)") }
        }
    }

    struct RemoveRemote: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Forget a named peer.")
        @Argument var name: String
        @OptionGroup var workspace: WorkspaceOptions

        func run() throws {
            try workspace.open().removeRemote(name)
            print("removed remote \(name)")
        }
    }
}
