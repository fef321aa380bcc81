import ArgumentParser
import Foundation
import GlossCore
import GlossMerge
import GlossStore

struct Blame: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Every annotation of a statement, field by field: the value, who set it, on which device, when, and the change.")

    @Argument(help: ArgumentHelp("The statement's id or a prefix of it.", valueName: "statement")) var statement: String
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    struct AnnotationBlameJSON: Encodable {
        var annotation: String
        var deleted: Bool
        var fields: [LiveValueJSON]
    }

    func run() throws {
        let store = try workspace.open()
        let blame = try store.blame(try store.resolve(statement, as: .statement))
        let members = try store.members()
        func text(_ field: FieldBlame) -> String {
            ConflictFormat.value(field.setBy, field: field.field.hasPrefix("tag:") ? "tag" : field.field)
        }
        if output.json {
            return try Format.printJSON(blame.map { annotation, fields in
                AnnotationBlameJSON(annotation: annotation.id.rawValue, deleted: annotation.isDeleted, fields: fields.map {
                    LiveValueJSON($0.setBy, field: $0.field, named: true, members)
                })
            })
        }
        guard !blame.isEmpty else { return print("no annotations on this statement") }
        for (index, (annotation, fields)) in blame.enumerated() {
            if index > 0 { print("") }
            print("annotation \(annotation.id.short)\(annotation.isDeleted ? " (deleted)" : "")")
            for field in fields {
                let who = Format.line(Format.person(field.setBy.author, members), width: 20)
                print("  \(Format.pad(field.field, 12))  \(Format.pad(Format.line(text(field), width: 20), 20))  \(Format.pad(who, 20))  \(Format.time(field.setBy.clock).prefix(10))  \(field.setBy.change.hex.prefix(8))")
            }
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the raw change log: each change's exact bytes, one a line, in arrival order.")

    @Option(help: "The format: jsonl.") var format: String
    @Argument(help: ArgumentHelp("The file to write (default: standard output).", valueName: "file")) var file: String?
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        guard format == "jsonl" else { throw Failure(message: "expected --format jsonl, found \"\(format)\"") }
        let store = try workspace.open()
        var output: [UInt8] = []
        try store.exportLog { change in
            output += change.bytes
            output.append(0x0A)
        }
        if let file {
            do {
                try Data(output).write(to: URL(fileURLWithPath: file), options: .atomic)
            } catch {
                throw Failure(message: "cannot write \"\(file)\": \(error.localizedDescription)")
            }
        } else {
            FileHandle.standardOutput.write(Data(output))
        }
    }
}
