/// What an annotation points at: a span of one revision of a statement,
/// held as both W3C selectors.
///
/// Offsets count Unicode scalars (code points) of the NFC text, as the W3C
/// TextPositionSelector does; `exact`, `prefix` and `suffix` form the
/// TextQuoteSelector, with up to ``contextLength`` code points of context.
public struct Target: Hashable, Sendable {
    public static let contextLength = 32

    public var statement: EntityID
    public var revision: RevisionHash
    public var exact: String
    public var prefix: String
    public var suffix: String
    public var start: Int
    public var end: Int

    public init(statement: EntityID, revision: RevisionHash, exact: String, prefix: String, suffix: String,
                start: Int, end: Int) {
        self.statement = statement
        self.revision = revision
        self.exact = exact
        self.prefix = prefix
        self.suffix = suffix
        self.start = start
        self.end = end
    }

    /// `{"statement":E,"revision":H,"exact":S,"prefix":S,"suffix":S,"start":N,"end":N}`
    public var json: CanonicalJSON {
        .object([
            .init("statement", .string(statement.rawValue)),
            .init("revision", .string(revision.hex)),
            .init("exact", .string(exact)),
            .init("prefix", .string(prefix)),
            .init("suffix", .string(suffix)),
            .init("start", .integer(start)),
            .init("end", .integer(end)),
        ])
    }

    public init(json: CanonicalJSON) throws(ChangeFormatError) {
        let expected = ChangeFormatError(
            "a target {\"statement\",\"revision\",\"exact\",\"prefix\",\"suffix\",\"start\",\"end\"} in that order")
        guard case .object(let members) = json, members.map(\.key) == ["statement", "revision", "exact", "prefix", "suffix", "start", "end"],
              case .string(let statement) = members[0].value, let statementID = EntityID(rawValue: statement),
              case .string(let revision) = members[1].value, let revisionHash = RevisionHash(hex: revision),
              case .string(let exact) = members[2].value,
              case .string(let prefix) = members[3].value,
              case .string(let suffix) = members[4].value,
              case .integer(let start) = members[5].value,
              case .integer(let end) = members[6].value else { throw expected }
        guard start < end, exact.unicodeScalars.count == end - start else {
            throw ChangeFormatError("a target whose exact quote has end - start code points, start < end")
        }
        self.init(statement: statementID, revision: revisionHash, exact: exact, prefix: prefix, suffix: suffix,
                  start: start, end: end)
    }
}
