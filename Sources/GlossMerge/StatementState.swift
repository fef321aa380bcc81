import GlossCore

/// A statement's metadata and current revision as its changes make them.
/// The text itself is stored once per revision, addressed by its hash.
public struct StatementState: Equatable, Sendable {
    public var id: EntityID
    public var title: String?
    public var source: String?
    public var published: String?
    public var revision: RevisionHash
    public var author: DeviceID
    public var created: HLCTimestamp

    public init(id: EntityID, title: String?, source: String?, published: String?, revision: RevisionHash,
                author: DeviceID, created: HLCTimestamp) {
        self.id = id
        self.title = title
        self.source = source
        self.published = published
        self.revision = revision
        self.author = author
        self.created = created
    }

    /// Derives the statement from its changes, in any order; nil when no
    /// change sets a revision.
    public init?(deriving changes: some Sequence<SignedChange>) {
        self.init(deriving: ChangeGraph(changes))
    }

    /// Derives the statement from a graph of its changes.
    public init?(deriving graph: ChangeGraph) {
        guard let first = graph.ordered.first else { return nil }
        var revision: RevisionHash?
        for signed in graph.ordered {
            for operation in signed.change.operations {
                switch operation {
                case .set("title", .string(let value)): title = value
                case .set("source", .string(let value)): source = value
                case .set("published", .string(let value)): published = value
                case .set("revision", .string(let value)): revision = RevisionHash(hex: value) ?? revision
                default: break
                }
            }
        }
        guard let revision else { return nil }
        id = first.change.entity
        self.revision = revision
        author = first.change.author
        created = first.change.clock
    }
}
