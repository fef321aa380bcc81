import GlossCore

/// The merge rules, applied to one entity's change graph.
///
/// For each field, the live writes are the writes of that field not
/// superseded by a descendant change that writes it too. One live write is
/// the value; several are merged (notes, tags) or kept as a ``Conflict``.
struct Derivation {
    struct Write {
        var position: Int
        var value: CanonicalJSON
    }

    let graph: ChangeGraph
    let ancestry: Ancestry
    /// The writes of each register field, in graph order.
    private(set) var writes: [String: [Write]] = [:]
    private(set) var tagAdds: [String: [Int]] = [:]
    private(set) var tagRemoves: [String: [Int]] = [:]

    init(_ graph: ChangeGraph) {
        self.graph = graph
        ancestry = Ancestry(graph)
        for (position, signed) in graph.ordered.enumerated() where !graph.ignored.contains(signed.id) {
            for operation in signed.change.operations {
                switch operation {
                case .set(let field, let value): writes[field, default: []].append(Write(position: position, value: value))
                case .addTag(let tag): tagAdds[tag, default: []].append(position)
                case .removeTag(let tag): tagRemoves[tag, default: []].append(position)
                case .delete: writes["deleted", default: []].append(Write(position: position, value: .string("delete")))
                case .restore: writes["deleted", default: []].append(Write(position: position, value: .string("restore")))
                case .admit, .revoke: break
                }
            }
        }
    }

    /// The writes of `field` that no other write of it (within `scope`, all
    /// changes when nil) descends from, highest precedence first.
    ///
    /// - Complexity: O(w·n/64) for w writes among n changes: walking the
    ///   writes from last to first, a write is superseded exactly when it is
    ///   an ancestor of one already walked.
    func liveWrites(_ field: String, within scope: Set<Int>? = nil) -> [Write] {
        let candidates = (writes[field] ?? []).filter { scope?.contains($0.position) ?? true }
        var seen = Ancestry.Set(count: graph.ordered.count)
        var live: [Write] = []
        for write in candidates.reversed() {
            if !seen.contains(write.position) { live.append(write) }
            seen.formUnion(ancestry.ancestors(of: write.position))
        }
        return live.sorted { precedes($1.position, $0.position) }
    }

    /// Whether the change at `a` loses to the one at `b` when choosing a
    /// provisional value: lower clock, then author, then change id.
    func precedes(_ a: Int, _ b: Int) -> Bool {
        ChangeGraph.precedes(graph.ordered[a], graph.ordered[b])
    }

    func liveValue(_ write: Write) -> LiveValue {
        let change = graph.ordered[write.position]
        return LiveValue(change: change.id, author: change.change.author, clock: change.change.clock, value: write.value)
    }

    /// A register: the value and, when live values differ, the conflict.
    func register(_ field: String) -> (value: CanonicalJSON?, conflict: Conflict?) {
        let live = liveWrites(field)
        guard let first = live.first else { return (nil, nil) }
        if live.allSatisfy({ $0.value == first.value }) { return (first.value, nil) }
        return (first.value, Conflict(field: field, values: live.map(liveValue)))
    }

    /// A note: concurrent edits merged word by word against their common
    /// ancestors' note; a conflict when they overlap.
    func note() -> (value: String, conflict: Conflict?) {
        let live = liveWrites("note")
        guard let merged = mergedNote(live) else {
            return (Self.text(live[0].value), Conflict(field: "note", values: live.map(liveValue)))
        }
        return (merged, nil)
    }

    /// The note that `live` writes make, nil when they overlap; the common
    /// base is itself derived (recursively) from their common ancestors.
    private func mergedNote(_ live: [Write]) -> String? {
        switch live.count {
        case 0: return ""
        case 1: return Self.text(live[0].value)
        default:
            let common = Set(ancestry.commonAncestors(of: live.map(\.position)))
            let baseWrites = liveWrites("note", within: common)
            let base = mergedNote(baseWrites) ?? Self.text(baseWrites[0].value)
            let sides = live.map { Self.text($0.value) }
            if sides.allSatisfy({ $0 == sides[0] }) { return sides[0] }
            return WordMerge.merge(base: base, sides: sides)
        }
    }

    /// Tags as an add-wins observed-remove set: a tag is present when some
    /// add of it was not seen by any remove of it.
    func tags() -> [String] {
        tagAdds.keys.filter { !survivingAdds(of: $0).isEmpty }.sorted()
    }

    /// The positions of the adds of `tag` that no remove of it saw.
    func survivingAdds(of tag: String) -> [Int] {
        let removes = tagRemoves[tag] ?? []
        return (tagAdds[tag] ?? []).filter { add in !removes.contains { ancestry.isAncestor(add, of: $0) || $0 == add } }
    }

    /// The deleted flag: the live delete/restore writes, and a conflict when
    /// they disagree or a live delete is concurrent with an edit. A
    /// conflicted annotation stays visible.
    func deleted() -> (isDeleted: Bool, conflict: Conflict?) {
        let live = liveWrites("deleted")
        guard let first = live.first else { return (false, nil) }
        var values = live.map(liveValue)
        if live.contains(where: { $0.value != first.value }) {
            return (false, Conflict(field: "deleted", values: values))
        }
        guard first.value == .string("delete") else { return (false, nil) }
        let edits = graph.ordered.indices.filter { position in
            !graph.ignored.contains(graph.ordered[position].id) && graph.ordered[position].change.operations.contains { $0 != .delete && $0 != .restore }
                && live.contains { ancestry.areConcurrent($0.position, position) }
        }
        guard !edits.isEmpty else { return (true, nil) }
        values += edits.map { liveValue(Write(position: $0, value: .string("edit"))) }
        values.sort { ChangeGraph.precedes(graph.ordered[ancestry.index[$1.change]!], graph.ordered[ancestry.index[$0.change]!]) }
        return (false, Conflict(field: "deleted", values: values))
    }

    static func text(_ value: CanonicalJSON) -> String {
        if case .string(let text) = value { text } else { "" }
    }
}
