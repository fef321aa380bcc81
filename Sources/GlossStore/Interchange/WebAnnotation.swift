import Foundation
import GlossCore
import GlossMerge

/// An annotation read from another tool's file, before it is anchored to a
/// statement of the workspace.
public struct ForeignAnnotation: Equatable, Sendable {
    /// Where it came from; its `id` is the annotation's IRI there.
    public var origin: Origin?
    /// The IRI of the document its target selects from.
    public var source: String?
    public var exact: String?
    public var prefix: String
    public var suffix: String
    /// A TextPositionSelector's span, in code points.
    public var position: Range<Int>?
    public var note: String
    public var tags: [String]
    public var motivation: Motivation
    /// Gloss's own status, when the file came from Gloss.
    public var status: Status?

    public init(origin: Origin? = nil, source: String? = nil, exact: String? = nil, prefix: String = "", suffix: String = "",
                position: Range<Int>? = nil, note: String = "", tags: [String] = [], motivation: Motivation = .commenting,
                status: Status? = nil) {
        self.origin = origin
        self.source = source
        self.exact = exact
        self.prefix = prefix
        self.suffix = suffix
        self.position = position
        self.note = note
        self.tags = tags
        self.motivation = motivation
        self.status = status
    }
}

/// Reading and writing the W3C Web Annotation Data Model (2017) in its
/// JSON-LD serialisation, and the JSON of the Hypothesis API; see
/// `Protocol/w3c.md`.
public enum WebAnnotation {
    public static let context = "http://www.w3.org/ns/anno.jsonld"
    /// The extension namespace for Gloss's own fields (`gloss:status`, ...).
    public static let namespace = "urn:gloss:ns:"
    /// The largest file `parse` reads.
    public static let maximumFileBytes = 64 << 20

    /// Why a whole file cannot be read.
    public struct FileError: Error, Equatable, Sendable, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// One annotation of a file: read, or refused with the reason.
    public struct Item: Sendable {
        /// "item 3", with the annotation's id when it has one.
        public var label: String
        public var result: Result<ForeignAnnotation, Refusal>
    }

    public struct Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Reads a single Annotation, an array of them, an AnnotationCollection
    /// or AnnotationPage with its items inline, a Hypothesis search result
    /// (`{"rows":[...]}`) or a single Hypothesis annotation.
    ///
    /// - Throws: ``FileError`` when the file is not JSON or none of these.
    public static func parse(_ bytes: [UInt8]) throws(FileError) -> [Item] {
        guard bytes.count <= maximumFileBytes else {
            throw FileError(description: "a file of at most \(maximumFileBytes >> 20) MiB, found \(bytes.count) bytes")
        }
        let json: JSONValue
        do {
            json = try JSONValue(parsing: bytes)
        } catch {
            throw FileError(description: "a JSON document, found a file that does not parse as JSON")
        }
        let (annotations, hypothesis) = try members(of: json)
        return annotations.enumerated().map { index, value in
            let id = value["id"]?.string ?? value["@id"]?.string
            let label = "item \(index + 1)" + (id.map { " (\($0))" } ?? "")
            do throws(Refusal) {
                // No string of a change holds U+0000 (Protocol/changes.md, section 4).
                guard !value.holdsNUL else { throw Refusal("expected strings without U+0000 (NUL), found one") }
                return Item(label: label, result: .success(try hypothesis ? readHypothesis(value) : read(value)))
            } catch {
                return Item(label: label, result: .failure(error))
            }
        }
    }

