/// Three-way merge of texts at word level, over Myers' diff
/// (`CollectionDifference`).
///
/// Texts are cut into tokens: runs of whitespace and runs of anything else.
/// Each side's edits against the common base become hunks (a base range and
/// its replacement). Hunks from different sides that overlap conflict unless
/// they are the same edit; hunks that only touch merge cleanly. Two
/// insertions at one point conflict unless equal, since no order between
/// them would be right.
public enum WordMerge {
    /// The merged text, or nil when edits overlap.
    ///
    /// - Complexity: O((n + d²)·k) for k sides of about n tokens with d edits.
    public static func merge(base: String, sides: [String]) -> String? {
        let baseTokens = tokens(base)
        var hunks: [(side: Int, hunk: Hunk)] = []
        for (side, text) in sides.enumerated() {
            for hunk in Self.hunks(from: baseTokens, to: tokens(text)) { hunks.append((side, hunk)) }
        }
        hunks.sort { ($0.hunk.lower, $0.hunk.upper, $0.side) < ($1.hunk.lower, $1.hunk.upper, $1.side) }

        var accepted: [Hunk] = []
        for (_, hunk) in hunks {
            if let clash = accepted.last(where: { $0.conflicts(with: hunk) }) {
                guard clash == hunk else { return nil }
                continue
            }
            accepted.append(hunk)
        }

        var output = ""
        var position = 0
        for hunk in accepted {
            output += baseTokens[position..<hunk.lower].joined()
            output += hunk.replacement.joined()
            position = hunk.upper
        }
        output += baseTokens[position...].joined()
        return output
    }

    /// Runs of whitespace and runs of other characters, in order.
    public static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var currentIsSpace = false
        for character in text {
            let isSpace = character.isWhitespace
            if !current.isEmpty && isSpace != currentIsSpace {
                tokens.append(current)
                current = ""
            }
            current.append(character)
            currentIsSpace = isSpace
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    /// Base tokens `lower..<upper` replaced by `replacement`.
    public struct Hunk: Equatable, Sendable {
        public var lower: Int
        public var upper: Int
        public var replacement: [String]

        /// Whether applying both hunks has no single right answer.
        func conflicts(with other: Hunk) -> Bool {
            if self == other { return true }
            if max(lower, other.lower) < min(upper, other.upper) { return true }
            let isInsertion = lower == upper, otherIsInsertion = other.lower == other.upper
            if isInsertion && otherIsInsertion { return lower == other.lower }
            if isInsertion { return other.lower < lower && lower < other.upper }
            if otherIsInsertion { return lower < other.lower && other.lower < upper }
            return false
        }
    }

    /// The edits that turn `base` into `side`, as hunks in base order.
    public static func hunks(from base: [String], to side: [String]) -> [Hunk] {
        let difference = side.difference(from: base)
        var removed = Set<Int>()
        var inserted = Set<Int>()
        for change in difference {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        var hunks: [Hunk] = []
        var b = 0, s = 0
        while b < base.count || s < side.count {
            if b < base.count, s < side.count, !removed.contains(b), !inserted.contains(s) {
                b += 1
                s += 1
                continue
            }
            let lower = b, start = s
            while b < base.count, removed.contains(b) { b += 1 }
            while s < side.count, inserted.contains(s) { s += 1 }
            hunks.append(Hunk(lower: lower, upper: b, replacement: Array(side[start..<s])))
        }
        return hunks
    }
}
