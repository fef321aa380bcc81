import GlossCore

/// The workspace entity: its name and who belongs, from the signed log.
public struct WorkspaceState: Equatable, Sendable {
    public var name: String
    /// Member devices and their human names.
    public var members: [DeviceID: String]

    /// Derives the workspace from its changes, the genesis change first.
    public init(deriving changes: some Sequence<SignedChange>) {
        var name = ""
        var members: [DeviceID: String] = [:]
        for signed in ChangeGraph(changes).ordered {
            for operation in signed.change.operations {
                switch operation {
                case .set("name", .string(let value)): name = value
                case .admit(let device, let deviceName): members[device] = deviceName
                default: break
                }
            }
        }
        self.name = name
        self.members = members
    }
}
