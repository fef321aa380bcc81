import Crypto

/// A file that carries changes between replicas that never share a network.
///
/// Lines end in LF (grammar in RFC 5234 ABNF; see `Protocol/bundles.md`):
///
///     bundle  = header *( text / change ) trailer
///     header  = "gloss-bundle 1 " workspace-id LF
///     text    = "text " json-string LF          ; a statement text, canonical JSON string
///     change  = "change " 128LOWHEX " " change-bytes LF   ; signature, then the change
///     trailer = "end " count " " count " " 64LOWHEX LF    ; changes, texts, SHA-256
///
/// The trailer's digest is the SHA-256 of every byte before it, so a
/// truncated or altered bundle is refused whole.
public struct ChangeBundle: Sendable {
    public static let version = 1

    public var workspace: WorkspaceID
    public var texts: [String]
    public var changes: [SignedChange]

    public init(workspace: WorkspaceID, texts: [String], changes: [SignedChange]) {
        self.workspace = workspace
        self.texts = texts
        self.changes = changes
    }

    /// The bundle's bytes.
    public var encoded: [UInt8] {
        var output = Array("gloss-bundle \(Self.version) \(workspace)\n".utf8)
        for text in texts { Self.encode(text: text, into: &output) }
        for change in changes { Self.encode(change: change, into: &output) }
        let digest = Hex.encode(SHA256.hash(data: output))
        output += Array("end \(changes.count) \(texts.count) \(digest)\n".utf8)
        return output
    }

    /// Reads a bundle, checking its trailer first.
    ///
    /// - Throws: ``ChangeFormatError`` naming the line that is wrong.
    public init(decoding bytes: [UInt8]) throws(ChangeFormatError) {
        guard bytes.last == 0x0A else {
            throw ChangeFormatError("a bundle ending in a line feed, found a truncated file")
        }
        let body = bytes.dropLast()
        let trailerStart = (body.lastIndex(of: 0x0A).map { $0 + 1 }) ?? body.startIndex
        let trailer = String(decoding: body[trailerStart...], as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false)
        guard trailer.count == 4, trailer[0] == "end", let changeCount = Int(trailer[1]), let textCount = Int(trailer[2]) else {
            throw ChangeFormatError("a last line \"end CHANGES TEXTS SHA256\", found none: the bundle is truncated")
        }
        guard Hex.encode(SHA256.hash(data: bytes[..<trailerStart])) == trailer[3] else {
            throw ChangeFormatError("bytes matching the digest in the last line: the bundle was altered or damaged")
        }
        var lines = bytes[..<trailerStart].split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
        guard let header = lines.popFirst(), let headerText = String(validating: header, as: UTF8.self) else {
            throw ChangeFormatError("line 1: a header \"gloss-bundle 1 WORKSPACE\"")
        }
        let fields = headerText.split(separator: " ")
        guard fields.count == 3, fields[0] == "gloss-bundle", let workspace = WorkspaceID(rawValue: String(fields[2])) else {
            throw ChangeFormatError("line 1: a header \"gloss-bundle 1 WORKSPACE\"")
        }
        guard fields[1] == "\(Self.version)" else {
            throw ChangeFormatError("line 1: bundle version \(Self.version), found \(fields[1])")
        }
        var texts: [String] = []
        var changes: [SignedChange] = []
        for (offset, line) in lines.enumerated() {
            let number = offset + 2
            if line.starts(with: Array("text ".utf8)) {
                guard changes.isEmpty, case .string(let text)? = try? CanonicalJSON(parsing: line.dropFirst(5)) else {
                    throw ChangeFormatError("line \(number): \"text\" and a JSON string, before every change")
                }
                texts.append(text)
            } else if line.starts(with: Array("change ".utf8)) {
                do {
                    changes.append(try Self.decodeChange(line.dropFirst(7)))
                } catch {
                    throw ChangeFormatError("line \(number): \(error.reason)")
                }
            } else {
                throw ChangeFormatError("line \(number): a line starting \"text\" or \"change\"")
            }
        }
        guard changes.count == changeCount, texts.count == textCount else {
            throw ChangeFormatError("\(changeCount) changes and \(textCount) texts as the last line says, found \(changes.count) and \(texts.count)")
        }
        self.init(workspace: workspace, texts: texts, changes: changes)
    }
}

extension ChangeBundle {
    /// Appends a text line: `text JSON-STRING LF`. Audit files share it.
    package static func encode(text: String, into output: inout [UInt8]) {
        output += Array("text ".utf8)
        CanonicalJSON.string(text).encode(into: &output)
        output.append(0x0A)
    }

    /// Appends a change line: `change SIGNATURE BYTES LF`. Audit files share it.
    package static func encode(change: SignedChange, into output: inout [UInt8]) {
        output += Array("change \(Hex.encode(change.signature)) ".utf8)
        output += change.bytes
        output.append(0x0A)
    }

    /// Reads what follows `change ` on a change line: the signature, a
    /// space, and a well-formed change (its signature is not checked here).
    package static func decodeChange(_ rest: ArraySlice<UInt8>) throws(ChangeFormatError) -> SignedChange {
        guard rest.count > 129, rest[rest.startIndex + 128] == 0x20,
              let signature = Hex.decode(Substring(decoding: rest.prefix(128), as: UTF8.self).utf8, count: 64) else {
            throw ChangeFormatError("\"change\", a 128-digit hex signature and the change")
        }
        do {
            return try SignedChange(bytes: Array(rest.dropFirst(129)), signature: signature)
        } catch {
            throw ChangeFormatError("a well-formed change, found one with \(error)")
        }
    }
}
