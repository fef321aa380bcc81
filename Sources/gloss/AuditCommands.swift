import ArgumentParser
import Foundation
import GlossCore
import GlossMerge
import GlossStore

struct Blame: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blame",
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

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Write or check a self-contained, signed audit file of statements, annotations and their changes.",
        subcommands: [AuditExport.self, AuditCheck.self])
}

struct AuditExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the statements, their annotations, every change that made them, keys and names, signed by this device.")

    @Argument(help: ArgumentHelp("The audit file to write.", valueName: "file")) var file: String
    @Option(help: ArgumentHelp("Only this statement (its id or a prefix); default: all.", valueName: "statement")) var statement: String?
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        let store = try workspace.open()
        let statements = try statement.map { [try store.resolve($0, as: .statement)] }
        let bytes = try store.auditExport(statements: statements, now: Int(Date().timeIntervalSince1970 * 1000))
        try writeFile(file, Data(bytes), what: "audit file")
        let report = AuditFile.check(bytes)
        print("wrote \(file): \(Format.count(report.statements.count, "statement")), "
              + "\(Format.count(report.annotations.count, "annotation")), \(Format.count(report.changes.count, "change"))")
    }
}

struct AuditCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check an audit file with no workspace: every hash, chain, signature and derived annotation; print who wrote what.")

    @Argument(help: ArgumentHelp("The audit file to check.", valueName: "file")) var file: String
    @OptionGroup var output: OutputOptions

    struct ReportJSON: Encodable {
        var ok: Bool
        var workspace: String?
        var workspaceName: String
        var exporter: PersonJSON?
        var exported: String?
        var changes: Int
        var problems: [AuditProblem]
        var statements: [String]
        var annotations: [AnnotationJSON]
    }

    func run() throws {
        let report = AuditFile.check(try readBytes(file, what: "audit file"))
        if output.json {
            try Format.printJSON(ReportJSON(
                ok: report.isSound, workspace: report.workspace?.rawValue, workspaceName: report.workspaceName,
                exporter: report.exporter.map { PersonJSON($0, report.names) },
                exported: report.exported.map { HLCTimestamp(milliseconds: $0, counter: 0).iso8601 },
                changes: report.changes.count, problems: report.problems, statements: report.statements.map(\.id.rawValue),
                annotations: report.annotations.map { AnnotationJSON($0, report.names) }))
        } else if report.isSound {
            printSummary(report)
        } else {
            for problem in report.problems { print(problem) }
        }
        if !report.isSound {
            throw Failure(message: "\"\(file)\" fails its check: \(Format.count(report.problems.count, "problem"))")
        }
    }

    /// Who wrote what: each statement, each annotation, and each version of it.
    private func printSummary(_ report: AuditReport) {
        let names = report.names
        let exported = HLCTimestamp(milliseconds: report.exported ?? 0, counter: 0)
        print("ok: every hash, chain, signature and derived annotation checks")
        print("workspace \"\(report.workspaceName)\" (\(report.workspace?.rawValue ?? "")), exported \(Format.time(exported)) "
              + "by \(report.exporter.map { Format.person($0, names) } ?? "")")
        print("\(Format.count(report.changes.count, "change")) by \(Format.count(Set(report.changes.map(\.change.author)).count, "device")), "
              + "\(Format.count(report.statements.count, "statement")), \(Format.count(report.annotations.count, "annotation"))")
        let changesOf = Dictionary(grouping: report.changes, by: \.change.entity)
        func printAnnotations(of statement: EntityID) {
            for annotation in report.annotations where annotation.target.statement == statement {
                let flags = [annotation.status.rawValue] + annotation.tags.map { "#\($0)" }
                    + (annotation.isDeleted ? ["deleted"] : []) + (annotation.isConflicted ? ["conflicted"] : [])
                print("  annotation \(annotation.id.short)  \"\(Format.line(annotation.target.exact, width: 40))\"  \(flags.joined(separator: " "))")
                for version in AnnotationState.versions(of: ChangeGraph(changesOf[annotation.id] ?? [])) {
                    let change = version.change.change
                    let what = version.after.differences(from: version.before).map(History.describe).joined(separator: "; ")
                    print("    \(Format.time(change.clock))  \(Format.pad(Format.person(change.author, names), 20))  \(Format.line(what, width: 60))")
                }
            }
        }
        for statement in report.statements {
            print("")
            print("statement \(statement.id.short)  \(Format.line(statement.title ?? "(untitled)", width: 60))")
            print("  added \(Format.time(statement.created)) by \(Format.person(statement.author, names)), revision \(statement.revision.hex.prefix(12))")
            printAnnotations(of: statement.id)
        }
        // A sound file's other annotations are on statements whose changes take no effect.
        let shown = Set(report.statements.map(\.id))
        for statement in Set(report.annotations.map(\.target.statement)).subtracting(shown).sorted() {
            print("")
            print("statement \(statement.short)  (takes no effect: a removed device made it after its removal)")
            printAnnotations(of: statement)
        }
    }
}
