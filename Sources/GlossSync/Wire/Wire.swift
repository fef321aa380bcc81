import GlossCore

/// Encodes and decodes protocol lines (`Protocol/sync.md`, sections 3-4).
/// Pure: bytes in, messages out.
public enum Wire {
    public static let defaultMaximumLineLength = 1 << 20

    /// The line for `message`, LF included.
    public static func encode(_ message: Message) -> [UInt8] {
        var line: [UInt8]
        switch message {
        case .hello(let version, let workspace, let mode):
            line = Array("hello \(version) \(workspace?.rawValue ?? "*") \(mode.rawValue)".utf8)
        case .heads(let count): line = Array("heads \(count)".utf8)
        case .head(let author, let seq, let id): line = Array("head \(author) \(seq) \(id.hex)".utf8)
        case .want(let author, let after): line = Array("want \(author) \(after)".utf8)
        case .wantsEnd: line = Array("wants-end".utf8)
        case .batch(let count): line = Array("batch \(count)".utf8)
        case .text(let revision, let index, let total, let chunk):
            line = Array("text \(revision.hex) \(index) \(total) ".utf8)
            CanonicalJSON.string(chunk).encode(into: &line)
        case .change(let signed):
            // The line a clone is made of: built in one buffer of its final size.
            line = Array("change ".utf8)
            line.reserveCapacity(line.count + 2 * signed.signature.count + 1 + signed.bytes.count + 1)
            line += Hex.encode(signed.signature).utf8
            line.append(UInt8(ascii: " "))
            line += signed.bytes
        case .batchEnd: line = Array("batch-end".utf8)
        case .ack(let count): line = Array("ack \(count)".utf8)
        case .sent(let count): line = Array("sent \(count)".utf8)
        case .digest(let hex): line = Array("digest \(hex)".utf8)
        case .error(let code, let reason):
            line = Array("error \(code) ".utf8)
            // One line of printable text, as the grammar requires: control characters become spaces.
            let printable = reason.utf8.map { isPrintable($0) ? $0 : 0x20 }
            line += printable.isEmpty ? Array("unexplained".utf8) : printable
        }
        line.append(0x0A)
        return line
    }

