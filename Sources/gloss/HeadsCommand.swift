import ArgumentParser
import Foundation
import GlossCore
import GlossStore

/// The JSON form of a store's heads: what `gloss heads --json` prints and
/// `gloss bundle create --for` reads.
struct HeadsJSON: Codable {
    struct Entry: Codable {
        var author: String
        var seq: Int
        var id: String
    }

    var workspace: String
    var heads: [Entry]

    init(workspace: WorkspaceID, heads: Heads) {
        self.workspace = workspace.rawValue
        self.heads = heads.authors.sorted { $0.key < $1.key }.map { Entry(author: $0.key.rawValue, seq: $0.value.seq, id: $0.value.id.hex) }
    }

    /// Reads a heads file, checking every id.
    static func read(_ path: String, workspace: WorkspaceID) throws -> Heads {
        let bytes = try readBytes(path, what: "heads file")
        guard let file = try? JSONDecoder().decode(HeadsJSON.self, from: Data(bytes)) else {
            throw Failure(message: "expected the JSON that `gloss heads --json` prints in \"\(path)\", found something else")
        }
        guard file.workspace == workspace.rawValue else {
            throw Failure(message: "expected the heads of workspace \(workspace) in \"\(path)\", found those of \(file.workspace)")
        }
        var heads = Heads()
        for entry in file.heads {
            guard let author = DeviceID(rawValue: entry.author), let id = ChangeID(hex: entry.id), entry.seq >= 1 else {
                throw Failure(message: "expected device ids, seqs from 1 and change ids in \"\(path)\", found author \"\(entry.author)\" seq \(entry.seq)")
            }
            heads[author] = Head(seq: entry.seq, id: id)
        }
        return heads
    }
}

struct HeadsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heads", abstract: "Print this store's per-author heads (give them to `gloss bundle create --for`).")

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try workspace.open()
        let heads = try store.heads()
        if output.json { return try Format.printJSON(HeadsJSON(workspace: store.workspace, heads: heads)) }
        let members = try store.members()
        print("AUTHOR   NAME            SEQ  HEAD")
        for (author, head) in heads.authors.sorted(by: { $0.key < $1.key }) {
            let seq = String(head.seq)
            print("\(author.short)  \(Format.pad(Format.line(members[author] ?? "-", width: 14), 14))  \(String(repeating: " ", count: max(0, 5 - seq.count)))\(seq)  \(head.id.hex.prefix(12))")
        }
    }
}

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle", abstract: "Carry changes by file, for laptops that never share a network.",
        subcommands: [Create.self, Apply.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Write the changes another replica lacks (all, by default) to a file.")

        @Argument(help: ArgumentHelp("The bundle file to write.", valueName: "file")) var file: String
        @Option(name: .customLong("for"), help: ArgumentHelp("The other replica's `gloss heads --json` output.", valueName: "heads-file"))
        var headsFile: String?
        @OptionGroup var workspace: WorkspaceOptions

        func run() throws {
            let store = try workspace.open()
            let heads = try headsFile.map { try HeadsJSON.read($0, workspace: store.workspace) } ?? Heads()
            var changes: [SignedChange] = []
            try store.changes(missingFrom: heads) { changes += $0 }
            let bundle = ChangeBundle(workspace: store.workspace, texts: try store.texts(for: changes), changes: changes)
            try writeFile(file, Data(bundle.encoded), what: "bundle")
            print("wrote \(Format.count(changes.count, "change")) and \(Format.count(bundle.texts.count, "text")) to \(file)")
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "apply", abstract: "Check a bundle and apply all of it, or none.")

        @Argument(help: ArgumentHelp("The bundle file.", valueName: "file")) var file: String
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let store = try workspace.open()
            let bundle = try readBundle(file)
            guard bundle.workspace == store.workspace else {
                throw Failure(message: "expected a bundle of workspace \(store.workspace), found one of \(bundle.workspace)")
            }
            // A bundle may hold weeks of changes: its statements and annotations
            // are derived once, after the changes are in (see `gloss sync`).
            var report = try store.apply(ChangeBatch(changes: bundle.changes, texts: bundle.texts), now: now(), deferringDerivation: true)
            report.add(try store.deriveStale())
            try printReport(report, json: output.json)
        }
    }
}

/// Reads and checks a bundle file.
func readBundle(_ path: String) throws -> ChangeBundle {
    let bytes = try readBytes(path, what: "bundle")
    do {
        return try ChangeBundle(decoding: bytes)
    } catch {
        throw Failure(message: "expected a Gloss bundle in \"\(path)\": \(error)")
    }
}

struct ReportJSON: Encodable {
    var received, alreadyHeld, ignored, entitiesChanged, conflictsCreated, conflictsResolved, clockSkewMilliseconds: Int

    init(_ report: ApplyReport) {
        received = report.received
        alreadyHeld = report.alreadyHeld
        ignored = report.ignored
        entitiesChanged = report.entitiesChanged
        conflictsCreated = report.conflictsCreated
        conflictsResolved = report.conflictsResolved
        clockSkewMilliseconds = report.clockSkew
    }
}

func printReport(_ report: ApplyReport, json: Bool) throws {
    if json { return try Format.printJSON(ReportJSON(report)) }
    print("received \(report.received), already held \(report.alreadyHeld), entities changed \(report.entitiesChanged)")
    print("conflicts created \(report.conflictsCreated), resolved \(report.conflictsResolved)")
    if report.ignored > 0 {
        print("ignored \(Format.count(report.ignored, "change")) written by removed devices after their removal (kept in the log, without effect)")
    }
    if report.clockSkew > 0 {
        print("warning: a change's clock was \(report.clockSkew / 3_600_000) h ahead of this machine's; the local clock did not follow it")
    }
}
