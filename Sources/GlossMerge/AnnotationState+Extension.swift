import GlossCore

extension AnnotationState {
    /// The state after `signed`, a change that names every current head of
    /// the annotation as a parent, so that every change before it is its
    /// ancestor: its writes supersede all others for the fields it sets
    /// (clearing their conflicts), its tag operations see every add, and the
    /// other fields, with their conflicts, stay as they are.
    ///
    /// This is what deriving the whole graph again gives (`deriving:`), at
    /// the cost of one change instead of all of them. Returns nil when it
    /// cannot tell, for a caller to derive in full: a change of another
    /// entity or kind, or one whose clock and author tie the latest change's.
    ///
    /// The caller must know that the change extends every head, and that
    /// its author's changes take effect (see ``WorkspaceState/isEffective(author:seq:)``).
    ///
    /// Consuming: a caller that gives up its state spares copying the tags
    /// and conflicts that the change leaves as they are.
    public consuming func extended(by signed: SignedChange) -> AnnotationState? {
        let change = signed.change
        guard change.kind == .annotation, change.entity == id, !change.parents.isEmpty else { return nil }
        var next = self
        var addedTag = false
        for operation in change.operations {
            switch operation {
            case .set("target", let value):
                guard let target = try? Target(json: value) else { return nil }
                next.target = target
            case .set("anchor", let value):
                guard let anchor = try? Anchor(json: value) else { return nil }
                next.anchor = anchor
            case .set("note", .string(let note)):
                next.note = note
            case .set("status", .string(let status)):
                guard let status = Status(rawValue: status) else { return nil }
                next.status = status
            case .set("motivation", .string(let motivation)):
                guard let motivation = Motivation(rawValue: motivation) else { return nil }
                next.motivation = motivation
            case .set("origin", let value):
                next.origin = try? Origin(json: value)
            case .addTag(let tag):
                if !next.tags.contains(tag) {
                    next.tags.append(tag)
                    addedTag = true
                }
            case .removeTag(let tag):
                if next.tags.contains(tag) { next.tags.removeAll { $0 == tag } }
            case .delete, .restore:
                next.isDeleted = operation == .delete
            default:
                return nil
            }
        }
        if addedTag { next.tags.sort() }
        if !next.conflicts.isEmpty {
            let written = Set(change.operations.compactMap { operation -> String? in
                switch operation {
                case .set(let field, _): field
                case .delete, .restore: "deleted"
                default: nil
                }
            })
            next.conflicts.removeAll { written.contains($0.field) }
        }
        let latest = (next.modified, next.modifiedBy.rawValue), incoming = (change.clock, change.author.rawValue)
        guard latest != incoming else { return nil }
        if latest < incoming {
            next.modified = change.clock
            next.modifiedBy = change.author
        }
        return next
    }
}
