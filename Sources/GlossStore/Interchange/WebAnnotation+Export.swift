import Foundation
import GlossCore
import GlossMerge

extension WebAnnotation {
    /// An AnnotationCollection with every annotation inline on its first page.
    struct Collection: Encodable {
        var id: String
        var label: String
        var items: [Annotation]

        enum CodingKeys: String, CodingKey { case context = "@context", id, type, label, total, first }
        struct Page: Encodable {
            var type = "AnnotationPage"
            var startIndex = 0
            var items: [Annotation]
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode([ContextEntry.iri(context), .prefixes(["gloss": namespace])], forKey: .context)
            try container.encode(id, forKey: .id)
            try container.encode("AnnotationCollection", forKey: .type)
            try container.encode(label, forKey: .label)
            try container.encode(items.count, forKey: .total)
            try container.encode(Page(items: items), forKey: .first)
        }
    }

    enum ContextEntry: Encodable {
        case iri(String)
        case prefixes([String: String])

        func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .iri(let iri): try container.encode(iri)
            case .prefixes(let prefixes): try container.encode(prefixes)
            }
        }
    }

    struct Annotation: Encodable {
        struct Agent: Encodable {
            var id: String
            var type = "Person"
            var name: String?
        }
        struct Body: Encodable {
            var type = "TextualBody"
            var value: String
            var format = "text/plain"
            var purpose: String
        }
        struct Target: Encodable {
            var source: String
            var selector: [Selector]
        }
        struct Selector: Encodable {
            var type: String
            var exact, prefix, suffix: String?
            var start, end: Int?
        }
        struct AnchorJSON: Encodable { var state: String; var score: Int }
        struct OriginJSON: Encodable {
            var id: String
            var creator, created: String?
            var heads, conflicts: [String]?
        }

        var id: String
        var type = "Annotation"
        var motivation: String
        var creator: Agent
        var created: String
        var modified: String
        var body: [Body]?
        var target: Target
        var statement: String
        var revision: String
        var status: String
        var anchor: AnchorJSON
        var conflicts: [String]?
        var heads: [String]
        var origin: OriginJSON?

        enum CodingKeys: String, CodingKey {
            case id, type, motivation, creator, created, modified, body, target
            case statement = "gloss:statement", revision = "gloss:revision", status = "gloss:status", anchor = "gloss:anchor"
            case conflicts = "gloss:conflicts", heads = "gloss:heads", origin = "gloss:origin"
        }

        init(_ annotation: AnnotationState, source: String?, heads: [ChangeID], names: [DeviceID: String]) {
            let target = annotation.target
            id = "urn:gloss:annotation:\(annotation.id)"
            motivation = annotation.motivation.rawValue
            creator = Agent(id: "urn:gloss:device:\(annotation.author)", name: names[annotation.author])
            created = annotation.created.iso8601
            modified = annotation.modified.iso8601
            let bodies = (annotation.note.isEmpty ? [] : [Body(value: annotation.note, purpose: "commenting")])
                + annotation.tags.map { Body(value: $0, purpose: "tagging") }
            body = bodies.isEmpty ? nil : bodies
            self.target = Target(source: source ?? "urn:gloss:statement:\(target.statement)", selector: [
                Selector(type: "TextQuoteSelector", exact: target.exact, prefix: target.prefix, suffix: target.suffix),
                Selector(type: "TextPositionSelector", start: target.start, end: target.end),
            ])
            statement = target.statement.rawValue
            revision = target.revision.hex
            status = annotation.status.rawValue
            anchor = AnchorJSON(state: annotation.anchor.state.rawValue, score: annotation.anchor.score)
            conflicts = annotation.conflicts.isEmpty ? nil : annotation.conflicts.map(\.field).sorted()
            self.heads = heads.map(\.hex)
            origin = annotation.origin.map {
                OriginJSON(id: $0.id, creator: $0.creator, created: $0.created,
                           heads: $0.heads.isEmpty ? nil : $0.heads, conflicts: $0.conflicts.isEmpty ? nil : $0.conflicts)
            }
        }
    }
}
