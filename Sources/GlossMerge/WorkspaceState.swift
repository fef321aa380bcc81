import GlossCore

/// The workspace entity: its name and who belongs, from the signed log.
///
/// Admissions and removals are changes like any other, so every replica
/// that holds the same changes agrees on the members. A removal is final:
/// it wins over any admission of the same device, concurrent or later.
public struct WorkspaceState: Equatable, Sendable {
    public var name: String
    /// Current members and their human names.
    public var members: [DeviceID: String]
    /// Removed devices, each with the last seq of theirs that stays valid
    /// (the highest any removal of it recorded).
    public var removed: [DeviceID: Int]
    /// Names of removed devices, as they were admitted.
    public var removedNames: [DeviceID: String]

    /// Derives the workspace from its changes, the genesis change first.
    public init(deriving changes: some Sequence<SignedChange>) {
        var name = ""
        var admitted: [DeviceID: String] = [:]
        var removed: [DeviceID: Int] = [:]
        let graph = ChangeGraph(changes)
        let derivation = Derivation(graph)
        name = derivation.register("name").value.map(Derivation.text) ?? ""
        for signed in graph.ordered {
            for operation in signed.change.operations {
                switch operation {
                case .admit(let device, let deviceName): admitted[device] = admitted[device] ?? deviceName
                case .revoke(let device, let lastSeq): removed[device] = max(removed[device] ?? 0, lastSeq)
                default: break
                }
            }
        }
        self.name = name
        self.removed = removed
        members = admitted.filter { removed[$0.key] == nil }
        removedNames = admitted.filter { removed[$0.key] != nil }
    }

    /// Whether a change by `author` with `seq` takes effect: its author is a
    /// member, or was one and wrote it before its removal took hold.
    public func isEffective(author: DeviceID, seq: Int) -> Bool {
        if let limit = removed[author] { return seq <= limit }
        return members[author] != nil
    }
}
