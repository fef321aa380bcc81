import Crypto
import GlossCore
import GlossMerge

/// A self-contained record of statements, their annotations and every
/// change that made them, which an outside reviewer checks without a
/// workspace and without trusting ours (see `Protocol/audit.md`).
///
/// Lines end in LF:
///
///     audit      = header *key *text *change *statement *annotation trailer
///     header     = "gloss-audit 1 " workspace-id " " milliseconds " " device-id LF
///     key        = "key " device-id " " 64LOWHEX LF        ; Ed25519 public key
///     text       = "text " json-string LF                  ; a statement revision's text
///     change     = "change " 128LOWHEX " " change-bytes LF ; signature, exact bytes
///     statement  = "statement " canonical-json LF          ; derived state, as exported
///     annotation = "annotation " canonical-json LF
///     trailer    = "end " 64LOWHEX " " 128LOWHEX LF        ; SHA-256, exporter's signature
///
/// Everything but the trailer is self-checking: ids hash the change bytes,
/// signatures cover the ids, device ids hash the keys, revision hashes the
/// texts, and the statement and annotation lines must be what the changes
/// derive. The trailer's digest covers every byte before it and is signed
/// by the exporting device, so the file as a whole is attested too.
public struct AuditFile: Sendable {
    public static let version = 1

    public var workspace: WorkspaceID
    /// The device that wrote the file, and when (Unix milliseconds).
    public var exporter: DeviceID
    public var exported: Int
    public var keys: [DeviceID: [UInt8]]
    public var texts: [String]
    /// The workspace's, the statements' and the annotations' changes, parents first.
    public var changes: [SignedChange]
    public var statements: [StatementState]
    public var annotations: [AnnotationState]

    public init(workspace: WorkspaceID, exporter: DeviceID, exported: Int, keys: [DeviceID: [UInt8]], texts: [String],
                changes: [SignedChange], statements: [StatementState], annotations: [AnnotationState]) {
        self.workspace = workspace
        self.exporter = exporter
        self.exported = exported
        self.keys = keys
        self.texts = texts
        self.changes = changes
        self.statements = statements
        self.annotations = annotations
    }

    /// The file's bytes, its trailer signed with `key` (the exporter's).
    public func encoded(signingWith key: DeviceKey) -> [UInt8] {
        precondition(key.id == exporter, "an audit file is signed by its exporter")
        var output = Array("gloss-audit \(Self.version) \(workspace) \(exported) \(exporter)\n".utf8)
        for (device, publicKey) in keys.sorted(by: { $0.key < $1.key }) {
            output += Array("key \(device) \(Hex.encode(publicKey))\n".utf8)
        }
        for text in texts { ChangeBundle.encode(text: text, into: &output) }
        for change in changes { ChangeBundle.encode(change: change, into: &output) }
        for statement in statements {
            output += Array("statement ".utf8) + Self.record(statement).encoded
            output.append(0x0A)
        }
        for annotation in annotations {
            output += Array("annotation ".utf8) + Self.record(annotation).encoded
            output.append(0x0A)
        }
        let digest = Array(SHA256.hash(data: output))
        let signature = Array(try! key.signingKey.signature(for: digest))
        output += Array("end \(Hex.encode(digest)) \(Hex.encode(signature))\n".utf8)
        return output
    }

    /// A statement's derived state as one canonical JSON object; absent
    /// metadata is left out.
    static func record(_ statement: StatementState) -> CanonicalJSON {
        var members: [CanonicalJSON.Member] = [.init("statement", .string(statement.id.rawValue))]
        if let title = statement.title { members.append(.init("title", .string(title))) }
        if let source = statement.source { members.append(.init("source", .string(source))) }
        if let published = statement.published { members.append(.init("published", .string(published))) }
        members += [
            .init("revision", .string(statement.revision.hex)),
            .init("author", .string(statement.author.rawValue)),
            .init("created", clock(statement.created)),
            .init("conflicts", conflicts(statement.conflicts)),
        ]
        return .object(members)
    }

    /// An annotation's derived state as one canonical JSON object.
    static func record(_ annotation: AnnotationState) -> CanonicalJSON {
        var members: [CanonicalJSON.Member] = [
            .init("annotation", .string(annotation.id.rawValue)),
            .init("target", annotation.target.json),
            .init("anchor", annotation.anchor.json),
            .init("note", .string(annotation.note)),
            .init("tags", .array(annotation.tags.map(CanonicalJSON.string))),
            .init("status", .string(annotation.status.rawValue)),
            .init("motivation", .string(annotation.motivation.rawValue)),
            .init("deleted", .string(annotation.isDeleted ? "yes" : "no")),
            .init("author", .string(annotation.author.rawValue)),
            .init("created", clock(annotation.created)),
            .init("modified_by", .string(annotation.modifiedBy.rawValue)),
            .init("modified", clock(annotation.modified)),
            .init("conflicts", conflicts(annotation.conflicts)),
        ]
        if let origin = annotation.origin { members.append(.init("origin", origin.json)) }
        return .object(members)
    }

    /// `[{"field":F,"changes":[H...]}...]`, by field name; the live writes
    /// in their order, the provisional winner first.
    private static func conflicts(_ conflicts: [Conflict]) -> CanonicalJSON {
        .array(conflicts.sorted { $0.field < $1.field }.map { conflict in
            .object([.init("field", .string(conflict.field)),
                     .init("changes", .array(conflict.values.map { .string($0.change.hex) }))])
        })
    }

    private static func clock(_ clock: HLCTimestamp) -> CanonicalJSON {
        .array([.integer(clock.milliseconds), .integer(clock.counter)])
    }
}
