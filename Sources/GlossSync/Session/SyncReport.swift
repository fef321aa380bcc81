import GlossCore
import GlossStore

/// What one sync session did, for the report `gloss sync` prints: what was
/// sent, and what was received and applied (readable directly, as
/// `report.received`, `report.conflictsCreated`, ...).
@dynamicMemberLookup
public struct SyncReport: Equatable, Sendable {
    /// Changes this side sent and the peer acknowledged.
    public var sent = 0
    /// What the batches this side received did, added up.
    public var applied = ApplyReport()
    /// Whether both sides ended holding the same changes.
    public var digestsMatch: Bool?

    public init() {}

    public subscript<Value>(dynamicMember keyPath: KeyPath<ApplyReport, Value>) -> Value {
        applied[keyPath: keyPath]
    }
}

/// The bounds a session enforces on what it receives and keeps to when it
/// sends (`Protocol/sync.md`, section 5).
public struct SyncLimits: Sendable {
    public var maximumLineLength = Wire.defaultMaximumLineLength
    public var maximumBatchChanges = 1_000
    public var maximumBatchBytes = 4 << 20
    public var maximumBatchTextBytes = 16 << 20
    /// Texts a sender puts in one batch before it starts another.
    public var preferredBatchTextBytes = 4 << 20
    public var textChunkBytes = 128 << 10

    public init() {}
}
