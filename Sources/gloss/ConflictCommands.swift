import ArgumentParser
import GlossCore
import GlossMerge
import GlossStore

/// How conflicts are shown, in tables and in JSON.
enum ConflictFormat {
    /// A live value as a person reads it.
    static func value(_ live: LiveValue, field: String) -> String {
        switch (field, live.value) {
        case ("target", let json):
            (try? Target(json: json)).map { "\"\($0.exact)\" (\($0.start)-\($0.end))" } ?? "?"
        case ("deleted", .string("delete")): "deleted"
        case ("deleted", .string("edit")): "edited"
        case ("deleted", .string("restore")): "restored"
        case (_, .string(let text)): text
        case (_, let json): String(decoding: json.encoded, as: UTF8.self)
        }
    }

    /// Two lines per live value, the provisional one first: the value, then
    /// who wrote it, when, and the change that did.
    static func lines(_ conflict: Conflict, _ members: [DeviceID: String], indent: String) -> [String] {
        conflict.values.enumerated().flatMap { index, live in [
            "\(indent)\(index + 1). \(Format.line(value(live, field: conflict.field), width: 77 - indent.count))",
            "\(indent)   \(Format.person(live.author, members)), \(Format.time(live.clock)), change \(live.change.hex.prefix(10))",
        ] }
    }
}

/// A value and the change that wrote it: a conflict's live value, or the
/// current value of a field in `gloss blame` (which names the field too).
struct LiveValueJSON: Encodable {
    var field: String?
    var change: String
    var author: PersonJSON
    var time: String
    var value: String

    init(_ live: LiveValue, field: String, named: Bool = false, _ members: [DeviceID: String]) {
        self.field = named ? field : nil
        change = live.change.hex
        author = PersonJSON(live.author, members)
        time = live.clock.iso8601
        value = ConflictFormat.value(live, field: field.hasPrefix("tag:") ? "tag" : field)
    }
}

struct ConflictJSON: Encodable {
    var field: String
    var values: [LiveValueJSON]

    init(_ conflict: Conflict, _ members: [DeviceID: String]) {
        field = conflict.field
        values = conflict.values.map { LiveValueJSON($0, field: conflict.field, members) }
    }
}

struct Conflicts: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "conflicts", abstract: "List every conflicted field of every statement and annotation.")

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    struct EntityJSON: Encodable {
        var kind: String
        var id: String
        var conflicts: [ConflictJSON]
    }

    func run() throws {
        let store = try workspace.open()
        let entities = try store.conflictedEntities()
        let members = try store.members()
        if output.json {
            return try Format.printJSON(entities.map {
                EntityJSON(kind: $0.kind.rawValue, id: $0.entity.rawValue, conflicts: $0.conflicts.map { ConflictJSON($0, members) })
            })
        }
        guard !entities.isEmpty else { return print("no conflicts") }
        for (kind, entity, conflicts) in entities {
            for conflict in conflicts {
                print("\(kind.rawValue) \(entity.short)  \(conflict.field): \(conflict.values.count) live values, the first shown until resolved")
                ConflictFormat.lines(conflict, members, indent: "  ").forEach { print($0) }
            }
        }
    }
}

struct Resolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Settle a conflicted field: take one live value, or give a new one.")

    @Argument(help: ArgumentHelp("The annotation's or statement's id, or a prefix of it.", valueName: "id")) var annotation: String
    @Option(help: ArgumentHelp("The conflicted field: note, status, motivation, target or deleted; for a statement, revision, title, source or published.", valueName: "field")) var field: String
    @Option(help: ArgumentHelp("Keep the value this change wrote (an id prefix from `gloss show`).", valueName: "change")) var take: String?
    @Option(help: ArgumentHelp("A new value (for deleted: delete or keep).", valueName: "value")) var value: String?
    @Option(help: ArgumentHelp("Read a new note from a file.", valueName: "file")) var noteFile: String?
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let resolution: Resolution
        switch (take, value, noteFile) {
        case (let change?, nil, nil): resolution = .take(change: change)
        case (nil, let value?, nil): resolution = .value(value)
        case (nil, nil, let file?): resolution = .value(try readText(file, what: "note file"))
        default: throw Failure(message: "expected exactly one of --take CHANGE, --value V, --note-file FILE")
        }
        let store = try workspace.open()
        let id: EntityID
        do {
            id = try store.resolve(annotation, as: .annotation)
        } catch StoreError.notFound {
            let statement = try store.resolve(annotation, as: .statement)
            _ = try store.resolveStatement(statement, field: field, with: resolution, now: now())
            return print("\(statement.short)  resolved \(field)")
        }
        let result = try store.resolve(id, field: field, with: resolution, now: now())
        if output.json { return try Format.printJSON(AnnotationJSON(result, try store.members())) }
        print("\(result.id.short)  resolved \(field)")
    }
}
