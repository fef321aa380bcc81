import ArgumentParser
import Foundation
import GlossStore

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Make a new workspace and this device's identity here.")

    @Option(help: ArgumentHelp("This device's name, shown as the author of its changes (default: $USER@host).", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("The folder to make the workspace in (default: the current folder).", valueName: "path"))
    var workspace: String?

    @Option(help: ArgumentHelp("Make a replica of the workspace in this bundle instead of a new workspace.", valueName: "file"))
    var from: String?

    func run() throws {
        let root = URL(fileURLWithPath: workspace ?? ProcessInfo.processInfo.environment["GLOSS_WORKSPACE"] ?? FileManager.default.currentDirectoryPath)
        let folder = WorkspaceFolder(root: root)
        let deviceName = name ?? "\(ProcessInfo.processInfo.environment["USER"] ?? "gloss")@\(ProcessInfo.processInfo.hostName)"
        if let from {
            let bundle = try readBundle(from)
            let (store, report) = try Store.clone(folder, from: ChangeBatch(changes: bundle.changes, texts: bundle.texts),
                                                  deferringDerivation: true, now: now())
            try store.deriveStale()
            print("made a replica of workspace \(store.workspace) in \(folder.root.path)/.gloss (\(report.received) changes)")
            print("this device is \(store.device); it is not a member yet, so a member must run:")
            print("  gloss member add \(name.map { $0.contains(" ") ? "\"\($0)\"" : $0 } ?? "NAME") \(store.device)")
            return
        }
        let store = try Store.create(folder, name: root.lastPathComponent, deviceName: deviceName, now: now())
        print("initialised workspace \(store.workspace) in \(folder.root.path)/.gloss")
        print("this device is \(store.device) (\(deviceName))")
    }
}
