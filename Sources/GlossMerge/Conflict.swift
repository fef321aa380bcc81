import GlossCore

/// One live write of a conflicted field: a value and the change that wrote it.
public struct LiveValue: Equatable, Sendable {
    public var change: ChangeID
    public var author: DeviceID
    public var clock: HLCTimestamp
    public var value: CanonicalJSON

    public init(change: ChangeID, author: DeviceID, clock: HLCTimestamp, value: CanonicalJSON) {
        self.change = change
        self.author = author
        self.clock = clock
        self.value = value
    }
}

/// A field whose concurrent writes could not be merged.
///
/// `values` lists every live write, the provisional winner first: highest
/// clock, then author id, then change id. The field shows that first value
/// until a resolution supersedes them all. A delete concurrent with edits is
/// a conflict of the field `deleted`, its values `"delete"` and `"edit"`; the
/// annotation stays visible meanwhile.
public struct Conflict: Equatable, Sendable {
    public var field: String
    public var values: [LiveValue]

    public init(field: String, values: [LiveValue]) {
        self.field = field
        self.values = values
    }
}
