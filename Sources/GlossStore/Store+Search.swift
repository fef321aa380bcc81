import GRDB
import GlossCore

/// One full-text match: the entity and a snippet with the match in [brackets].
public struct SearchHit: Equatable, Sendable {
    public var kind: EntityKind
    public var entity: EntityID
    public var snippet: String
}

extension Store {
    /// Statements and live annotations whose text, note, quote or tags hold
    /// every word of `query` (accents and case ignored), best match first.
    ///
    /// Each word is searched as a literal phrase, so no query syntax can make
    /// the search fail.
    public func search(_ query: String) throws(StoreError) -> [SearchHit] {
        let words = query.nfc.split(whereSeparator: { $0.isWhitespace })
        guard !words.isEmpty else { throw .invalidInput("expected words to search for, found an empty query") }
        let match = words.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " ")
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT kind, entity, snippet(search, 2, '[', ']', '…', 12) AS snippet
                FROM search WHERE search MATCH ? ORDER BY rank, entity LIMIT 100
                """, arguments: [match]).map { row in
                    SearchHit(kind: try row.parsed("kind", of: "search", EntityKind.init(rawValue:)),
                              entity: try row.parsed("entity", of: "search", EntityID.init(rawValue:)),
                              snippet: (row["snippet"] as String).replacingOccurrences(of: "\n", with: " "))
                }
        }
    }
}
