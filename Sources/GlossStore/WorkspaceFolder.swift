import Foundation
import GlossCore

/// Where a workspace lives on disk: a folder holding `.gloss/`, which holds
/// the database and this device's private key.
public struct WorkspaceFolder: Sendable {
    public static let hiddenName = ".gloss"

    /// The folder that holds `.gloss/`.
    public let root: URL

    public init(root: URL) { self.root = root.standardizedFileURL }

    var gloss: URL { root.appendingPathComponent(Self.hiddenName) }
    var database: URL { gloss.appendingPathComponent("gloss.sqlite") }
    var keyFile: URL { gloss.appendingPathComponent("device.key") }

    public var exists: Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: gloss.path, isDirectory: &isFolder) && isFolder.boolValue
    }

    /// The workspace in `start` or its nearest parent, as git finds a repository.
    ///
    /// - Throws: ``StoreError/noWorkspace(searchedFrom:)`` when there is none.
    public static func find(from start: URL) throws(StoreError) -> WorkspaceFolder {
        var folder = start.standardizedFileURL
        while true {
            let candidate = WorkspaceFolder(root: folder)
            if candidate.exists { return candidate }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { throw .noWorkspace(searchedFrom: start.path) }
            folder = parent
        }
    }

    /// Whether this user may write the database and the files beside it.
    var isWritable: Bool {
        FileManager.default.isWritableFile(atPath: gloss.path) && FileManager.default.isWritableFile(atPath: database.path)
    }

    /// Whether the database is there (a `.gloss` with only a key is a clone
    /// that has not finished).
    public var hasDatabase: Bool { FileManager.default.fileExists(atPath: database.path) }

    /// The device key for a clone into this folder: the one a clone that did
    /// not finish left here (so the device id a member admitted stays the
    /// same), or a new one, written now.
    ///
    /// - Throws: ``StoreError/workspaceExists(_:)`` when a workspace is here.
    public func keyForClone() throws(StoreError) -> DeviceKey {
        guard !hasDatabase else { throw .workspaceExists(root.path) }
        if FileManager.default.fileExists(atPath: keyFile.path) { return try readKey() }
        do {
            try FileManager.default.createDirectory(at: gloss, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .unreadableWorkspace(root.path, reason: "cannot create \(gloss.path): \(error.localizedDescription)")
        }
        let key = DeviceKey()
        try writeKey(key)
        return key
    }

    /// Writes a new key file readable by its owner only (mode 0600), failing
    /// if one exists. The file holds the 32-byte seed in hex. It is synced,
    /// and so are `.gloss` and the folder that holds it: the key is this
    /// device's identity, and a power cut must not take it from a database
    /// that outlives it.
    func writeKey(_ key: DeviceKey) throws(StoreError) {
        let descriptor = open(keyFile.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw .unreadableWorkspace(root.path, reason: "cannot create \(keyFile.path): \(String(cString: strerror(errno)))")
        }
        let line = Array((key.seed.map { String(format: "%02x", $0) }.joined() + "\n").utf8)
        let written = write(descriptor, line, line.count) == line.count && fsync(descriptor) == 0
        close(descriptor)
        guard written else { throw .unreadableWorkspace(root.path, reason: "cannot write \(keyFile.path)") }
        do {
            try DurableFile.syncFolder(gloss.path)
            try DurableFile.syncFolder(root.path)
        } catch {
            throw .unreadableWorkspace(root.path, reason: "\(error)")
        }
    }

    func readKey() throws(StoreError) -> DeviceKey {
        guard let text = try? String(contentsOf: keyFile, encoding: .utf8) else {
            throw .unreadableWorkspace(root.path, reason: "cannot read the device key \(keyFile.path)")
        }
        // Trimmed without Foundation's `trimmingCharacters`, which bridges
        // to NSString: 1.2 million instructions, on every command.
        let start = text.firstIndex { !$0.isWhitespace } ?? text.endIndex
        let hex = text[start..<(text.lastIndex { !$0.isWhitespace }.map(text.index(after:)) ?? start)]
        var seed: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex),
              let byte = UInt8(hex[index..<next], radix: 16) {
            seed.append(byte)
            index = next
        }
        guard seed.count == 32, index == hex.endIndex, let key = try? DeviceKey(seed: seed) else {
            throw .unreadableWorkspace(root.path, reason: "the device key \(keyFile.path) is not 64 hex digits")
        }
        return key
    }
}
