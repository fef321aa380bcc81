import GlossCore

/// Which changes of a graph are ancestors of which, as one bit set per
/// change, so "did this change see that one?" is O(1).
///
/// - Complexity: O(n²/64) words of memory and time for n changes.
struct Ancestry {
    let index: [ChangeID: Int]
    private let bits: [[UInt64]]

    init(_ graph: ChangeGraph) {
        var index: [ChangeID: Int] = [:]
        for (position, change) in graph.ordered.enumerated() { index[change.id] = position }
        let words = (graph.ordered.count + 63) / 64
        var bits: [[UInt64]] = []
        bits.reserveCapacity(graph.ordered.count)
        for change in graph.ordered {
            var set = [UInt64](repeating: 0, count: words)
            for parent in change.change.parents {
                guard let p = index[parent] else { continue }
                set[p / 64] |= 1 << UInt64(p % 64)
                for word in 0..<words { set[word] |= bits[p][word] }
            }
            bits.append(set)
        }
        self.index = index
        self.bits = bits
    }

    /// A set of positions, as bits.
    struct Set {
        private(set) var words: [UInt64]

        init(count: Int) { words = [UInt64](repeating: 0, count: (count + 63) / 64) }
        init(words: [UInt64]) { self.words = words }

        func contains(_ position: Int) -> Bool { words[position / 64] & (1 << UInt64(position % 64)) != 0 }

        mutating func formUnion(_ other: Set) {
            for index in words.indices { words[index] |= other.words[index] }
        }
    }

    /// The strict ancestors of the change at `position`.
    func ancestors(of position: Int) -> Set { Set(words: bits[position]) }

    /// Whether the change at `ancestor` is a strict ancestor of the one at `descendant`.
    func isAncestor(_ ancestor: Int, of descendant: Int) -> Bool {
        bits[descendant][ancestor / 64] & (1 << UInt64(ancestor % 64)) != 0
    }

    /// Whether neither change saw the other.
    func areConcurrent(_ a: Int, _ b: Int) -> Bool {
        a != b && !isAncestor(a, of: b) && !isAncestor(b, of: a)
    }

    /// The positions that are ancestors of every position in `positions`.
    func commonAncestors(of positions: [Int]) -> [Int] {
        guard let first = positions.first else { return [] }
        var set = bits[first]
        for position in positions.dropFirst() {
            for word in set.indices { set[word] &= bits[position][word] }
        }
        return (0..<bits.count).filter { set[$0 / 64] & (1 << UInt64($0 % 64)) != 0 }
    }
}

extension ChangeGraph {
    /// The ids of the strict ancestors of the change at `position` in `ordered`.
    public func ancestorIDs(of position: Int) -> Set<ChangeID> {
        let ancestry = Ancestry(self)
        return Set(ordered.indices.filter { ancestry.isAncestor($0, of: position) }.map { ordered[$0].id })
    }
}
