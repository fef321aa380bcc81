/// Where an annotation landed when its statement was revised.
public enum AnchorState: String, Sendable, CaseIterable, Codable {
    /// The same quote at the same offsets.
    case exact
    /// The same quote (up to whitespace and quote marks) elsewhere, or with
    /// its spacing changed.
    case moved
    /// A close match of the quote with its context; see ``Reanchoring``.
    case fuzzy
    /// Nothing close enough: the annotation keeps its old target.
    case orphaned
}

/// An annotation's anchor: how it was placed on its statement's current
/// revision. Written in changes as `{"state":STATE,"score":N}`, N in
/// thousandths.
public struct Anchor: Hashable, Sendable {
    public var state: AnchorState
    public var score: Int

    public static let original = Anchor(state: .exact, score: 1000)

    public init(state: AnchorState, score: Int) {
        self.state = state
        self.score = score
    }

    public var json: CanonicalJSON {
        .object([.init("state", .string(state.rawValue)), .init("score", .integer(score))])
    }

    public init(json: CanonicalJSON) throws(ChangeFormatError) {
        guard case .object(let members) = json, members.map(\.key) == ["state", "score"],
              case .string(let state) = members[0].value, let anchorState = AnchorState(rawValue: state),
              case .integer(let score) = members[1].value, (0...1000).contains(score) else {
            throw ChangeFormatError("an anchor {\"state\":exact|moved|fuzzy|orphaned,\"score\":0-1000}")
        }
        self.init(state: anchorState, score: score)
    }
}

/// The outcome of re-anchoring one target on a new revision.
public struct Reanchored: Equatable, Sendable {
    public var state: AnchorState
    /// The target on the new revision; nil when orphaned.
    public var target: Target?
    /// How alike the new span is to the old quote, in thousandths (1000 for
    /// exact and moved).
    public var score: Int

    public init(state: AnchorState, target: Target?, score: Int) {
        self.state = state
        self.target = target
        self.score = score
    }
}

/// Moves annotations from one revision of a statement to the next.
///
/// In order: the quote at the same offsets (**exact**); the quote elsewhere,
/// comparing texts with whitespace runs collapsed and curly quote marks
/// read as straight ones, choosing among occurrences by how much of the old
/// prefix and suffix surround each and then by closeness to the old offset
/// (**moved**); else the span of the new text closest to the quote by edit
/// distance, kept only if its likeness is at least ``minimumQuoteScore`` and
/// the text around it is at least ``minimumContextScore`` like the old
/// context (**fuzzy**); else **orphaned**. The context test keeps a quote like
/// "article 443" from jumping to "article 444" in another sentence.
public enum Reanchoring {
    /// The least likeness (1 - edit distance / length) of a fuzzy quote.
    public static let minimumQuoteScore = 0.8
    /// The least likeness of the text around a fuzzy quote to its old context.
    public static let minimumContextScore = 0.5
    /// Longer quotes are not searched approximately (the cost is quadratic).
    public static let maximumFuzzyQuoteLength = 2_000
}

extension StatementText {
    /// Re-anchors `target`, made on an earlier revision, on this text.
    ///
    /// - Complexity: O(n) to find exact and moved quotes; O(n·m) for a
    ///   fuzzy search of a quote of m code points in a text of n.
    public func reanchor(_ target: Target) -> Reanchored {
        let quote = Array(target.exact.unicodeScalars)
        if target.end <= scalars.count, scalars[target.start..<target.end].elementsEqual(quote) {
            return Reanchored(state: .exact, target: try? self.target(start: target.start, end: target.end), score: 1000)
        }
        let normalized = NormalizedText(scalars)
        let needle = NormalizedText(quote).scalars
        let candidates = normalized.occurrences(of: needle)
        if !candidates.isEmpty {
            let best = candidates.max { a, b in
                let (sa, sb) = (contextScore(a, target), contextScore(b, target))
                if sa != sb { return sa < sb }
                return abs(a.lowerBound - target.start) > abs(b.lowerBound - target.start)
            }!
            return Reanchored(state: .moved, target: try? self.target(start: best.lowerBound, end: best.upperBound), score: 1000)
        }
        guard quote.count <= Reanchoring.maximumFuzzyQuoteLength, let (span, distance) = closestSpan(to: quote) else {
            return Reanchored(state: .orphaned, target: nil, score: 0)
        }
        let quoteScore = 1 - Double(distance) / Double(max(quote.count, span.count))
        guard quoteScore >= Reanchoring.minimumQuoteScore, contextScore(span, target) >= Reanchoring.minimumContextScore else {
            return Reanchored(state: .orphaned, target: nil, score: Int((quoteScore * 1000).rounded()))
        }
        return Reanchored(state: .fuzzy, target: try? self.target(start: span.lowerBound, end: span.upperBound),
                          score: Int((quoteScore * 1000).rounded()))
    }

