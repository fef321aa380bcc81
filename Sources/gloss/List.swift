import ArgumentParser
import GlossCore
import GlossMerge
import GlossStore

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List annotations, by statement and position.")

    @Option(help: ArgumentHelp("Only this statement's annotations.", valueName: "statement")) var statement: String?
    @Option(help: "Only annotations with this tag.") var tag: String?
    @Option(help: "Only annotations with this status.") var status: Status?
    @Option(help: ArgumentHelp("Only annotations created by this member (name or device id).", valueName: "author")) var author: String?
    @Flag(help: "Include deleted annotations.") var deleted = false
    @Flag(help: "Only annotations with a conflicted field.") var conflicted = false
    @Option(help: "Only annotations anchored so on the current revision: exact, moved, fuzzy or orphaned.") var anchor: AnchorState?
    @Option(help: ArgumentHelp("Every annotation as it stood then (YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z]); other filters do not apply.", valueName: "time"))
    var at: String?
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try workspace.open()
        if let at {
            guard let time = Format.parseTime(at) else { throw Failure(message: "expected --at as YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], found \"\(at)\"") }
            return try printList(try store.annotations(asOf: time, includeDeleted: deleted), store: store)
        }
        let filter = AnnotationFilter(
            statement: try statement.map { try store.resolve($0, as: .statement) }, tag: tag, status: status,
            author: try author.map { try store.resolveAuthor($0) }, includeDeleted: deleted,
            onlyConflicted: conflicted, anchor: anchor)
        try printList(try store.annotations(filter), store: store)
    }

    private func printList(_ annotations: [AnnotationState], store: Store) throws {
        if output.json {
            let members = try store.members()
            return try Format.printJSON(annotations.map { AnnotationJSON($0, members) })
        }
        guard !annotations.isEmpty else { return print("no annotations match") }
        print("ID        STATUS    TAGS            QUOTE")
        for annotation in annotations {
            let tags = Format.line(annotation.tags.joined(separator: ","), width: 14)
            let status = annotation.isConflicted ? "conflict" : annotation.isDeleted ? "deleted" : annotation.status.rawValue
            print("\(annotation.id.short)  \(Format.pad(status, 8))  \(Format.pad(tags, 14))  \(Format.line("\"\(annotation.target.exact)\"", width: 38))")
        }
    }
}

/// The statement an annotation targets, or nil when this workspace does not
/// hold it: as when a removed device made it after its removal, so that it
/// takes no effect, while the members' annotations on it stay.
private func heldStatement(_ id: EntityID, in store: Store) throws(StoreError) -> StatementState? {
    do {
        return try store.statement(id)
    } catch {
        guard case .notFound = error else { throw error }
        return nil
    }
}

