/// Why a span could not be anchored in a statement's text.
public enum AnchorError: Error, Equatable, Sendable, CustomStringConvertible {
    case emptyQuote
    case quoteNotFound(quote: String, statement: EntityID)
    case ambiguousQuote(quote: String, statement: EntityID, occurrences: [Range<Int>])
    case noSuchOccurrence(quote: String, occurrence: Int, count: Int)
    case invalidSpan(start: Int, end: Int, length: Int)

    public var description: String {
        switch self {
        case .emptyQuote:
            "expected a non-empty quote"
        case .quoteNotFound(let quote, let statement):
            "quote \"\(quote)\" does not occur in statement \(statement.short)"
        case .ambiguousQuote(let quote, let statement, let occurrences):
            "quote \"\(quote)\" occurs \(occurrences.count) times in statement \(statement.short) (at "
                + occurrences.enumerated().map { "\($0.offset + 1): \($0.element.lowerBound)-\($0.element.upperBound)" }
                    .joined(separator: ", ")
                + "); pass --occurrence 1 to \(occurrences.count)"
        case .noSuchOccurrence(let quote, let occurrence, let count):
            "expected --occurrence between 1 and \(count) for quote \"\(quote)\", found \(occurrence)"
        case .invalidSpan(let start, let end, let length):
            "expected 0 <= start < end <= \(length) (the text's length in code points), found start \(start), end \(end)"
        }
    }
}

/// A statement revision's text, indexed by Unicode scalar (code point).
public struct StatementText: Sendable {
    public let statement: EntityID
    public let revision: RevisionHash
    public let scalars: [Unicode.Scalar]

    /// `text` must be NFC (statements are normalised when imported).
    public init(statement: EntityID, text: String) {
        self.statement = statement
        revision = RevisionHash(text: text)
        scalars = Array(text.unicodeScalars)
    }

    /// The target spanning code points `start..<end`.
    public func target(start: Int, end: Int) throws(AnchorError) -> Target {
        guard 0 <= start, start < end, end <= scalars.count else {
            throw .invalidSpan(start: start, end: end, length: scalars.count)
        }
        return Target(statement: statement, revision: revision, exact: slice(start..<end),
                      prefix: slice(max(0, start - Target.contextLength)..<start),
                      suffix: slice(end..<min(scalars.count, end + Target.contextLength)),
                      start: start, end: end)
    }

    /// The target at an exact occurrence of `quote` (NFC-normalised first).
    /// When the quote occurs more than once, `occurrence` (from 1) picks one.
    ///
    /// - Complexity: O(n·m) in the lengths of text and quote, at worst.
    public func target(quote: String, occurrence: Int? = nil) throws(AnchorError) -> Target {
        let needle = Array(quote.nfc.unicodeScalars)
        guard !needle.isEmpty else { throw .emptyQuote }
        let found = occurrences(of: needle)
        switch (found.count, occurrence) {
        case (0, _):
            throw .quoteNotFound(quote: quote, statement: statement)
        case (1, nil):
            return try target(start: found[0].lowerBound, end: found[0].upperBound)
        case (_, nil):
            throw .ambiguousQuote(quote: quote, statement: statement, occurrences: found)
        case (let count, let n?):
            guard (1...count).contains(n) else {
                throw .noSuchOccurrence(quote: quote, occurrence: n, count: count)
            }
            return try target(start: found[n - 1].lowerBound, end: found[n - 1].upperBound)
        }
    }

    /// Every span where `needle` occurs, overlapping ones included, in order.
    public func occurrences(of needle: [Unicode.Scalar]) -> [Range<Int>] {
        guard needle.count <= scalars.count else { return [] }
        var found: [Range<Int>] = []
        for start in 0...(scalars.count - needle.count) where scalars[start] == needle[0] {
            if scalars[start..<start + needle.count].elementsEqual(needle) {
                found.append(start..<start + needle.count)
            }
        }
        return found
    }

    private func slice(_ range: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[range])
        return String(view)
    }
}
