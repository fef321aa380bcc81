import GlossCore

/// The changes of one entity, linked by their parents into a DAG.
///
/// The graph holds a set: the order changes are given in never matters.
public struct ChangeGraph: Sendable {
    /// The changes in a topological order: parents before children, and
    /// changes with no path between them ordered by clock, then author,
    /// then id, so every replica walks the same order.
    public let ordered: [SignedChange]

    /// The changes no other change of the graph names as a parent.
    public let heads: [ChangeID]

    /// Changes that keep their place in the graph (their descendants saw
    /// them) but whose operations never take effect: those a removed
    /// device wrote after its removal.
    public let ignored: Set<ChangeID>

    /// Builds the graph. Parents outside the set are ignored: the store
    /// checks that they exist before it accepts a change. The operations of
    /// the changes in `ignored` are left out of every state derived.
    ///
    /// - Complexity: O(n·w) for n changes and at most w of them with no
    ///   path between them (w = 1 for a linear history).
    public init(_ changes: some Sequence<SignedChange>, ignoring ignored: Set<ChangeID> = []) {
        self.ignored = ignored
        var byID: [ChangeID: SignedChange] = [:]
        for change in changes { byID[change.id] = change }
        var children: [ChangeID: [ChangeID]] = [:]
        var waiting: [ChangeID: Int] = [:]
        for (id, signed) in byID {
            let parents = signed.change.parents.filter { byID[$0] != nil }
            waiting[id] = parents.count
            for parent in parents { children[parent, default: []].append(id) }
        }
        var ready = byID.values.filter { waiting[$0.id] == 0 }.sorted(by: Self.precedes)
        var ordered: [SignedChange] = []
        ordered.reserveCapacity(byID.count)
        while !ready.isEmpty {
            let next = ready.removeFirst()
            ordered.append(next)
            for child in children[next.id] ?? [] {
                waiting[child]! -= 1
                if waiting[child] == 0 {
                    let node = byID[child]!
                    ready.insert(node, at: ready.firstIndex { Self.precedes(node, $0) } ?? ready.endIndex)
                }
            }
        }
        self.ordered = ordered
        heads = byID.keys.filter { children[$0] == nil }.sorted()
    }

    /// The deterministic order of changes with no path between them.
    static func precedes(_ a: SignedChange, _ b: SignedChange) -> Bool {
        (a.change.clock, a.change.author, a.id) < (b.change.clock, b.change.author, b.id)
    }
}
