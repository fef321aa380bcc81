import GRDB

extension Store {
    /// This replica's named peers: name and `HOST:PORT`. Local, never synced.
    public func remotes() throws(StoreError) -> [(name: String, address: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT name, address FROM remote ORDER BY name").map { ($0["name"], $0["address"]) }
        }
    }

    /// Names a peer's address.
    ///
    /// - Throws: ``StoreError/invalidInput(_:)`` for a name taken or a bad name.
    public func addRemote(_ name: String, address: String) throws(StoreError) {
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw .invalidInput("expected a remote name of letters, digits, - _ or . (at most 64), found \"\(name)\"")
        }
        if let existing = try remotes().first(where: { $0.name == name }) {
            throw .invalidInput("expected a new remote name, found \"\(name)\" already for \(existing.address)")
        }
        try writeUnlogged { db in
            try db.execute(sql: "INSERT INTO remote (name, address) VALUES (?, ?)", arguments: [name, address])
        }
    }

    public func removeRemote(_ name: String) throws(StoreError) {
        let names = try remotes().map(\.name)
        guard names.contains(name) else {
            throw .invalidInput("expected a remote (\(names.isEmpty ? "there are none" : names.joined(separator: ", "))), found \"\(name)\"")
        }
        try writeUnlogged { db in try db.execute(sql: "DELETE FROM remote WHERE name = ?", arguments: [name]) }
    }
}
