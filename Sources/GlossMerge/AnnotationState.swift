import GlossCore

/// An annotation as its changes make it.
public struct AnnotationState: Equatable, Sendable {
    public var id: EntityID
    public var target: Target
    /// How the target was placed on the statement's current revision.
    public var anchor: Anchor
    public var note: String
    /// Sorted, no duplicates.
    public var tags: [String]
    public var status: Status
    public var motivation: Motivation
    public var isDeleted: Bool
    /// The device that created the annotation, and when.
    public var author: DeviceID
    public var created: HLCTimestamp
    /// The device of the latest change, and when.
    public var modifiedBy: DeviceID
    public var modified: HLCTimestamp
    /// The fields whose concurrent writes could not be merged, by field name.
    public var conflicts: [Conflict]
    /// Where the annotation was imported from; nil when it was made here.
    public var origin: Origin?

    public init(id: EntityID, target: Target, anchor: Anchor, note: String, tags: [String], status: Status, motivation: Motivation,
                isDeleted: Bool, author: DeviceID, created: HLCTimestamp, modifiedBy: DeviceID, modified: HLCTimestamp,
                conflicts: [Conflict], origin: Origin? = nil) {
        self.id = id
        self.target = target
        self.anchor = anchor
        self.note = note
        self.tags = tags
        self.status = status
        self.motivation = motivation
        self.isDeleted = isDeleted
        self.author = author
        self.created = created
        self.modifiedBy = modifiedBy
        self.modified = modified
        self.conflicts = conflicts
        self.origin = origin
    }

    /// Derives the annotation from its changes, in any order.
    ///
    /// Returns nil when no change sets a target: such a set is not an
    /// annotation (the store never accepts one).
    public init?(deriving changes: some Sequence<SignedChange>) {
        self.init(deriving: ChangeGraph(changes))
    }

    /// Derives the annotation from a graph of its changes, by the merge
    /// rules: the result depends only on the set of changes.
    public init?(deriving graph: ChangeGraph) {
        let derivation = Derivation(graph)
        let target = derivation.register("target")
        let effective = graph.ordered.filter { !graph.ignored.contains($0.id) }
        guard let targetValue = target.value, let first = effective.first,
              let latest = effective.max(by: ChangeGraph.precedes) else { return nil }
        let note = derivation.note()
        let status = derivation.register("status")
        let motivation = derivation.register("motivation")
        let deleted = derivation.deleted()
        let anchor = derivation.register("anchor")
        guard let decoded = try? Target(json: targetValue) else { return nil }
        id = first.change.entity
        self.target = decoded
        self.anchor = anchor.value.flatMap { try? Anchor(json: $0) } ?? .original
        self.note = note.value
        tags = derivation.tags()
        self.status = status.value.flatMap { Status(rawValue: Derivation.text($0)) } ?? .open
        self.motivation = motivation.value.flatMap { Motivation(rawValue: Derivation.text($0)) } ?? .commenting
        isDeleted = deleted.isDeleted
        author = first.change.author
        created = first.change.clock
        modifiedBy = latest.change.author
        modified = latest.change.clock
        origin = derivation.register("origin").value.flatMap { try? Origin(json: $0) }
        conflicts = [target.conflict, anchor.conflict, note.conflict, status.conflict, motivation.conflict, deleted.conflict].compactMap { $0 }
    }

    /// Whether any field holds concurrent values awaiting resolution.
    public var isConflicted: Bool { !conflicts.isEmpty }
}
