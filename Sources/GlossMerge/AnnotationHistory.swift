import GlossCore

/// One version of an annotation: the change that made it, and the state
/// before (nil for the change that created it) and after.
public struct AnnotationVersion: Sendable {
    public var change: SignedChange
    public var before: AnnotationState?
    public var after: AnnotationState
}

/// A field whose value differs between two versions of an annotation.
public enum AnnotationDifference: Equatable, Sendable {
    case target(from: Target?, to: Target)
    case anchor(Anchor)
    case note(from: String, to: String)
    case tags(added: [String], removed: [String])
    case status(from: Status?, to: Status)
    case motivation(from: Motivation?, to: Motivation)
    case deleted(Bool)
    /// A field that was in conflict before this change and is not after.
    case resolved(field: String)
}

extension AnnotationState {
    /// Every version of the annotation, one per change, in the graph's
    /// order. The state before a change is the state its ancestors make.
    ///
    /// - Complexity: O(n²) for n changes.
    public static func versions(of graph: ChangeGraph) -> [AnnotationVersion] {
        let ancestry = Ancestry(graph)
        return graph.ordered.enumerated().compactMap { position, signed in
            let earlier = graph.ordered.indices.filter { ancestry.isAncestor($0, of: position) }.map { graph.ordered[$0] }
            guard let after = AnnotationState(deriving: ChangeGraph(earlier + [signed], ignoring: graph.ignored)) else { return nil }
            return AnnotationVersion(change: signed, before: AnnotationState(deriving: ChangeGraph(earlier, ignoring: graph.ignored)),
                                     after: after)
        }
    }

    /// What changed from `earlier` (nil: nothing existed) to this state.
    public func differences(from earlier: AnnotationState?) -> [AnnotationDifference] {
        var differences: [AnnotationDifference] = []
        if earlier?.target != target { differences.append(.target(from: earlier?.target, to: target)) }
        if let earlier, earlier.anchor != anchor { differences.append(.anchor(anchor)) }
        if (earlier?.note ?? "") != note { differences.append(.note(from: earlier?.note ?? "", to: note)) }
        let before = Set(earlier?.tags ?? [])
        let added = tags.filter { !before.contains($0) }
        let removed = before.subtracting(tags).sorted()
        if !added.isEmpty || !removed.isEmpty { differences.append(.tags(added: added, removed: removed)) }
        if earlier?.status != status { differences.append(.status(from: earlier?.status, to: status)) }
        if earlier?.motivation != motivation { differences.append(.motivation(from: earlier?.motivation, to: motivation)) }
        if (earlier?.isDeleted ?? false) != isDeleted { differences.append(.deleted(isDeleted)) }
        let stillConflicted = Set(conflicts.map(\.field))
        for conflict in earlier?.conflicts ?? [] where !stillConflicted.contains(conflict.field) {
            differences.append(.resolved(field: conflict.field))
        }
        return differences
    }
}
