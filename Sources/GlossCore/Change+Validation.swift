extension Change {
    /// Checks that there are operations, that a workspace change and only a
    /// workspace change is of the workspace's entity, and that each operation
    /// is one this kind of entity has, with a value of the right type and
    /// size, and its strings in NFC without U+0000, as decoding requires.
    ///
    /// - Throws: ``ChangeFormatError`` naming the first operation refused.
    public func validate() throws(ChangeFormatError) {
        // As decoding requires: a change made in memory (signed, not decoded) is checked the same.
        guard !operations.isEmpty else { throw ChangeFormatError("\"ops\" to be a non-empty array of operations") }
        // One workspace entity, whose changes say who is a member: another would let a member rewrite that.
        guard (kind == .workspace) == (entity.rawValue == workspace.rawValue) else {
            throw ChangeFormatError(kind == .workspace
                ? "a workspace change is of the workspace's own entity \(workspace), not \(entity.short)"
                : "\(kind.withArticle) change is of an entity other than the workspace's")
        }
        var seen: Set<Subject> = []
        for operation in operations {
            if operations.count > 1 {  // most changes hold one operation, and need no set
                let subject = Subject(operation)
                guard seen.insert(subject).inserted else {
                    throw ChangeFormatError("each field, tag or device at most once in a change, found \(subject) twice")
                }
            }
            switch operation {
            case .set(let field, let value):
                if let problem = Self.unreadable(value) { throw ChangeFormatError("\(problem) in \(field)") }
            case .admit(_, let name):
                if let problem = Self.unreadable(name) { throw ChangeFormatError("\(problem) in a device name") }
            default:
                break
            }
            switch (kind, operation) {
            case (.workspace, .set("name", .string(let name))):
                try Self.check(name, "name", maximumLength: 200, oneLine: true)
            case (.workspace, .revoke):
                break
            case (.workspace, .admit(_, let name)):
                try Self.check(name, "device name", maximumLength: 200, oneLine: true)
            case (.statement, .set("title", .string(let title))):
                try Self.check(title, "title", maximumLength: 1_000)
            case (.statement, .set("source", .string(let source))):
                try Self.check(source, "source", maximumLength: 2_000)
            case (.statement, .set("published", .string(let published))):
                try Self.check(published, "publication date", maximumLength: 100)
            case (.statement, .set("revision", .string(let hex))):
                guard RevisionHash(hex: hex) != nil else {
                    throw ChangeFormatError("a revision hash (64 lower-case hex digits)")
                }
            case (.annotation, .set("target", let value)):
                _ = try Target(json: value)
            case (.annotation, .set("anchor", let value)):
                _ = try Anchor(json: value)
            case (.annotation, .set("origin", let value)):
                _ = try Origin(json: value)
            case (.annotation, .set("note", .string(let note))):
                guard note.utf8.count <= maximumNoteBytes else {
                    throw ChangeFormatError("a note of at most \(maximumNoteBytes) bytes, found \(note.utf8.count)")
                }
            case (.annotation, .set("status", .string(let status))):
                guard Status(rawValue: status) != nil else {
                    throw ChangeFormatError("a status (\(Status.allCases.map(\.rawValue).joined(separator: ", "))), found \"\(status)\"")
                }
            case (.annotation, .set("motivation", .string(let motivation))):
                guard Motivation(rawValue: motivation) != nil else {
                    throw ChangeFormatError("a W3C motivation, found \"\(motivation)\"")
                }
            case (.annotation, .addTag(let tag)), (.annotation, .removeTag(let tag)):
                if let problem = Tag.problem(with: tag) { throw ChangeFormatError(problem) }
            case (.annotation, .delete), (.annotation, .restore):
                break
            case (_, .set(let field, _)):
                throw ChangeFormatError("a field \(kind.withArticle) has, with a value of its type; found \"\(field)\"")
            default:
                throw ChangeFormatError("an operation \(kind.withArticle) has, found \(operation.name)")
            }
        }
    }

    /// What an operation sets: a change sets each at most once.
    private enum Subject: Hashable, CustomStringConvertible {
        case field(String), tag(String), deletedMark, device(DeviceID)

        init(_ operation: ChangeOperation) {
            self = switch operation {
            case .set(let field, _): .field(field)
            case .addTag(let tag), .removeTag(let tag): .tag(tag)
            case .delete, .restore: .deletedMark
            case .admit(let device, _), .revoke(let device, _): .device(device)
            }
        }

        var description: String {
            switch self {
            case .field(let field): "field \"\(field)\""
            case .tag(let tag): "tag \"\(tag)\""
            case .deletedMark: "the deleted mark"
            case .device(let device): "device \(device.short)"
            }
        }
    }

    /// What keeps a string in `value` from being read back as it was
    /// written, if anything: U+0000, at which SQLite's text columns end a
    /// string, or a form other than NFC, which decoding refuses. A change
    /// made in memory and signed must not hold what its bytes cannot carry.
    private static func unreadable(_ value: CanonicalJSON) -> String? {
        switch value {
        case .string(let string): unreadable(string)
        case .integer: nil
        case .array(let values): values.lazy.compactMap(unreadable).first
        case .object(let members): members.lazy.compactMap { unreadable($0.key) ?? unreadable($0.value) }.first
        }
    }

    private static func unreadable(_ string: String) -> String? {
        if string.utf8.contains(0) { return "strings without U+0000 (NUL), found one" }
        if !string.isNFC { return "strings in NFC, found one in another form" }
        return nil
    }

    /// Checks a string field's length and, for a name (which every member's
    /// tables and prompts show on one line), that it has no control character.
    private static func check(_ text: String, _ name: String, maximumLength: Int, oneLine: Bool = false) throws(ChangeFormatError) {
        guard text.unicodeScalars.count <= maximumLength else {
            throw ChangeFormatError("a \(name) of at most \(maximumLength) characters")
        }
        if oneLine, let control = text.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            let code = String(control.value, radix: 16, uppercase: true)
            throw ChangeFormatError("a \(name) on one line, without control characters, found U+\(String(repeating: "0", count: 4 - code.count) + code)")
        }
    }
}

extension ChangeOperation {
    /// The operation's name as written in a change.
    public var name: String {
        switch self {
        case .set: "set"
        case .addTag: "addTag"
        case .removeTag: "removeTag"
        case .delete: "delete"
        case .restore: "restore"
        case .admit: "admit"
        case .revoke: "revoke"
        }
    }
}

extension EntityKind {
    /// "a workspace", "a statement", "an annotation".
    public var withArticle: String { self == .annotation ? "an annotation" : "a \(rawValue)" }
}
