import ArgumentParser
import GlossCore
import GlossStore

struct StatementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statement",
        abstract: "Import, list and show statements.",
        subcommands: [Add.self, Revise.self, ListStatements.self, ShowStatement.self])

    struct Revise: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revise",
            abstract: "Replace a statement's text with a new revision and re-anchor every annotation on it.")

        @Argument(help: ArgumentHelp("The statement's id or a prefix of it.", valueName: "statement")) var statement: String
        @Argument(help: ArgumentHelp("The new text, or - to read stdin.", valueName: "file")) var file: String
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        struct OutcomeJSON: Encodable {
            var annotation: String
            var anchor: String
            var score: Double
            var quote: String
            var position: AnnotationJSON.Position?
        }

        func run() throws {
            let store = try workspace.open()
            let id = try store.resolve(statement, as: .statement)
            let report = try store.revise(id, utf8: try readBytes(file, what: "statement file"), now: now())
            if output.json {
                return try Format.printJSON(report.annotations.map { annotation, outcome in
                    OutcomeJSON(annotation: annotation.id.rawValue, anchor: outcome.state.rawValue, score: Double(outcome.score) / 1000,
                                quote: annotation.target.exact,
                                position: outcome.target.map { AnnotationJSON.Position(start: $0.start, end: $0.end) })
                })
            }
            let length = try store.text(of: report.statement.revision).unicodeScalars.count
            print("revised \(id.short): revision \(report.statement.revision.hex.prefix(12)), \(length) code points")
            print("annotations: " + AnchorState.allCases.map { "\(report.count($0)) \($0.rawValue)" }.joined(separator: ", "))
            for (annotation, outcome) in report.annotations where outcome.state == .fuzzy || outcome.state == .orphaned {
                let score = outcome.state == .fuzzy ? Format.score(outcome.score) : "    "
                print("  \(Format.pad(outcome.state.rawValue, 8))  \(annotation.id.short)  \(score)  \(Format.line("\"\(annotation.target.exact)\"", width: 48))")
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Import a statement from a UTF-8 text file, or - for stdin.")

        @Argument(help: ArgumentHelp("The text file, or - to read stdin.", valueName: "file"))
        var file: String
        @Option(help: "The statement's title.") var title: String?
        @Option(help: ArgumentHelp("Where it was published (an http or https URL).", valueName: "url")) var source: String?
        @Option(help: ArgumentHelp("When it was published (YYYY-MM-DD).", valueName: "date")) var published: String?
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let store = try workspace.open()
            let bytes = try readBytes(file, what: "statement file")
            let statement = try store.addStatement(
                utf8: bytes, metadata: StatementMetadata(title: title, source: source, published: published), now: now())
            let text = try store.text(of: statement.revision)
            if output.json {
                try Format.printJSON(StatementJSON(statement, text: text, annotations: 0, members: try store.members(), includeText: false))
            } else {
                print("\(statement.id.short)  added \(text.unicodeScalars.count) code points  \(Format.line(statement.title ?? "(untitled)", width: 40))")
            }
        }
    }

    struct ListStatements: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the statements.")

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let store = try workspace.open()
            let statements = try store.statements()
            let counts = try store.annotationCounts()
            if output.json {
                let members = try store.members()
                try Format.printJSON(try statements.map {
                    StatementJSON($0, text: try store.text(of: $0.revision), annotations: counts[$0.id] ?? 0, members: members, includeText: false)
                })
                return
            }
            guard !statements.isEmpty else { return print("no statements yet; add one with `gloss statement add FILE`") }
            print("ID        PUBLISHED   NOTES  TITLE")
            for statement in statements {
                let count = String(counts[statement.id] ?? 0)
                print("\(statement.id.short)  \(Format.pad(statement.published ?? "-", 10))  \(String(repeating: " ", count: max(0, 5 - count.count)))\(count)  \(Format.line(statement.title ?? "(untitled)", width: 47))")
            }
        }
    }

    struct ShowStatement: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a statement and its text.")

        @Argument(help: ArgumentHelp("The statement's id or a prefix of it.", valueName: "id")) var id: String
        @Option(help: ArgumentHelp("Show revision N (from 1, the first) instead of the current one.", valueName: "n")) var revision: Int?
        @Option(help: ArgumentHelp("Show what changed from revision N to M, word by word: [-removed-]{+added+}.", valueName: "n..m"))
        var diff: String?
        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let store = try workspace.open()
            let statement = try store.statement(try store.resolve(id, as: .statement))
            let revisions = try store.revisions(of: statement.id)
            func pick(_ number: Int) throws -> String {
                guard (1...revisions.count).contains(number) else {
                    throw Failure(message: "expected a revision from 1 to \(revisions.count) of statement \(statement.id.short), found \(number)")
                }
                return revisions[number - 1].text
            }
            if let diff {
                let bounds = diff.split(separator: ".", omittingEmptySubsequences: true).compactMap { Int($0) }
                guard bounds.count == 2, diff.contains("..") else { throw Failure(message: "expected --diff N..M such as 1..2, found \"\(diff)\"") }
                return print(WordDiff.render(from: try pick(bounds[0]), to: try pick(bounds[1])))
            }
            if let revision { return print(try pick(revision)) }
            let text = try store.text(of: statement.revision)
            let members = try store.members()
            let count = try store.annotationCounts()[statement.id] ?? 0
            if output.json {
                return try Format.printJSON(StatementJSON(statement, text: text, annotations: count, members: members, includeText: true))
            }
            print("statement   \(statement.id)")
            if let title = statement.title { print("title       \(title)") }
            if let source = statement.source { print("source      \(source)") }
            if let published = statement.published { print("published   \(published)") }
            print("revision    \(revisions.count) of \(revisions.count), \(statement.revision.hex)")
            print("length      \(text.unicodeScalars.count) code points, \(Format.count(count, "annotation"))")
            print("added       \(Format.time(statement.created)) by \(Format.person(statement.author, members))")
            print("")
            print(text)
        }
    }
}