    /// The annotations a document holds, and whether they are Hypothesis's.
    private static func members(of json: JSONValue) throws(FileError) -> ([JSONValue], hypothesis: Bool) {
        if case .array(let elements) = json { return (elements, false) }
        guard case .object = json else {
            throw FileError(description: "an Annotation, an array of them, an AnnotationCollection or a Hypothesis search result")
        }
        if case .array(let rows)? = json["rows"] { return (rows, true) }
        let types = json.types
        if types.contains("AnnotationCollection") {
            guard let first = json["first"], case .object = first else {
                throw FileError(description: "an AnnotationCollection with its first page inline (\"first\": {\"items\": [...]}), found "
                                + (json["first"]?.string.map { "a link to \($0)" } ?? "none"))
            }
            return (first["items"]?.elements ?? [], false)
        }
        if types.contains("AnnotationPage") { return (json["items"]?.elements ?? [], false) }
        if types.contains("Annotation") { return ([json], false) }
        if json["uri"] != nil, json["target"] != nil, json["user"] != nil { return ([json], true) }
        throw FileError(description: "an Annotation, an array of them, an AnnotationCollection or a Hypothesis search result; "
                        + "found an object of type \(types.first.map { "\"\($0)\"" } ?? "none")")
    }

    // MARK: W3C

    private static func read(_ json: JSONValue) throws(Refusal) -> ForeignAnnotation {
        guard case .object = json else { throw Refusal("expected an Annotation object, found another JSON value") }
        guard json.types.contains("Annotation") else {
            throw Refusal("expected \"type\": \"Annotation\", found \(json.types.first.map { "\"\($0)\"" } ?? "no type")")
        }
        var annotation = ForeignAnnotation()
        try readTarget(json["target"], into: &annotation)

        var notes: [String] = json["bodyValue"]?.string.map { [$0] } ?? []
        for body in json["body"]?.elements ?? [] { try readBody(body, notes: &notes, tags: &annotation.tags) }
        annotation.note = notes.joined(separator: "\n\n")
        annotation.motivation = json["motivation"]?.strings.lazy.compactMap(motivation).first ?? (notes.isEmpty && !annotation.tags.isEmpty ? .tagging : .commenting)

        let gloss = { (key: String) in json["gloss:\(key)"] ?? json[namespace + key] }
        if let status = gloss("status")?.string {
            guard let value = Status(rawValue: status) else {
                throw Refusal("expected gloss:status to be one of \(Status.allCases.map(\.rawValue).joined(separator: ", ")), found \"\(status)\"")
            }
            annotation.status = value
        }
        if let id = json["id"]?.string ?? json["@id"]?.string {
            annotation.origin = Origin(
                id: id.nfc, creator: creator(json["creator"]), created: nonEmpty(json["created"]?.string),
                heads: gloss("heads")?.strings.filter { ChangeID(hex: $0) != nil } ?? [],
                conflicts: gloss("conflicts")?.strings.map(\.nfc) ?? [])
        }
        return annotation
    }

    /// The first target that selects text: its source and selectors.
    private static func readTarget(_ target: JSONValue?, into annotation: inout ForeignAnnotation) throws(Refusal) {
        let targets = target?.elements ?? []
        guard !targets.isEmpty else { throw Refusal("expected a target, found none") }
        for target in targets {
            guard case .object = target else { continue }
            let selectors = target["selector"]?.elements ?? []
            let quote = selectors.first { $0.types.contains("TextQuoteSelector") }
            let position = selectors.first { $0.types.contains("TextPositionSelector") }
            guard quote != nil || position != nil else { continue }
            annotation.source = target["source"]?.string ?? target["id"]?.string
            if let quote {
                guard let exact = quote["exact"]?.string, !exact.isEmpty else {
                    throw Refusal("expected a TextQuoteSelector with a non-empty \"exact\"")
                }
                annotation.exact = exact.nfc
                annotation.prefix = quote["prefix"]?.string?.nfc ?? ""
                annotation.suffix = quote["suffix"]?.string?.nfc ?? ""
            }
            if let position {
                guard let start = position["start"]?.count, let end = position["end"]?.count, start < end else {
                    throw Refusal("expected a TextPositionSelector with integers 0 <= start < end")
                }
                annotation.position = start..<end
            }
            return
        }
        let selectorTypes = Set(targets.flatMap { $0["selector"]?.elements.flatMap(\.types) ?? [] }).sorted()
        let first = targets[0], resource = first.string ?? first["source"]?.string ?? first["id"]?.string ?? "no source"
        let described = selectorTypes.isEmpty ? "the whole resource \(resource)" : "selectors of types \(selectorTypes.joined(separator: ", "))"
        throw Refusal("expected a target with a TextQuoteSelector or TextPositionSelector on the text, found \(described)")
    }

    /// A body: a note, a tag, or a linked resource (its IRI joins the note).
    private static func readBody(_ body: JSONValue, notes: inout [String], tags: inout [String]) throws(Refusal) {
        if let iri = body.string { return notes.append(iri) }
        if body.types.contains("Choice") {
            guard let first = body["items"]?.elements.first else { throw Refusal("expected a Choice body with items") }
            return try readBody(first, notes: &notes, tags: &tags)
        }
        let purposes = body["purpose"]?.strings ?? []
        if let value = body["value"]?.string ?? body["chars"]?.string {
            if purposes.contains("tagging") || purposes.contains("oa:tagging") {
                tags.append(try tag(value))
            } else {
                notes.append(value.nfc)
            }
        } else if let iri = body["id"]?.string ?? body["source"]?.string {
            notes.append(iri)
        } else {
            throw Refusal("expected a body with a \"value\" or an \"id\", found one with neither")
        }
    }

    // MARK: Hypothesis

    private static func readHypothesis(_ json: JSONValue) throws(Refusal) -> ForeignAnnotation {
        guard case .object = json else { throw Refusal("expected a Hypothesis annotation object, found another JSON value") }
        var annotation = ForeignAnnotation()
        try readTarget(json["target"], into: &annotation)
        annotation.source = annotation.source ?? json["uri"]?.string
        annotation.note = json["text"]?.string?.nfc ?? ""
        for label in json["tags"]?.strings ?? [] { annotation.tags.append(try tag(label)) }
        let isReply = !(json["references"]?.elements.isEmpty ?? true)
        annotation.motivation = isReply ? .replying : annotation.note.isEmpty ? (annotation.tags.isEmpty ? .highlighting : .tagging) : .commenting
        if let id = json["id"]?.string {
            let user = json["user_info"]?["display_name"]?.string ?? json["user"]?.string.map { $0.hasPrefix("acct:") ? String($0.dropFirst(5)) : $0 }
            annotation.origin = Origin(id: (json["links"]?["html"]?.string ?? "https://hypothes.is/a/\(id)").nfc,
                                       creator: nonEmpty(user), created: nonEmpty(json["created"]?.string))
        }
        return annotation
    }

    // MARK: Values

    /// A tag label from another tool: whitespace runs become "-".
    static func tag(_ text: String) throws(Refusal) -> String {
        let label = text.nfc.split(whereSeparator: { $0.isWhitespace }).joined(separator: "-")
        if let problem = Tag.problem(with: label) { throw Refusal("expected \(problem)") }
        return label
    }

    static func motivation(_ text: String) -> Motivation? {
        Motivation(rawValue: text.hasPrefix("oa:") ? String(text.dropFirst(3)) : text)
    }

    /// A creator's name, nickname or IRI.
    static func creator(_ value: JSONValue?) -> String? {
        guard let first = value?.elements.first else { return nil }
        return nonEmpty(first.string ?? first["name"]?.string ?? first["nickname"]?.string ?? first["id"]?.string)
    }

    /// `text` in NFC, nil when empty or blank.
    static func nonEmpty(_ text: String?) -> String? {
        guard let text = text?.nfc.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }
}
