import GlossCore

/// An annotation as its changes make it.
public struct AnnotationState: Equatable, Sendable {
    public var id: EntityID
    public var target: Target
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

    public init(id: EntityID, target: Target, note: String, tags: [String], status: Status, motivation: Motivation,
                isDeleted: Bool, author: DeviceID, created: HLCTimestamp, modifiedBy: DeviceID, modified: HLCTimestamp) {
        self.id = id
        self.target = target
        self.note = note
        self.tags = tags
        self.status = status
        self.motivation = motivation
        self.isDeleted = isDeleted
        self.author = author
        self.created = created
        self.modifiedBy = modifiedBy
        self.modified = modified
    }

    /// Derives the annotation from its changes, in any order.
    ///
    /// Returns nil when no change sets a target: such a set is not an
    /// annotation (the store never accepts one).
    public init?(deriving changes: some Sequence<SignedChange>) {
        self.init(deriving: ChangeGraph(changes))
    }

    /// Derives the annotation from a graph of its changes.
    public init?(deriving graph: ChangeGraph) {
        guard let first = graph.ordered.first else { return nil }
        var target: Target?
        var note = ""
        var tags: Set<String> = []
        var status = Status.open
        var motivation = Motivation.commenting
        var isDeleted = false
        var latest = first.change
        for signed in graph.ordered {
            let change = signed.change
            if (change.clock, change.author) > (latest.clock, latest.author) { latest = change }
            for operation in change.operations {
                switch operation {
                case .set("target", let value): target = try? Target(json: value)
                case .set("note", .string(let value)): note = value
                case .set("status", .string(let value)): status = Status(rawValue: value) ?? status
                case .set("motivation", .string(let value)): motivation = Motivation(rawValue: value) ?? motivation
                case .addTag(let tag): tags.insert(tag)
                case .removeTag(let tag): tags.remove(tag)
                case .delete: isDeleted = true
                case .restore: isDeleted = false
                default: break
                }
            }
        }
        guard let target else { return nil }
        self.id = first.change.entity
        self.target = target
        self.note = note
        self.tags = tags.sorted()
        self.status = status
        self.motivation = motivation
        self.isDeleted = isDeleted
        author = first.change.author
        created = first.change.clock
        modifiedBy = latest.author
        modified = latest.clock
    }
}
