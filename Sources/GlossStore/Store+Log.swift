import Foundation
import GRDB
import GlossCore

/// Which changes a log listing shows.
public struct LogFilter: Sendable {
    public var entity: EntityID?
    public var author: DeviceID?
    /// Only changes whose clock reads at or after this (ms since 1970).
    public var since: Int?
    public var limit: Int?

    public init(entity: EntityID? = nil, author: DeviceID? = nil, since: Int? = nil, limit: Int? = nil) {
        self.entity = entity
        self.author = author
        self.since = since
        self.limit = limit
    }
}

extension Store {
    /// The changes `filter` selects, newest first by clock.
    public func log(_ filter: LogFilter = LogFilter()) throws(StoreError) -> [SignedChange] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let entity = filter.entity {
            conditions.append("c.entity = (SELECT number FROM entity WHERE id = ?)")
            arguments += [entity.rawValue]
        }
        if let author = filter.author {
            conditions.append("c.author = (SELECT number FROM device WHERE id = ?)")
            arguments += [author.rawValue]
        }
        if let since = filter.since {
            conditions.append("c.hlc_ms >= ?")
            arguments += [since]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try read { db in
            var reader = LogReader(db, workspace: workspace)
            return try reader.changes("""
                \(whereClause)
                ORDER BY c.hlc_ms DESC, c.hlc_counter DESC, (SELECT id FROM device WHERE number = c.author) DESC, c.arrival DESC LIMIT ?
                """, arguments + [filter.limit ?? -1])
        }
    }
}

extension Store {
    /// How many changes the log holds.
    public func changeCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM change") ?? 0 }
    }
}
