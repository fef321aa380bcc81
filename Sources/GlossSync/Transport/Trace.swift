import Foundation
import NIOConcurrencyHelpers

/// Writes every line a session sends (`> `) and receives (`< `) to a file,
/// for `gloss sync --trace` (`Protocol/sync.md`, section 10).
public final class Trace: Sendable {
    private let handle: NIOLockedValueBox<FileHandle>

    /// Creates (or empties) the file at `path`.
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw TransportError.cannotConnect(path, reason: "cannot write the trace file")
        }
        self.handle = NIOLockedValueBox(handle)
    }

    func record(_ direction: String, _ line: [UInt8]) {
        var text = String(decoding: line.prefix(while: { $0 != 0x0A }), as: UTF8.self)
        if text.hasPrefix("change ") || text.hasPrefix("text "), text.utf8.count > 80 { text = String(text.prefix(80)) + "…" }
        let bytes = Data("\(direction) \(text)\n".utf8)
        handle.withLockedValue { $0.write(bytes) }
    }
}
