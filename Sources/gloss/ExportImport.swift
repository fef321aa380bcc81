import ArgumentParser
import Foundation
import GlossCore
import GlossStore

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the raw change log (jsonl: each change's exact bytes, a line each) or the annotations as W3C Web Annotations (w3c).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, w3c }

    @Option(help: "The format: jsonl or w3c.") var format: Format
    @Option(help: ArgumentHelp("With --format w3c: only this statement's annotations.", valueName: "statement")) var statement: String?
    @Argument(help: ArgumentHelp("The file to write (default: standard output).", valueName: "file")) var file: String?
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        let store = try workspace.open()
        var output: Data
        switch format {
        case .jsonl:
            guard statement == nil else { throw Failure(message: "expected --statement only with --format w3c", code: 64) }
            var bytes: [UInt8] = []
            try store.exportLog { change in
                bytes += change.bytes
                bytes.append(0x0A)
            }
            output = Data(bytes)
        case .w3c:
            output = try store.webAnnotations(statement: statement.map { try store.resolve($0, as: .statement) })
            output.append(0x0A)
        }
        if let file {
            try writeFile(file, output, what: "export")
        } else {
            FileHandle.standardOutput.write(output)
        }
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import W3C Web Annotations or Hypothesis JSON, anchoring each to a statement; nothing is written if any is refused.")

    @Argument(help: ArgumentHelp("A W3C Annotation, an array of them, an AnnotationCollection, or a Hypothesis search result; - for standard input.",
                                 valueName: "file")) var file: String
    @Option(help: ArgumentHelp("Anchor every annotation to this statement (default: the statement whose source URL is the target's).",
                               valueName: "statement")) var statement: String?
    @Flag(help: "Import the annotations that anchor even when others are refused.") var skipRefused = false
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    struct ItemJSON: Encodable {
        var item: String
        var outcome: String
        var annotation: String?
        var statement: String?
        var start, end: Int?
        var anchor: String?
        var reason: String?
    }

    func run() throws {
        let store = try workspace.open()
        let target = try statement.map { try store.resolve($0, as: .statement) }
        let items: [WebAnnotation.Item]
        do {
            items = try WebAnnotation.parse(try readBytes(file, what: "file of annotations"))
        } catch let error as WebAnnotation.FileError {
            throw Failure(message: "expected \(error) in \"\(file)\"")
        }
        let report = try store.importAnnotations(items, statement: target, skipRefused: skipRefused, now: now())
        if output.json {
            try Format.printJSON(report.items.map { label, outcome in
                switch outcome {
                case .anchored(let annotation, let statement, let start, let end, let anchor):
                    ItemJSON(item: label, outcome: annotation == nil ? "anchored" : "imported", annotation: annotation?.rawValue,
                             statement: statement.rawValue, start: start, end: end, anchor: anchor.state.rawValue)
                case .alreadyHeld(let annotation):
                    ItemJSON(item: label, outcome: "already held", annotation: annotation.rawValue)
                case .refused(let reason):
                    ItemJSON(item: label, outcome: "refused", reason: reason)
                }
            })
        } else {
            for (label, outcome) in report.items { print("\(label): \(describe(outcome))") }
        }
        let imported = report.written ? report.items.filter { if case .anchored = $0.outcome { true } else { false } }.count : 0
        let held = report.items.filter { if case .alreadyHeld = $0.outcome { true } else { false } }.count
        let refused = report.refusedCount
        if refused > 0 && !skipRefused {
            throw Failure(message: "nothing imported: \(refused) of \(Format.count(items.count, "item")) refused; "
                          + "fix \(refused == 1 ? "it" : "them") or pass --skip-refused to import the other \(items.count - refused - held)")
        }
        if !output.json {
            print("imported \(imported) of \(Format.count(items.count, "item")); \(held) already held; \(refused) refused")
        }
    }

    private func describe(_ outcome: ImportOutcome) -> String {
        switch outcome {
        case .anchored(let annotation, let statement, let start, let end, let anchor):
            let how = anchor.state == .fuzzy ? "fuzzy, score \(Format.score(anchor.score))" : anchor.state.rawValue
            return "\(annotation.map { "imported as \($0.short)" } ?? "would import") on \(statement.short) at \(start)-\(end) (\(how))"
        case .alreadyHeld(let annotation):
            return "already held as \(annotation.short)"
        case .refused(let reason):
            return "refused: \(reason)"
        }
    }
}
