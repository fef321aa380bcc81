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
        if text.hasPrefix("change "), text.count > 136 {
            // The signature, shortened, then the start of the change itself.
            text = "change " + text.dropFirst(7).prefix(16) + "… " + text.dropFirst(136).prefix(80) + "…"
        } else if text.hasPrefix("text "), text.count > 160 {
            text = String(text.prefix(160)) + "…"
        }
        let bytes = Data("\(direction) \(text)\n".utf8)
        handle.withLockedValue { $0.write(bytes) }
    }
}
