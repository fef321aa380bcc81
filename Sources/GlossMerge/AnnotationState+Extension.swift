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
    public func extended(by signed: SignedChange) -> AnnotationState? {
        let change = signed.change
        guard change.kind == .annotation, change.entity == id, !change.parents.isEmpty else { return nil }
        var next = self
        var written: Set<String> = []
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
                if !next.tags.contains(tag) { next.tags.append(tag) }
                continue
            case .removeTag(let tag):
                next.tags.removeAll { $0 == tag }
                continue
            case .delete, .restore:
                next.isDeleted = operation == .delete
                written.insert("deleted")
                continue
            default:
                return nil
            }
            if case .set(let field, _) = operation { written.insert(field) }
        }
        next.tags.sort()
        next.conflicts.removeAll { written.contains($0.field) }
        let latest = (modified, modifiedBy.rawValue), incoming = (change.clock, change.author.rawValue)
        guard latest != incoming else { return nil }
        if latest < incoming {
            next.modified = change.clock
            next.modifiedBy = change.author
        }
        return next
    }
}
