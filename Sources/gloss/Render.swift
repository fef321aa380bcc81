import ArgumentParser
import Foundation
import GlossCore
import GlossMerge
import GlossStore

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write a statement and its annotations as one self-contained HTML page, to read on screen or print.")

    @Argument(help: ArgumentHelp("The statement's id or a prefix of it.", valueName: "statement")) var statement: String
    @Option(name: .shortAndLong, help: ArgumentHelp("The HTML file to write.", valueName: "file")) var output: String
    @OptionGroup var workspace: WorkspaceOptions

    func run() throws {
        let store = try workspace.open()
        let id = try store.resolve(statement, as: .statement)
        let state = try store.statement(id)
        let annotations = try store.annotations(AnnotationFilter(statement: id))
        let page = HTMLPage(
            workspace: try store.workspaceName(), statement: state, text: try store.text(of: state.revision),
            annotations: try annotations.map { ($0, try store.history(of: $0.id)) },
            names: try store.members().merging(try store.removedDevices().mapValues(\.name)) { current, _ in current })
        try writeFile(output, Data(page.html.utf8), what: "page")
        print("wrote \(output): \(Format.count(page.highlighted.count, "highlighted annotation"))"
              + (page.unplaced.isEmpty ? "" : ", \(page.unplaced.count) not on the current revision"))
    }
}

/// A statement as one HTML page: the text with each annotated span
/// highlighted, and beside it a card per annotation with its note, tags,
/// status, conflicts and history. No script, no external resource; every
/// text from the statement or an annotation is escaped.
struct HTMLPage {
    let workspace: String
    let statement: StatementState
    let text: String
    let names: [DeviceID: String]
    /// Annotations anchored on the current revision, in text order, numbered from 1.
    let highlighted: [(annotation: AnnotationState, history: [AnnotationVersion])]
    /// Annotations left on an earlier revision, or orphaned.
    let unplaced: [(annotation: AnnotationState, history: [AnnotationVersion])]

    init(workspace: String, statement: StatementState, text: String,
         annotations: [(AnnotationState, [AnnotationVersion])], names: [DeviceID: String]) {
        self.workspace = workspace
        self.statement = statement
        self.text = text
        self.names = names
        let placed = annotations.filter { $0.0.target.revision == statement.revision && $0.0.anchor.state != .orphaned }
        highlighted = placed.sorted { ($0.0.target.start, $0.0.target.end) < ($1.0.target.start, $1.0.target.end) }.map { ($0.0, $0.1) }
        unplaced = annotations.filter { a in !placed.contains { $0.0.id == a.0.id } }.map { ($0.0, $0.1) }
    }

