import GRDB
import GlossCore

extension Store {
    /// The statement or annotation whose id starts with `prefix`, as git
    /// accepts any unambiguous prefix of a commit id.
    ///
    /// - Throws: ``StoreError`` when no id or more than one id starts so.
    public func resolve(_ prefix: String, as kind: EntityKind) throws(StoreError) -> EntityID {
        let prefix = prefix.lowercased()
        guard !prefix.isEmpty, prefix.utf8.count <= 26, prefix.utf8.allSatisfy({
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "2")...UInt8(ascii: "7")).contains($0)
        }) else {
            throw .invalidID(kind: kind, text: prefix)
        }
        let table = kind == .statement ? "statement" : "annotation"
        let matches = try read { db in
            try String.fetchAll(db, sql: "SELECT id FROM \(table) WHERE id >= ? AND id < ? ORDER BY id LIMIT 5",
                                arguments: [prefix, prefix + "~"])
        }
        switch matches.count {
        case 0: throw .notFound(kind: kind, prefix: prefix)
        case 1: return EntityID(rawValue: matches[0])!
        default: throw .ambiguous(kind: kind, prefix: prefix, candidates: matches.map { String($0.prefix(prefix.count + 4)) })
        }
    }

    /// The members of the workspace and their names, from the signed log.
    public func members() throws(StoreError) -> [DeviceID: String] {
        try read { db in
            var members: [DeviceID: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT device, name FROM member") {
                if let id = DeviceID(rawValue: row["device"]) { members[id] = row["name"] }
            }
            return members
        }
    }

    /// The workspace's name, from the log.
    public func workspaceName() throws(StoreError) -> String {
        try read { db in try String.fetchOne(db, sql: "SELECT name FROM workspace") ?? "" }
    }

    /// The device a person means by `text`: a member's name (any case) or
    /// the start of a device id.
    public func resolveAuthor(_ text: String) throws(StoreError) -> DeviceID {
        let members = try members()
        let byName = members.filter { $0.value.lowercased() == text.lowercased() }.map(\.key)
        if byName.count == 1 { return byName[0] }
        let typed = text.uppercased().filter { $0 != "-" }
        let byID = members.keys.filter { !typed.isEmpty && $0.rawValue.filter { $0 != "-" }.hasPrefix(typed) }
        if byID.count == 1 { return byID[0] }
        let names = members.values.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
        throw .invalidInput("expected a member's name (\(names)) or device id, found \"\(text)\"")
    }
}
