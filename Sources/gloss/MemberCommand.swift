import ArgumentParser
import GlossCore
import GlossStore

struct MemberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member", abstract: "Admit devices to the workspace and list its members.",
        subcommands: [Add.self, ListMembers.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Admit a device under a name (a signed change, synced like any other).")

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

    struct ListMembers: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the members, from the signed log.")

        @OptionGroup var workspace: WorkspaceOptions
        @OptionGroup var output: OutputOptions

        struct MemberJSON: Encodable {
            var device: String
            var name: String
        }

        func run() throws {
            let store = try workspace.open()
            let members = try store.members().sorted { ($0.value, $0.key) < ($1.value, $1.key) }
            if output.json { return try Format.printJSON(members.map { MemberJSON(device: $0.key.rawValue, name: $0.value) }) }
            for (device, name) in members {
                print("\(device)  \(name)\(device == store.device ? " (this device)" : "")")
            }
        }
    }
}