    var html: String {
        let title = statement.title ?? "Statement \(statement.id.short)"
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <header>
            <h1>\(escape(title))</h1>
            <p class="meta">\(metadata)</p>
            </header>
            <main>
            <article class="text" id="statement">\(annotatedText)</article>
            <aside class="notes">
            \(highlighted.enumerated().map { card($0.element.annotation, $0.element.history, number: $0.offset + 1) }.joined(separator: "\n"))
            \(unplaced.isEmpty ? "" : "<h2>Not on this revision</h2>\n" + unplaced.map { card($0.annotation, $0.history, number: nil) }.joined(separator: "\n"))
            </aside>
            </main>
            <footer>Rendered by Gloss from workspace “\(escape(workspace))”, revision \(statement.revision.hex.prefix(12)).</footer>
            </body>
            </html>

            """
    }

    private var metadata: String {
        var parts = ["statement \(statement.id.short)", "revision \(statement.revision.hex.prefix(12))"]
        if let published = statement.published { parts.append("published \(escape(published))") }
        if let source = statement.source { parts.append("source <a href=\"\(escape(source))\">\(escape(source))</a>") }
        parts.append(Format.count(highlighted.count + unplaced.count, "annotation"))
        return parts.joined(separator: " · ")
    }

    /// The text cut at every annotation boundary; each piece inside one or
    /// more annotations is a `<mark>` naming them, and each annotation's
    /// number follows its last piece.
    private var annotatedText: String {
        let scalars = Array(text.unicodeScalars)
        var cuts = Set([0, scalars.count])
        for (annotation, _) in highlighted { cuts.formUnion([annotation.target.start, annotation.target.end]) }
        let bounds = cuts.sorted()
        var html = ""
        for (start, end) in zip(bounds, bounds.dropFirst()) {
            let piece = escape(String(String.UnicodeScalarView(scalars[start..<end])))
            let covering = highlighted.enumerated().filter { $0.element.annotation.target.start <= start && end <= $0.element.annotation.target.end }
            if covering.isEmpty {
                html += piece
            } else {
                let annotations = covering.map(\.element.annotation)
                let classes = ["hl", "status-\(annotations[0].status.rawValue)"] + (annotations.contains { $0.isConflicted } ? ["conflicted"] : [])
                    + (covering.count > 1 ? ["overlap"] : [])
                html += "<mark class=\"\(classes.joined(separator: " "))\" data-annotation=\"\(annotations.map(\.id.rawValue).joined(separator: " "))\">\(piece)</mark>"
            }
            for (offset, entry) in highlighted.enumerated() where entry.annotation.target.end == end {
                html += "<sup class=\"ref\"><a href=\"#note-\(offset + 1)\" id=\"ref-\(offset + 1)\">\(offset + 1)</a></sup>"
            }
        }
        return html
    }

    private func card(_ annotation: AnnotationState, _ history: [AnnotationVersion], number: Int?) -> String {
        let target = annotation.target
        var html = "<section class=\"note status-\(annotation.status.rawValue)\(annotation.isConflicted ? " conflicted" : "")\""
            + (number.map { " id=\"note-\($0)\"" } ?? "") + " data-annotation=\"\(annotation.id.rawValue)\">\n"
        html += "<h3>" + (number.map { "<a href=\"#ref-\($0)\">\($0)</a> " } ?? "")
            + "<q>\(escape(target.exact))</q> <span class=\"span\">\(target.start)–\(target.end)</span></h3>\n"
        html += "<p class=\"badges\"><span class=\"status\">\(annotation.status.rawValue)</span> "
            + "<span class=\"motivation\">\(annotation.motivation.rawValue)</span>"
            + annotation.tags.map { " <span class=\"tag\">#\(escape($0))</span>" }.joined()
            + (annotation.anchor.state == .exact ? "" : " <span class=\"anchor\">anchor: \(annotation.anchor.state.rawValue)</span>")
            + "</p>\n"
        if !annotation.note.isEmpty { html += "<p class=\"body\">\(escape(annotation.note))</p>\n" }
        for conflict in annotation.conflicts {
            let values = conflict.values.map { "\(escape(ConflictFormat.value($0, field: conflict.field))) (\(escape(Format.person($0.author, names))))" }
            html += "<p class=\"conflict\">⚠ conflict on \(escape(conflict.field)): \(values.joined(separator: " / "))</p>\n"
        }
        if let origin = annotation.origin {
            html += "<p class=\"origin\">imported from \(escape(origin.id))\(origin.creator.map { ", by \(escape($0))" } ?? "")</p>\n"
        }
        html += "<ol class=\"history\">\n"
        for version in history {
            let change = version.change.change
            let what = version.after.differences(from: version.before).map(History.describe).joined(separator: "; ")
            html += "<li><time>\(Format.time(change.clock))</time> <span class=\"who\">\(escape(Format.person(change.author, names)))</span>: \(escape(what))</li>\n"
        }
        return html + "</ol>\n</section>"
    }

    /// `text` safe inside HTML elements and attribute values.
    func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static let style = """

        :root { --open: #fff3a8; --checked: #cfe6ff; --verified: #c9f0c9; --disputed: #ffd0cc; }
        body { font: 16px/1.55 Georgia, 'Times New Roman', serif; color: #1d1d1d; margin: 0 auto; max-width: 78rem; padding: 1.5rem; }
        header h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
        .meta, footer, .span, .history { font: 13px/1.4 system-ui, sans-serif; color: #555; }
        main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 2rem; align-items: start; }
        .text { white-space: pre-wrap; }
        mark.hl { padding: 0 .05em; border-radius: 2px; }
        mark.status-open { background: var(--open); }
        mark.status-checked { background: var(--checked); }
        mark.status-verified { background: var(--verified); }
        mark.status-disputed { background: var(--disputed); }
        mark.overlap { box-shadow: inset 0 -3px 0 #999; }
        mark.conflicted { outline: 2px dashed #c0392b; }
        sup.ref a { font: bold 11px system-ui, sans-serif; color: #333; text-decoration: none; }
        sup.ref + sup.ref::before { content: ","; }
        .notes h2 { font: 600 14px system-ui, sans-serif; text-transform: uppercase; color: #555; }
        section.note { border-left: 5px solid #ccc; padding: .5rem .75rem; margin: 0 0 1rem; background: #fafafa; break-inside: avoid; }
        section.note.status-open { border-color: #e0c200; }
        section.note.status-checked { border-color: #3d8bd9; }
        section.note.status-verified { border-color: #3a9a3a; }
        section.note.status-disputed { border-color: #d9534f; }
        section.note.conflicted { border-style: dashed; }
        section.note h3 { font-size: 1rem; margin: 0 0 .25rem; }
        .badges span { display: inline-block; font: 12px system-ui, sans-serif; padding: 0 .4em; margin-right: .25em; border-radius: 3px; background: #e8e8e8; }
        .badges .status { font-weight: 600; }
        .body { white-space: pre-wrap; margin: .4rem 0; }
        .conflict { color: #a52a1f; font-weight: 600; }
        .history { padding-left: 1.2rem; margin: .25rem 0 0; }
        @media (max-width: 50rem) { main { grid-template-columns: 1fr; } }
        @media print {
            body { font-size: 11pt; max-width: none; padding: 0; }
            main { grid-template-columns: 3fr 2fr; }
            a { color: inherit; text-decoration: none; }
            mark.hl { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
            section.note { background: none; }
        }

        """
}
