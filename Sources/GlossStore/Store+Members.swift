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
        if let existing = members[device] {
            throw .invalidInput("expected a device that is not a member, found \(device.short) already a member as \"\(existing)\"")
        }
        if let taken = members.first(where: { $0.value.lowercased() == name.lowercased() }) {
            throw .invalidInput("expected a name no member has, found \"\(name)\" taken by \(taken.key.short)")
        }
        try write { writer in
            try writer.append(kind: .workspace, entity: EntityID(rawValue: workspace.rawValue)!,
                              operations: [.admit(device, name: name)], now: now)
        }
    }
}

extension Store {
    /// Throws ``StoreError/notMember(_:)`` unless this device may write, so
    /// a command says so before anything else.
    func requireMembership() throws(StoreError) {
        guard try members()[device] != nil else { throw .notMember(device) }
    }
}
