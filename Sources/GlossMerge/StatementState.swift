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
    /// Fields written concurrently with different values.
    public var conflicts: [Conflict]

    public init(id: EntityID, title: String?, source: String?, published: String?, revision: RevisionHash,
                author: DeviceID, created: HLCTimestamp, conflicts: [Conflict]) {
        self.id = id
        self.title = title
        self.source = source
        self.published = published
        self.revision = revision
        self.author = author
        self.created = created
        self.conflicts = conflicts
    }

    /// Derives the statement from its changes, in any order; nil when no
    /// change sets a revision.
    public init?(deriving changes: some Sequence<SignedChange>) {
        self.init(deriving: ChangeGraph(changes))
    }

    /// Derives the statement from a graph of its changes; every field is a
    /// register.
    public init?(deriving graph: ChangeGraph) {
        let derivation = Derivation(graph)
        let fields = ["revision", "title", "source", "published"].map { ($0, derivation.register($0)) }
        let values = Dictionary(uniqueKeysWithValues: fields.map { ($0.0, $0.1.value.map(Derivation.text)) })
        guard let first = graph.ordered.first(where: { !graph.ignored.contains($0.id) }), let hex = values["revision"] ?? nil, let revision = RevisionHash(hex: hex) else {
            return nil
        }
        id = first.change.entity
        title = values["title"] ?? nil
        source = values["source"] ?? nil
        published = values["published"] ?? nil
        self.revision = revision
        author = first.change.author
        created = first.change.clock
        conflicts = fields.compactMap(\.1.conflict)
    }

    public var isConflicted: Bool { !conflicts.isEmpty }
}
