import Foundation
import GRDB
import GlossCore
import GlossMerge

extension Store {
    /// The conflicts of one entity, by field.
    static func conflicts(of entity: String, in db: Database) throws -> [Conflict] {
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM conflict WHERE entity = ? ORDER BY field, rank"), arguments: [entity])
        return try conflicts(from: rows)
    }

    /// Groups conflict rows (ordered by entity, field, rank) into conflicts.
    static func conflicts(from rows: [Row]) throws(StoreError) -> [Conflict] {
        var conflicts: [Conflict] = []
        for row in rows {
            let field: String = row["field"]
            let bytes: Data? = row["change"]
            guard let change = bytes.flatMap({ ChangeID(bytes: $0) }) else {
                throw Row.malformed("conflict", "change", found: bytes.map { $0.count == 1 ? "1 byte" : "\($0.count) bytes" })
            }
            let value = LiveValue(
                change: change, author: try row.parsed("author", of: "conflict", DeviceID.init(rawValue:)),
                clock: HLCTimestamp(milliseconds: row["hlc_ms"], counter: row["hlc_counter"]),
                value: (try? CanonicalJSON(parsing: Array((row["value"] as String).utf8))) ?? .string(""))
            if conflicts.last?.field == field && (row["rank"] as Int) > 0 {
                conflicts[conflicts.count - 1].values.append(value)
            } else {
                conflicts.append(Conflict(field: field, values: [value]))
            }
        }
        return conflicts
    }
}
