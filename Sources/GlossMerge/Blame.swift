import GlossCore

/// Who set one field of an annotation to its current value.
public struct FieldBlame: Equatable, Sendable {
    /// `target`, `note`, `status`, `motivation`, `anchor`, `deleted`, or
    /// `tag:NAME` for each present tag.
    public var field: String
    /// The value as written (for a conflicted field, the provisional one).
    public var value: CanonicalJSON
    /// The change that wrote it, its author and time.
    public var setBy: LiveValue
}

extension AnnotationState {
    /// For each field of the annotation its changes make, the change that
    /// set its current value: `gloss blame`.
    public static func blame(_ graph: ChangeGraph) -> [FieldBlame] {
        let derivation = Derivation(graph)
        var blame: [FieldBlame] = []
        for field in ["target", "anchor", "note", "status", "motivation", "deleted"] {
            guard let write = derivation.liveWrites(field).first else { continue }
            blame.append(FieldBlame(field: field, value: write.value, setBy: derivation.liveValue(write)))
        }
        for tag in derivation.tags() {
            guard let add = derivation.survivingAdds(of: tag).max(by: derivation.precedes) else { continue }
            blame.append(FieldBlame(field: "tag:\(tag)", value: .string(tag),
                                    setBy: derivation.liveValue(Derivation.Write(position: add, value: .string(tag)))))
        }
        return blame
    }
}
