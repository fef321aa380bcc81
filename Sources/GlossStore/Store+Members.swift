import GRDB
import GlossCore

extension Store {
    /// Admits `device` as a member under `name`: a change of the workspace
    /// entity, signed by this device, which must itself be a member.
    public func admit(_ device: DeviceID, name: String, now: Int) throws(StoreError) {
        try requireMembership()
        let name = name.trimmingCharacters(in: .whitespaces).nfc
        guard !name.isEmpty, name.unicodeScalars.count <= 200,
              !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidInput("expected a device name of 1 to 200 characters on one line, found \"\(name)\"")
        }
        let members = try members()
        if try removedDevices()[device] != nil {
            throw .invalidInput("expected a device never removed, found \(device.short), which was removed for good; it needs a new identity (gloss init)")
        }
        if let existing = members[device] {
            throw .invalidInput("expected a device that is not a member, found \(device.short) already a member as \"\(existing)\"")
        }
        if let taken = members.first(where: { $0.value.lowercased() == name.lowercased() }) {
            throw .invalidInput("expected a name no member has, found \"\(name)\" taken by \(taken.key.short)")
        }
        _ = try write { writer in
            try writer.append(kind: .workspace, entity: EntityID(rawValue: workspace.rawValue)!,
                              operations: [.admit(device, name: name)], now: now)
        }
    }
}

extension Store {
    /// Throws ``StoreError/notMember(_:)`` unless this device may write, so
    /// a command says so before anything else.
    func requireMembership() throws(StoreError) {
        try read { db in try Self.requireMembership(of: device, in: db) }
    }

    /// Throws ``StoreError/removed(_:)`` or ``StoreError/notMember(_:)``
    /// unless `device` is a member, as `db` holds the workspace.
    static func requireMembership(of device: DeviceID, in db: Database) throws {
        guard try !Bool(exists: "SELECT 1 FROM member WHERE device = ?", [device.rawValue], in: db) else { return }
        if try Bool(exists: "SELECT 1 FROM removed_device WHERE device = ?", [device.rawValue], in: db) {
            throw StoreError.removed(device)
        }
        throw StoreError.notMember(device)
    }

    /// Each removed device's last seq that takes effect, by device id.
    static func removalLimits(in db: Database) throws -> [String: Int] {
        Dictionary(uniqueKeysWithValues: try Row.fetchAll(db.cachedStatement(sql: "SELECT device, last_seq FROM removed_device")).map {
            ($0["device"] as String, $0["last_seq"] as Int)
        })
    }

    /// Devices removed from the workspace: their name and the last seq of
    /// theirs that stays valid.
    public func removedDevices() throws(StoreError) -> [DeviceID: (name: String, lastSeq: Int)] {
        try read { db in
            var removed: [DeviceID: (name: String, lastSeq: Int)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT device, name, last_seq FROM removed_device") {
                if let id = DeviceID(rawValue: row["device"]) { removed[id] = (row["name"], row["last_seq"]) }
            }
            return removed
        }
    }

    /// Removes a member for good: its changes up to the last one this store
    /// holds stay valid everywhere; any later ones never take effect. A
    /// removed device cannot be admitted again (it needs a new identity).
    ///
    /// - Returns: the last seq of the device that stays valid.
    public func remove(_ device: DeviceID, now: Int) throws(StoreError) -> Int {
        try requireMembership()
        guard try members()[device] != nil else {
            throw .invalidInput("expected a member's device, found \(device.short), which is not a member")
        }
        guard device != self.device else {
            throw .invalidInput("expected another member's device, found this device; a member removes a device, not itself")
        }
        return try write { writer in
            let lastSeq = try Int.fetchOne(writer.db, sql: "SELECT seq FROM author_head WHERE author = ?", arguments: [device.rawValue]) ?? 0
            try writer.append(kind: .workspace, entity: EntityID(rawValue: workspace.rawValue)!,
                              operations: [.revoke(device, lastSeq: lastSeq)], now: now)
            return lastSeq
        }
    }
}
