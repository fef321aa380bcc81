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
            conditions.append("entity = ?")
            arguments += [entity.rawValue]
        }
        if let author = filter.author {
            conditions.append("author = ?")
            arguments += [author.rawValue]
        }
        if let since = filter.since {
            conditions.append("hlc_ms >= ?")
            arguments += [since]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let limit = filter.limit.map { "LIMIT \($0)" } ?? ""
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT bytes, signature FROM change \(whereClause)
                ORDER BY hlc_ms DESC, hlc_counter DESC, author DESC, arrival DESC \(limit)
                """, arguments: arguments).map(LogReader.decode)
        }
    }
}

extension Store {
    /// How many changes the log holds.
    public func changeCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM change") ?? 0 }
    }
}