    /// Decodes one line (without its LF).
    ///
    /// - Throws: ``SyncError`` 400 for a malformed line, 422 for a change
    ///   line whose change is not well formed.
    public static func decode(_ line: some Collection<UInt8>) throws(SyncError) -> Message {
        let bytes = Array(line)
        let verbEnd = bytes.firstIndex(of: 0x20) ?? bytes.endIndex
        let verb = String(decoding: bytes[..<verbEnd], as: UTF8.self)
        let rest = verbEnd < bytes.endIndex ? bytes[(verbEnd + 1)...] : []

        if verb == "change" {
            guard rest.count > 129, rest[rest.startIndex + 128] == 0x20,
                  let signature = Hex.decode(Substring(decoding: rest.prefix(128), as: UTF8.self).utf8, count: 64) else {
                throw SyncError(SyncError.malformed, "expected \"change SIGNATURE BYTES\" with a 128-digit hex signature")
            }
            do {
                return .change(try SignedChange(bytes: Array(rest.dropFirst(129)), signature: signature))
            } catch {
                throw SyncError(SyncError.refused, "change \(ChangeID(hashing: Array(rest.dropFirst(129))).hex.prefix(12)) is malformed: \(error)")
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SyncError(SyncError.malformed, "expected a UTF-8 line, found invalid bytes")
        }
        if verb == "text" {
            let fields = text.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: false)
            guard fields.count == 5, let revision = RevisionHash(hex: String(fields[1])),
                  let index = number(fields[2]), let total = number(fields[3]), total >= 1, index < total,
                  case .string(let chunk)? = try? CanonicalJSON(parsing: Array(fields[4].utf8)) else {
                throw SyncError(SyncError.malformed, "expected \"text REVISION INDEX TOTAL JSON-STRING\"")
            }
            return .text(revision: revision, index: index, total: total, chunk: chunk)
        }
        if verb == "error" {
            let fields = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, fields[1].count == 3, let code = number(fields[1]) else {
                throw SyncError(SyncError.malformed, "expected \"error CODE REASON\"")
            }
            // A reason is shown to the user: a control character in it (a
            // terminal escape, say) is refused, not passed on.
            guard !fields[2].isEmpty, fields[2].utf8.allSatisfy(isPrintable) else {
                throw SyncError(SyncError.malformed, "expected \"error CODE REASON\" with a reason of printable text, without control characters")
            }
            return .error(code: code, reason: String(fields[2]))
        }

        let arguments = text.split(separator: " ", omittingEmptySubsequences: false).dropFirst().map(String.init)
        func expect(_ shape: String, _ count: Int) throws(SyncError) {
            guard arguments.count == count else {
                throw SyncError(SyncError.malformed, "expected \"\(shape)\", found \(arguments.count) argument(s)")
            }
        }
        func count(_ text: String, _ shape: String) throws(SyncError) -> Int {
            guard let value = number(Substring(text)) else { throw SyncError(SyncError.malformed, "expected \"\(shape)\" with a count") }
            return value
        }
        func device(_ text: String, _ shape: String) throws(SyncError) -> DeviceID {
            guard let id = DeviceID(rawValue: text) else {
                throw SyncError(SyncError.malformed, "expected \"\(shape)\" with a device id in canonical form")
            }
            return id
        }
        switch verb {
        case "hello":
            try expect("hello VERSION WORKSPACE MODE", 3)
            let workspace = WorkspaceID(rawValue: arguments[1])
            guard let version = number(Substring(arguments[0])), workspace != nil || arguments[1] == "*",
                  let mode = SyncMode(rawValue: arguments[2]) else {
                throw SyncError(SyncError.malformed, "expected \"hello VERSION WORKSPACE MODE\" with a workspace id or * and sync, pull or push")
            }
            return .hello(version: version, workspace: workspace, mode: mode)
        case "heads":
            try expect("heads COUNT", 1)
            return .heads(count: try count(arguments[0], "heads COUNT"))
        case "head":
            try expect("head DEVICE SEQ CHANGE", 3)
            guard let id = ChangeID(hex: arguments[2]) else { throw SyncError(SyncError.malformed, "expected \"head DEVICE SEQ CHANGE\" with a change id") }
            let seq = try count(arguments[1], "head DEVICE SEQ CHANGE")
            guard seq >= 1 else { throw SyncError(SyncError.malformed, "expected \"head DEVICE SEQ CHANGE\" with a seq of at least 1") }
            return .head(try device(arguments[0], "head DEVICE SEQ CHANGE"), seq: seq, id: id)
        case "want":
            try expect("want DEVICE SEQ", 2)
            return .want(try device(arguments[0], "want DEVICE SEQ"), after: try count(arguments[1], "want DEVICE SEQ"))
        case "wants-end":
            try expect("wants-end", 0)
            return .wantsEnd
        case "batch":
            try expect("batch COUNT", 1)
            return .batch(count: try count(arguments[0], "batch COUNT"))
        case "batch-end":
            try expect("batch-end", 0)
            return .batchEnd
        case "ack":
            try expect("ack COUNT", 1)
            return .ack(count: try count(arguments[0], "ack COUNT"))
        case "sent":
            try expect("sent COUNT", 1)
            return .sent(count: try count(arguments[0], "sent COUNT"))
        case "digest":
            try expect("digest HASH", 1)
            guard ChangeID(hex: arguments[0]) != nil else { throw SyncError(SyncError.malformed, "expected \"digest HASH\" with 64 hex digits") }
            return .digest(arguments[0])
        default:
            throw SyncError(SyncError.malformed, "expected a verb of the protocol, found \"\(verb.prefix(40))\"")
        }
    }

    /// Whether a byte of an error's reason is allowed by the grammar: no
    /// control character (the bytes of multi-byte UTF-8 are all 0x80 or more).
    static func isPrintable(_ byte: UInt8) -> Bool { byte >= 0x20 && byte != 0x7F }

    /// A decimal count with no sign or leading zero, at most 2^53 - 1.
    static func number(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.count <= 16, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber),
              text == "0" || text.first != "0", let value = Int(text), value <= CanonicalJSON.maximumInteger else { return nil }
        return value
    }
}
