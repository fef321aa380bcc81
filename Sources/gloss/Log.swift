import ArgumentParser
import GlossCore
import GlossMerge
import GlossStore

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "log", abstract: "List changes from the record log, newest first.")

    @Option(help: ArgumentHelp("Only changes of this statement or annotation (id or prefix).", valueName: "id")) var entity: String?
    @Option(help: ArgumentHelp("Only changes by this member (name or device id).", valueName: "author")) var author: String?
    @Option(help: ArgumentHelp("Only changes at or after this time (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z]), UTC unless given.", valueName: "time")) var since: String?
    @Option(help: ArgumentHelp("At most this many changes.", valueName: "n")) var limit: Int?
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        if let limit, limit < 1 { throw Failure(message: "expected --limit of at least 1, found \(limit)") }
        let sinceTime = try since.map { text in
            guard let time = Format.parseTime(text) else {
                throw Failure(message: "expected --since as YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], found \"\(text)\"")
            }
            return time
        }
        let store = try workspace.open()
        let entityID = try entity.map { text throws -> EntityID in
            do { return try store.resolve(text, as: .annotation) } catch StoreError.notFound {
                return try store.resolve(text, as: .statement)
            }
        }
        let changes = try store.log(LogFilter(entity: entityID, author: try author.map { try store.resolveAuthor($0) },
                                              since: sinceTime, limit: limit))
        let members = try store.members()
        if output.json { return try Format.printJSON(changes.map { ChangeJSON($0, members) }) }
        for signed in changes {
            let change = signed.change
            let who = Format.line(members[change.author] ?? change.author.short, width: 8)
            let what = change.operations.map(\.summary).joined(separator: " ")
            print("\(signed.id.hex.prefix(10))  \(Format.time(change.clock).prefix(16))  \(Format.pad(who, 8))  \(Format.pad(change.kind.rawValue, 10)) \(change.entity.short)  \(Format.line(what, width: 21))")
        }
    }
}

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Every version of an annotation: who, which device, when, what changed.")

    @Argument(help: ArgumentHelp("The annotation's id or a prefix of it.", valueName: "annotation")) var annotation: String
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    struct VersionJSON: Encodable {
        var change: String
        var author: PersonJSON
        var time: String
        var changes: [String]
    }

    func run() throws {
        let store = try workspace.open()
        let versions = try store.history(of: try store.resolve(annotation, as: .annotation))
        let members = try store.members()
        if output.json {
            return try Format.printJSON(versions.map {
                VersionJSON(change: $0.change.id.hex, author: PersonJSON($0.change.change.author, members),
                            time: $0.change.change.clock.iso8601, changes: $0.after.differences(from: $0.before).map(Self.describe))
            })
        }
        for (index, version) in versions.enumerated() {
            if index > 0 { print("") }
            let change = version.change.change
            print("\(Format.time(change.clock))  \(Format.person(change.author, members))  change \(version.change.id.hex.prefix(12))")
            if index > 0, change.parents != [versions[index - 1].change.id] {
                let parents = change.parents.map { String($0.hex.prefix(12)) }.joined(separator: " and ")
                print("  \(change.parents.count > 1 ? "merges" : "branches from") \(parents)")
            }
            for difference in version.after.differences(from: version.before) {
                print("  \(Format.line(Self.describe(difference), width: 76))")
            }
        }
    }

    static func describe(_ difference: AnnotationDifference) -> String {
        switch difference {
        case .target(nil, let target):
            "created on \"\(target.exact)\" (\(target.start)-\(target.end))"
        case .target(_, let target):
            "anchored to \"\(target.exact)\" (\(target.start)-\(target.end)) on revision \(target.revision.hex.prefix(12))"
        case .anchor(let anchor):
            "anchor: \(anchor.state.rawValue)\(anchor.state == .fuzzy ? " (score \(Format.score(anchor.score)))" : "")"
        case .note(_, let new):
            "note: \"\(new)\""
        case .tags(let added, let removed):
            "tags: " + (added.map { "+\($0)" } + removed.map { "-\($0)" }).joined(separator: " ")
        case .status(nil, let status):
            "status: \(status.rawValue)"
        case .status(let old?, let status):
            "status: \(old.rawValue) -> \(status.rawValue)"
        case .motivation(nil, let motivation):
            "motivation: \(motivation.rawValue)"
        case .motivation(let old?, let motivation):
            "motivation: \(old.rawValue) -> \(motivation.rawValue)"
        case .deleted(true):
            "deleted"
        case .deleted(false):
            "restored"
        case .resolved(let field):
            "resolves the conflict on \(field)"
        }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hash every change and check every chain, signature and parent; exit 1 naming each bad change.")

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    struct ReportJSON: Encodable {
        var ok: Bool
        var changes: Int
        var problems: [VerificationProblem]
    }

    func run() throws {
        let store = try workspace.open()
        let problems = try store.verify()
        let count = try store.changeCount()
        if output.json {
            try Format.printJSON(ReportJSON(ok: problems.isEmpty, changes: count, problems: problems))
        } else if problems.isEmpty {
            print("ok: \(count) changes verified (hashes, chains, signatures)")
        } else {
            for problem in problems { print(problem) }
        }
        if !problems.isEmpty {
            throw Failure(message: "the log fails verification: \(Format.count(problems.count, "problem"))")
        }
    }
}
