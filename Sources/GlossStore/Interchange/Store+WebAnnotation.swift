import Foundation
import GRDB
import GlossCore
import GlossMerge

/// What importing one annotation did, or would do.
public enum ImportOutcome: Equatable, Sendable {
    /// Anchored on `statement` (how: exact, moved or fuzzy); `annotation` is
    /// nil when nothing was written because another item was refused.
    case anchored(annotation: EntityID?, statement: EntityID, start: Int, end: Int, anchor: Anchor)
    /// The workspace holds it already: made here, or imported before.
    case alreadyHeld(EntityID)
    case refused(String)
}

/// What `importAnnotations` did with each item of a file.
public struct ImportReport: Sendable {
    public var items: [(label: String, outcome: ImportOutcome)]
    /// Whether the anchored items were written (all in one transaction).
    public var written: Bool

    public var refusedCount: Int { items.filter { if case .refused = $0.outcome { true } else { false } }.count }
}

extension Store {
    /// The live annotations (of `statement`, or all) as a W3C Web
    /// Annotation AnnotationCollection in JSON-LD.
    public func webAnnotations(statement: EntityID? = nil) throws(StoreError) -> Data {
        let annotations = try annotations(AnnotationFilter(statement: statement))
        let names = try members().merging(try removedDevices().mapValues(\.name)) { current, _ in current }
        let sources = Dictionary(uniqueKeysWithValues: try statements().map { ($0.id, $0.source) })
        let heads = try read { db in
            Dictionary(grouping: try Row.fetchAll(db, sql: "SELECT entity, change FROM entity_head ORDER BY entity, change"),
                       by: { $0["entity"] as String })
                .mapValues { $0.compactMap { ChangeID(bytes: $0["change"] as Data) } }
        }
        let collection = WebAnnotation.Collection(
            id: "urn:gloss:workspace:\(workspace)" + (statement.map { ":statement:\($0)" } ?? ""),
            label: try workspaceName(),
            items: annotations.map {
                WebAnnotation.Annotation($0, source: sources[$0.target.statement] ?? nil, heads: heads[$0.id.rawValue] ?? [], names: names)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try Store.catching { try encoder.encode(collection) }
    }

    /// Anchors each item to a statement (`statement`, else the one whose
    /// source URL is the item's target source) and writes them all in one
    /// transaction.
    ///
    /// When any item is refused nothing is written, unless `skipRefused`:
    /// then the others are. An item already held (its id is an annotation
    /// of this workspace, or the origin of one imported before) is skipped.
    public func importAnnotations(_ items: [WebAnnotation.Item], statement: EntityID? = nil, skipRefused: Bool = false,
                                  now: Int) throws(StoreError) -> ImportReport {
        try requireMembership()
        let statements = try statements()
        var texts: [EntityID: StatementText] = [:]
        var planned: [(index: Int, operations: [ChangeOperation])] = []
        var report = ImportReport(items: [], written: false)
        var seen: [String: Int] = [:]

        for (index, item) in items.enumerated() {
            func outcome(_ outcome: ImportOutcome) { report.items.append((item.label, outcome)) }
            let foreign: ForeignAnnotation
            switch item.result {
            case .failure(let refusal): outcome(.refused(refusal.description)); continue
            case .success(let value): foreign = value
            }
            if let id = foreign.origin?.id {
                if let earlier = seen[id] { outcome(.refused("it repeats \(items[earlier].label)")); continue }
                seen[id] = index
                if let held = try heldAnnotation(for: id) { outcome(.alreadyHeld(held)); continue }
            }
            guard let target = statement.flatMap({ id in statements.first { $0.id == id } })
                    ?? statements.first(where: { Self.sameSource($0, foreign.source) }) else {
                outcome(.refused("no statement of this workspace has the source \(foreign.source.map { "<\($0)>" } ?? "(none given)"); pass --statement"))
                continue
            }
            if texts[target.id] == nil { texts[target.id] = StatementText(statement: target.id, text: try text(of: target.revision)) }
            if foreign.note.utf8.count > maximumNoteBytes {
                outcome(.refused("expected a note of at most \(maximumNoteBytes >> 20) MiB, found \(foreign.note.utf8.count) bytes"))
                continue
            }
            if let origin = foreign.origin {
                do { _ = try Origin(json: origin.json) } catch { outcome(.refused("expected \(error)")); continue }
            }
            switch Self.anchor(foreign, on: texts[target.id]!) {
            case .failure(let refusal): outcome(.refused(refusal.description))
            case .success(let (span, anchor)):
                outcome(.anchored(annotation: nil, statement: target.id, start: span.start, end: span.end, anchor: anchor))
                planned.append((report.items.count - 1, Self.operations(foreign, target: span, anchor: anchor)))
            }
        }
        guard report.refusedCount == 0 || skipRefused, !planned.isEmpty else { return report }
        let created = try write { writer in
            try planned.map { _, operations in
                let entity = EntityID(createdBy: writer.key.id, seq: try writer.nextSeq())
                try writer.append(kind: .annotation, entity: entity, operations: operations, now: now)
                return entity
            }
        }
        for ((index, _), entity) in zip(planned, created) {
            if case .anchored(_, let statement, let start, let end, let anchor) = report.items[index].outcome {
                report.items[index].outcome = .anchored(annotation: entity, statement: statement, start: start, end: end, anchor: anchor)
            }
        }
        report.written = true
        return report
    }

    /// The annotation that `id` names here (`urn:gloss:annotation:ID`), or
    /// that was imported from `id` before.
    private func heldAnnotation(for id: String) throws(StoreError) -> EntityID? {
        try read { db in
            if id.hasPrefix("urn:gloss:annotation:"), let entity = EntityID(rawValue: String(id.dropFirst(21))),
               try Bool(exists: "SELECT 1 FROM annotation WHERE id = ?", [entity.rawValue], in: db) {
                return entity
            }
            return try String.fetchOne(db, sql: "SELECT id FROM annotation WHERE origin_id = ? LIMIT 1", arguments: [id])
                .flatMap(EntityID.init(rawValue:))
        }
    }

    /// Whether `source` names `statement`: its source URL (ignoring a
    /// fragment, a trailing slash and the case of scheme and host) or its
    /// Gloss IRI.
    static func sameSource(_ statement: StatementState, _ source: String?) -> Bool {
        guard let source else { return false }
        if source == "urn:gloss:statement:\(statement.id)" { return true }
        guard let own = statement.source else { return false }
        func normal(_ url: String) -> String {
            guard var parts = URLComponents(string: url) else { return url }
            parts.fragment = nil
            parts.scheme = parts.scheme?.lowercased()
            parts.host = parts.host?.lowercased()
            if parts.path.hasSuffix("/") { parts.path.removeLast() }
            return parts.string ?? url
        }
        return normal(own) == normal(source)
    }

    /// Places a foreign annotation's selectors on a statement's text: the
    /// position alone when there is no quote, else the quote by the
    /// re-anchoring rules (the position, if any, as its first guess).
    static func anchor(_ foreign: ForeignAnnotation, on text: StatementText) -> Result<(Target, Anchor), WebAnnotation.Refusal> {
        guard let exact = foreign.exact else {
            guard let position = foreign.position, let target = try? text.target(start: position.lowerBound, end: position.upperBound) else {
                return .failure(.init("expected a TextPositionSelector within the statement's \(text.scalars.count) code points, found "
                                      + (foreign.position.map { "\($0.lowerBound)-\($0.upperBound)" } ?? "none")))
            }
            return .success((target, .original))
        }
        let guess = foreign.position ?? 0..<exact.unicodeScalars.count
        let reanchored = text.reanchor(Target(statement: text.statement, revision: text.revision, exact: exact,
                                              prefix: foreign.prefix, suffix: foreign.suffix,
                                              start: guess.lowerBound, end: guess.upperBound))
        guard let target = reanchored.target, reanchored.state != .orphaned else {
            return .failure(.init("its quote \"\(exact.count > 60 ? exact.prefix(59) + "…" : Substring(exact))\" is not in statement \(text.statement.short), nor anything close enough"))
        }
        let state: AnchorState = reanchored.state == .moved && foreign.position == nil ? .exact : reanchored.state
        return .success((target, Anchor(state: state, score: reanchored.score)))
    }

    /// The creation change's operations for an anchored foreign annotation.
    static func operations(_ foreign: ForeignAnnotation, target: Target, anchor: Anchor) -> [ChangeOperation] {
        var operations: [ChangeOperation] = [
            .set(field: "target", value: target.json),
            .set(field: "status", value: .string((foreign.status ?? .open).rawValue)),
            .set(field: "motivation", value: .string(foreign.motivation.rawValue)),
        ]
        if anchor != .original { operations.append(.set(field: "anchor", value: anchor.json)) }
        if !foreign.note.isEmpty { operations.append(.set(field: "note", value: .string(foreign.note))) }
        operations += Set(foreign.tags).sorted().map(ChangeOperation.addTag)
        if let origin = foreign.origin { operations.append(.set(field: "origin", value: origin.json)) }
        return operations
    }
}
