import ArgumentParser
import GlossCore
import GlossStore

struct MemberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member", abstract: "Admit devices to the workspace and list its members.",
        subcommands: [Add.self, Remove.self, ListMembers.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Admit a device under a name (a signed change, synced like any other).")

        @Argument(help: "The device's name, shown as the author of its changes.") var name: String
        @Argument(help: ArgumentHelp("The device id that device's `gloss id` prints.", valueName: "device-id")) var device: String
        @OptionGroup var workspace: WorkspaceOptions

        func run() throws {
            guard let id = DeviceID(parsing: device) else {
                throw Failure(message: "expected a device id like \(DeviceKey().id) (with correct check characters), found \"\(device)\"")
            }
            let store = try workspace.open()
            try store.admit(id, name: name, now: now())
            print("admitted \(name) (\(id.short))")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a member for good: its changes so far stay valid, later ones never take effect.")

        @Argument(help: ArgumentHelp("The member's name or device id.", valueName: "name-or-device-id")) var member: String
        @OptionGroup var workspace: WorkspaceOptions

        func run() throws {
            let store = try workspace.open()
            let device = try store.resolveAuthor(member)
            let name = try store.members()[device] ?? device.short
            let lastSeq = try store.remove(device, now: now())
            if lastSeq == 0 {
                print("removed \(name) (\(device.short)); none of their changes had reached this replica, so none will take effect")
            } else {
                print("removed \(name) (\(device.short)); their changes up to seq \(lastSeq) stay valid, later ones will take no effect")
            }
        }
    }

    struct ListMembers: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the members, from the signed log.")

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        struct MemberJSON: Encodable {
            var device: String
            var name: String
            /// For a removed device: the last seq of its that stays valid.
            var removedAfterSeq: Int?
        }

        func run() throws {
            let store = try workspace.open()
            let members = try store.members().sorted { ($0.value, $0.key) < ($1.value, $1.key) }
            let removed = try store.removedDevices().sorted { ($0.value.name, $0.key) < ($1.value.name, $1.key) }
            if output.json {
                return try Format.printJSON(members.map { MemberJSON(device: $0.key.rawValue, name: $0.value) }
                    + removed.map { MemberJSON(device: $0.key.rawValue, name: $0.value.name, removedAfterSeq: $0.value.lastSeq) })
            }
            for (device, name) in members {
                print("\(device)  \(name)\(device == store.device ? " (this device)" : "")")
            }
            for (device, entry) in removed {
                print("\(device)  \(entry.name) (removed; valid up to seq \(entry.lastSeq))")
            }
        }
    }
}
