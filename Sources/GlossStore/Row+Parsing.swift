import GRDB

extension Row {
    /// The text in `column` made a `T` by `parse`: an id, a hash, a named
    /// value. The tables derived from the log hold only values that Gloss
    /// checked before writing them, so a text that `parse` refuses, or
    /// none, means the file was changed outside Gloss: an error that names
    /// the table, the column and the text, not a crash.
    func parsed<T>(_ column: String, of table: String, _ parse: (String) -> T?) throws(StoreError) -> T {
        try Self.parsed(self[column], in: column, of: table, parse)
    }

    /// ``parsed(_:of:_:)`` by the column's index, for rows read in bulk.
    func parsed<T>(_ index: Int, of table: String, _ parse: (String) -> T?) throws(StoreError) -> T {
        try Self.parsed(self[index], in: Array(columnNames)[index], of: table, parse)
    }

    /// `text` made a `T` by `parse`, or the error naming where it was read
    /// (`column` is named only then).
    private static func parsed<T>(_ text: String?, in column: @autoclosure () -> String, of table: String,
                                  _ parse: (String) -> T?) throws(StoreError) -> T {
        guard let text, let value = parse(text) else { throw malformed(table, column(), found: text.map { "\"\($0.prefix(80))\"" }) }
        return value
    }

    /// The error for a value in `column` of `table` that Gloss never writes
    /// (`found` describes it; nil for none).
    static func malformed(_ table: String, _ column: String, found: String?) -> StoreError {
        .database("the \(table) table holds \(found ?? "nothing") in its column \(column), which Gloss never writes: the workspace's file was changed outside Gloss")
    }
}
