import ArgumentParser
import GlossStore

struct Id: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "id", abstract: "Print this device's id and name.")

    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var output: OutputOptions

    struct View: Encodable {
        var device: String
        var name: String?
        var workspace: String
    }

    func run() throws {
        let store = try workspace.open()
        let name = try store.members()[store.device]
        if output.json {
            try Format.printJSON(View(device: store.device.rawValue, name: name, workspace: store.workspace.rawValue))
        } else {
            print("\(store.device)  \(name ?? "(not a member)")")
        }
    }
}