/// Why a statement an annotation targets is not shown.
private func absence(of statement: EntityID, in store: Store) throws(StoreError) -> String {
    try store.log(LogFilter(entity: statement, limit: 1)).isEmpty
        ? "not in this workspace"
        : "not in this workspace: a removed device made it after its removal, so it takes no effect"
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one annotation in full.")

    @Argument(help: ArgumentHelp("The annotation's id or a prefix of it.", valueName: "annotation")) var annotation: String
    @Option(help: ArgumentHelp("The annotation as it stood then: a time (YYYY-MM-DD[THH:MM[:SS]]) or one of its change ids.", valueName: "time-or-change"))
    var at: String?
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try workspace.open()
        let id = try store.resolve(annotation, as: .annotation)
        let annotation: AnnotationState
        if let at {
            let moment: AsOf = if let time = Format.parseTime(at) { .time(time) } else { .change(try store.change(at).id) }
            guard let then = try store.annotation(id, asOf: moment) else {
                throw Failure(message: "expected a time or change after annotation \(id.short) was made, found \"\(at)\"")
            }
            annotation = then
        } else {
            annotation = try store.annotation(id)
        }
        let members = try store.members()
        if output.json { return try Format.printJSON(AnnotationJSON(annotation, members)) }
        let target = annotation.target
        let statement = try heldStatement(target.statement, in: store)
        print("annotation  \(annotation.id)")
        if let statement {
            print("statement   \(statement.id.short)  \(Format.line(statement.title ?? "(untitled)", width: 58))")
        } else {
            print("statement   \(target.statement.short)  (\(try absence(of: target.statement, in: store)))")
        }
        print("quote       \"\(target.exact)\" (\(target.start)-\(target.end))")
        switch annotation.anchor.state {
        case _ where annotation.anchor.state != .orphaned && statement.map({ target.revision != $0.revision }) ?? false:
            print("anchor      on an earlier revision (\(target.revision.hex.prefix(12))): made there while the statement was revised")
        case .exact where annotation.anchor == .original: break
        case .fuzzy: print("anchor      fuzzy (score \(Format.score(annotation.anchor.score))) on the current revision")
        case .orphaned: print("anchor      orphaned: the quote is not in the current revision; shown on revision \(target.revision.hex.prefix(12))")
        case let state: print("anchor      \(state.rawValue) on the current revision")
        }
        print("context     …\(target.prefix)[\(target.exact)]\(target.suffix)…".split(whereSeparator: \.isNewline).joined(separator: " "))
        let conflicts = Dictionary(uniqueKeysWithValues: annotation.conflicts.map { ($0.field, $0) })
        func conflictLines(_ field: String) {
            guard let conflict = conflicts[field] else { return }
            print("            ! \(conflict.values.count) live values; gloss resolve \(annotation.id.short) --field \(field) settles it")
            ConflictFormat.lines(conflict, members, indent: "            ").forEach { print($0) }
        }
        conflictLines("target")
        let noteLines = annotation.note.split(separator: "\n", omittingEmptySubsequences: false)
        print("note        \(noteLines.first.map(String.init) ?? "")")
        for line in noteLines.dropFirst() { print("            \(line)") }
        conflictLines("note")
        print("tags        \(annotation.tags.isEmpty ? "-" : annotation.tags.joined(separator: ", "))")
        print("status      \(annotation.status.rawValue)")
        conflictLines("status")
        print("motivation  \(annotation.motivation.rawValue)")
        conflictLines("motivation")
        if annotation.isDeleted { print("deleted     yes") }
        if conflicts["deleted"] != nil { print("deleted     no, until resolved") }
        conflictLines("deleted")
        print("created     \(Format.time(annotation.created)) by \(Format.person(annotation.author, members))")
        print("modified    \(Format.time(annotation.modified)) by \(Format.person(annotation.modifiedBy, members))")
        if let origin = annotation.origin {
            let details = [origin.creator.map { "by \($0)" }, origin.created.map { "created \($0)" },
                           origin.conflicts.isEmpty ? nil : "conflicted there: \(origin.conflicts.joined(separator: ", "))"]
            print("imported    from \(origin.id)\(details.compactMap { $0 }.isEmpty ? "" : " (\(details.compactMap { $0 }.joined(separator: "; ")))")")
        }
    }
}

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search notes, quotes, tags and statement texts (every word must match; accents and case are ignored).")

    @Argument(help: "The words to look for.") var query: [String]
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    struct HitJSON: Encodable {
        var kind: String
        var id: String
        var snippet: String
    }

    func run() throws {
        let store = try workspace.open()
        let hits = try store.search(query.joined(separator: " "))
        if output.json {
            return try Format.printJSON(hits.map { HitJSON(kind: $0.kind.rawValue, id: $0.entity.rawValue, snippet: $0.snippet) })
        }
        guard !hits.isEmpty else { return print("no matches") }
        for hit in hits {
            print("\(Format.pad(hit.kind.rawValue, 10))  \(hit.entity.short)  \(Format.line(hit.snippet, width: 58))")
        }
    }
}