    /// How alike the text around `span` is to `target`'s prefix and suffix
    /// (0 to 1; 1 when the target had no context).
    func contextScore(_ span: Range<Int>, _ target: Target) -> Double {
        var scores: [Double] = []
        let prefix = Array(target.prefix.unicodeScalars), suffix = Array(target.suffix.unicodeScalars)
        if !prefix.isEmpty {
            let before = Array(scalars[max(0, span.lowerBound - prefix.count)..<span.lowerBound])
            scores.append(Self.likeness(before, prefix))
        }
        if !suffix.isEmpty {
            let after = Array(scalars[span.upperBound..<min(scalars.count, span.upperBound + suffix.count)])
            scores.append(Self.likeness(after, suffix))
        }
        return scores.isEmpty ? 1 : scores.reduce(0, +) / Double(scores.count)
    }

    /// 1 - edit distance / the longer length.
    static func likeness(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Double {
        guard !a.isEmpty || !b.isEmpty else { return 1 }
        return 1 - Double(editDistance(a, b)) / Double(max(a.count, b.count))
    }

    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...max(1, a.count) where !a.isEmpty {
            current[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return a.isEmpty ? b.count : previous[b.count]
    }

    /// The span of this text with the least edit distance to `quote`
    /// (Sellers' algorithm: a free start anywhere in the text), ties going to
    /// the earliest end.
    func closestSpan(to quote: [Unicode.Scalar]) -> (Range<Int>, Int)? {
        guard !quote.isEmpty, !scalars.isEmpty else { return nil }
        let m = quote.count
        // column[i]: distance of quote[0..<i] to the best text span ending here;
        // start[i]: where that span starts.
        var column = Array(0...m), start = [Int](repeating: 0, count: m + 1)
        var best: (end: Int, distance: Int, start: Int)?
        for (j, character) in scalars.enumerated() {
            var diagonal = column[0], diagonalStart = start[0]
            column[0] = 0
            start[0] = j + 1
            for i in 1...m {
                let up = column[i], upStart = start[i]
                let substitute = diagonal + (quote[i - 1] == character ? 0 : 1)
                let delete = column[i - 1] + 1
                let insert = up + 1
                if substitute <= delete && substitute <= insert {
                    column[i] = substitute
                    start[i] = diagonalStart
                } else if delete <= insert {
                    column[i] = delete
                    start[i] = start[i - 1]
                } else {
                    column[i] = insert
                    start[i] = upStart
                }
                diagonal = up
                diagonalStart = upStart
            }
            if best == nil || column[m] < best!.distance {
                best = (j + 1, column[m], start[m])
            }
        }
        guard let best, best.start < best.end else { return nil }
        return (best.start..<best.end, best.distance)
    }
}

/// A text with whitespace runs collapsed to one space, curly quote marks and
/// guillemets read as straight ones (with the spaces French typography puts
/// inside guillemets dropped), remembering where each scalar came from.
struct NormalizedText {
    var scalars: [Unicode.Scalar] = []
    /// For each normalized scalar, its offset in the original.
    var origin: [Int] = []
    let originalCount: Int

    init(_ original: [Unicode.Scalar]) {
        originalCount = original.count
        var afterOpeningGuillemet = false
        for (offset, scalar) in original.enumerated() {
            let mapped: Unicode.Scalar = switch scalar {
            case "\u{2018}", "\u{2019}", "\u{201A}", "\u{2032}": "'"
            case "\u{201C}", "\u{201D}", "\u{201E}", "\u{00AB}", "\u{00BB}", "\u{2033}": "\""
            case _ where scalar.properties.isWhitespace: " "
            default: scalar
            }
            if mapped == " ", scalars.last == " " || afterOpeningGuillemet { continue }
            if scalar == "\u{00BB}", scalars.last == " " {
                scalars.removeLast()
                origin.removeLast()
            }
            afterOpeningGuillemet = scalar == "\u{00AB}"
            scalars.append(mapped)
            origin.append(offset)
        }
    }

    /// The original spans where `needle` (normalized) occurs.
    func occurrences(of needle: [Unicode.Scalar]) -> [Range<Int>] {
        guard !needle.isEmpty, needle.count <= scalars.count else { return [] }
        var found: [Range<Int>] = []
        for start in 0...(scalars.count - needle.count) where scalars[start] == needle[0] {
            guard scalars[start..<start + needle.count].elementsEqual(needle) else { continue }
            let end = start + needle.count
            found.append(origin[start]..<(end < origin.count ? endOfRun(before: end) : originalCount))
        }
        return found
    }

    /// The original offset just past the normalized scalar at `index - 1`:
    /// the start of the next kept scalar, less any whitespace folded into
    /// the previous one.
    private func endOfRun(before index: Int) -> Int {
        scalars[index - 1] == " " ? origin[index] : origin[index - 1] + 1
    }
}
