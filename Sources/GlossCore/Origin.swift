/// Where an imported annotation came from: set once, by the change that
/// imports it, and never edited.
///
/// Written in changes as `{"id":S,"creator":S?,"created":S?,"heads":[H...]?,"conflicts":[F...]?}`,
/// absent members left out (see `Protocol/changes.md`).
public struct Origin: Hashable, Sendable {
    public static let maximumLength = 2_000

    /// The annotation's IRI in the tool or file it came from.
    public var id: String
    /// Its creator there, as a name or IRI.
    public var creator: String?
    /// When it was created there, as that tool wrote it (ISO 8601).
    public var created: String?
    /// When it came from another Gloss workspace: the change ids of its heads there.
    public var heads: [String]
    /// When it came from another Gloss workspace: the fields in conflict there.
    public var conflicts: [String]

    public init(id: String, creator: String? = nil, created: String? = nil, heads: [String] = [], conflicts: [String] = []) {
        self.id = id
        self.creator = creator
        self.created = created
        self.heads = heads
        self.conflicts = conflicts
    }

    public var json: CanonicalJSON {
        var members: [CanonicalJSON.Member] = [.init("id", .string(id))]
        if let creator { members.append(.init("creator", .string(creator))) }
        if let created { members.append(.init("created", .string(created))) }
        if !heads.isEmpty { members.append(.init("heads", .array(heads.map(CanonicalJSON.string)))) }
        if !conflicts.isEmpty { members.append(.init("conflicts", .array(conflicts.map(CanonicalJSON.string)))) }
        return .object(members)
    }

    public init(json: CanonicalJSON) throws(ChangeFormatError) {
        let expected = ChangeFormatError(
            "an origin {\"id\",\"creator\"?,\"created\"?,\"heads\"?,\"conflicts\"?} in that order, strings of at most \(Self.maximumLength) characters")
        guard case .object(let members) = json else { throw expected }
        var rest = members[...]
        func string(_ key: String) throws(ChangeFormatError) -> String? {
            guard rest.first?.key == key else { return nil }
            guard case .string(let value) = rest.removeFirst().value, !value.isEmpty,
                  value.unicodeScalars.count <= Self.maximumLength else { throw expected }
            return value
        }
        func strings(_ key: String, _ valid: (String) -> Bool) throws(ChangeFormatError) -> [String] {
            guard rest.first?.key == key else { return [] }
            guard case .array(let values) = rest.removeFirst().value, !values.isEmpty, values.count <= 64 else { throw expected }
            var result: [String] = []
            for value in values {
                guard case .string(let text) = value, valid(text) else { throw expected }
                result.append(text)
            }
            return result
        }
        guard let id = try string("id") else { throw expected }
        let creator = try string("creator"), created = try string("created")
        let heads = try strings("heads") { ChangeID(hex: $0) != nil }
        let conflicts = try strings("conflicts") { !$0.isEmpty && $0.unicodeScalars.count <= 100 }
        guard rest.isEmpty else { throw expected }
        self.init(id: id, creator: creator, created: created, heads: heads, conflicts: conflicts)
    }
}
