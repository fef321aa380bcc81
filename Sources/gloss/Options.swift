import ArgumentParser
import Foundation
import GlossCore
import GlossStore

/// Options every command that uses a workspace takes.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The folder holding the workspace (default: $GLOSS_WORKSPACE, else the current folder or its nearest parent with a .gloss folder).", valueName: "path"))
    var workspace: String?

    /// The workspace folder to use: --workspace, then $GLOSS_WORKSPACE, then
    /// the nearest folder upwards that holds `.gloss`.
    func folder() throws(StoreError) -> WorkspaceFolder {
        if let path = workspace ?? ProcessInfo.processInfo.environment["GLOSS_WORKSPACE"], !path.isEmpty {
            return WorkspaceFolder(root: URL(fileURLWithPath: path))
        }
        return try WorkspaceFolder.find(from: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    }

    /// Opens the workspace with one connection, as a command that exits
    /// needs; `gloss serve`, whose sessions read beside each other's
    /// writes, asks for ``Store/Access/concurrent``.
    func open(access: Store.Access = .single) throws(StoreError) -> Store {
        try Store.open(folder(), access: access)
    }
}

/// `--json`: print one JSON document instead of the table.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document.")
    var json = false
}

extension Status: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension AnchorState: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension Motivation: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

/// Wall time now, in milliseconds since 1970: the only clock the CLI reads.
func now() -> Int {
    Int((Date().timeIntervalSince1970 * 1000).rounded(.down))
}

/// The text of a note given inline or in a file.
func noteText(_ note: String?, file: String?) throws -> String? {
    switch (note, file) {
    case (nil, nil): return nil
    case (let note?, nil): return note
    case (nil, let path?): return try readText(path, what: "note file")
    case (_?, _?): throw Failure(message: "expected --note or --note-file, found both")
    }
}

/// The bytes of a file, or of stdin for "-".
func readBytes(_ path: String, what: String) throws -> [UInt8] {
    if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
    let article = what.first.map { "aeiou".contains($0) } == true ? "an" : "a"
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
        throw Failure(message: "expected \(article) \(what), found no file at \"\(path)\"")
    }
    guard !isFolder.boolValue, let data = FileManager.default.contents(atPath: path) else {
        throw Failure(message: "expected a readable \(what), found \(isFolder.boolValue ? "a folder" : "an unreadable file") at \"\(path)\"")
    }
    return Array(data)
}

/// Writes `data` to `path` atomically and durably: once it returns, the
/// file is whole, and before then it is unchanged, through a power cut too.
func writeFile(_ path: String, _ data: Data, what: String) throws {
    do {
        try DurableFile.write(Array(data), to: path)
    } catch {
        throw Failure(message: "cannot write the \(what) \"\(path)\": \(error)")
    }
}

func readText(_ path: String, what: String) throws -> String {
    guard let text = String(validating: try readBytes(path, what: what), as: UTF8.self) else {
        throw Failure(message: "expected UTF-8 text in \(what) \"\(path)\", found invalid bytes")
    }
    return text
}
