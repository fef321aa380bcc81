import ArgumentParser
import GlossCore
import GlossMerge
import GlossStore

struct Annotate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotate",
        abstract: "Annotate a span of a statement, given by an exact quote or by code-point offsets.")

    @Argument(help: ArgumentHelp("The statement's id or a prefix of it.", valueName: "statement")) var statement: String
    @Option(help: "The exact text to annotate.") var quote: String?
    @Option(help: ArgumentHelp("Which occurrence of a repeated quote (from 1).", valueName: "n")) var occurrence: Int?
    @Option(help: ArgumentHelp("Start of the span, in code points from 0.", valueName: "a")) var start: Int?
    @Option(help: ArgumentHelp("End of the span (exclusive), in code points.", valueName: "b")) var end: Int?
    @Option(help: "The note.") var note: String?
    @Option(help: ArgumentHelp("Read the note from a file.", valueName: "file")) var noteFile: String?
    @Option(name: .customLong("tag"), help: ArgumentHelp("A tag; repeat for more.", valueName: "tag")) var tags: [String] = []
    @Option(help: "Its review status (default: open).") var status: Status?
    @Option(help: "A W3C motivation (default: commenting).") var motivation: Motivation?
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func span() throws -> Span {
        switch (quote, start, end) {
        case (let quote?, nil, nil):
            return .quote(quote, occurrence: occurrence)
        case (nil, let start?, let end?):
            guard occurrence == nil else { throw Failure(message: "expected --occurrence only with --quote") }
            return .positions(start: start, end: end)
        default:
            throw Failure(message: "expected either --quote TEXT or both --start and --end")
        }
    }

    func run() throws {
        let span = try span()
        let edit = AnnotationEdit(note: try noteText(note, file: noteFile), addedTags: tags, status: status, motivation: motivation)
        let store = try workspace.open()
        let annotation = try store.annotate(try store.resolve(statement, as: .statement), span: span, edit: edit, now: now())
        if output.json {
            return try Format.printJSON(AnnotationJSON(annotation, try store.members()))
        }
        print("\(annotation.id.short)  annotated \(annotation.target.start)-\(annotation.target.end) \(Format.line("\"\(annotation.target.exact)\"", width: 52))")
    }
}

struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "edit", abstract: "Change an annotation's note, tags, status or motivation.")

    @Argument(help: ArgumentHelp("The annotation's id or a prefix of it.", valueName: "annotation")) var annotation: String
    @Option(help: "The new note.") var note: String?
    @Option(help: ArgumentHelp("Read the new note from a file.", valueName: "file")) var noteFile: String?
    @Option(name: .customLong("add-tag"), help: ArgumentHelp("A tag to add; repeat for more.", valueName: "tag")) var addedTags: [String] = []
    @Option(name: .customLong("remove-tag"), help: ArgumentHelp("A tag to remove; repeat for more.", valueName: "tag")) var removedTags: [String] = []
    @Option(help: "The new review status.") var status: Status?
    @Option(help: "A W3C motivation.") var motivation: Motivation?
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let edit = AnnotationEdit(note: try noteText(note, file: noteFile), addedTags: addedTags, removedTags: removedTags,
                                  status: status, motivation: motivation)
        guard edit.note != nil || !addedTags.isEmpty || !removedTags.isEmpty || status != nil || motivation != nil else {
            throw Failure(message: "expected at least one of --note, --note-file, --add-tag, --remove-tag, --status, --motivation")
        }
        let store = try workspace.open()
        let result = try store.edit(try store.resolve(annotation, as: .annotation), edit, now: now())
        try printSummary(result, of: store, json: output.json, verb: "edited")
    }
}

struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete an annotation (its history stays; `restore` undoes it).")

    @Argument(help: ArgumentHelp("The annotation's id or a prefix of it.", valueName: "annotation")) var annotation: String
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try workspace.open()
        let result = try store.setDeleted(try store.resolve(annotation, as: .annotation), true, now: now())
        try printSummary(result, of: store, json: output.json, verb: "deleted")
    }
}

struct Restore: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restore", abstract: "Restore a deleted annotation.")

    @Argument(help: ArgumentHelp("The annotation's id or a prefix of it.", valueName: "annotation")) var annotation: String
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try workspace.open()
        let result = try store.setDeleted(try store.resolve(annotation, as: .annotation), false, now: now())
        try printSummary(result, of: store, json: output.json, verb: "restored")
    }
}

private func printSummary(_ annotation: AnnotationState, of store: Store, json: Bool, verb: String) throws {
    if json { return try Format.printJSON(AnnotationJSON(annotation, try store.members())) }
    print("\(annotation.id.short)  \(verb)")
}
