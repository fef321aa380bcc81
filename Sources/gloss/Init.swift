import ArgumentParser
import Foundation
import GlossStore

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a new workspace and this device's identity here.")

    @Option(help: ArgumentHelp("This device's name, shown as the author of its changes (default: $USER@host).", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("The folder to make the workspace in (default: the current folder).", valueName: "path"))
    var workspace: String?

    func run() throws {
        let root = URL(fileURLWithPath: workspace ?? ProcessInfo.processInfo.environment["GLOSS_WORKSPACE"] ?? FileManager.default.currentDirectoryPath)
        let folder = WorkspaceFolder(root: root)
        let deviceName = name ?? "\(ProcessInfo.processInfo.environment["USER"] ?? "gloss")@\(ProcessInfo.processInfo.hostName)"
        let store = try Store.create(folder, name: root.lastPathComponent, deviceName: deviceName, now: now())
        print("initialised workspace \(store.workspace) in \(folder.root.path)/.gloss")
        print("this device is \(store.device) (\(deviceName))")
    }
}
