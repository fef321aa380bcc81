import GlossCore
import GlossStore

/// What one sync session did, for the report `gloss sync` prints.
public struct SyncReport: Equatable, Sendable {
    /// Changes this side sent and the peer acknowledged.
    public var sent = 0
    /// Changes this side received and committed (new ones only).
    public var received = 0
    public var alreadyHeld = 0
    public var ignored = 0
    public var conflictsCreated = 0
    public var conflictsResolved = 0
    /// The largest clock skew beyond the accepted drift, in ms; 0 if none.
    public var clockSkew = 0
    /// Whether both sides ended holding the same changes.
    public var digestsMatch: Bool?

    public init() {}

    mutating func add(_ report: ApplyReport) {
        received += report.received
        alreadyHeld += report.alreadyHeld
        ignored += report.ignored
        conflictsCreated += report.conflictsCreated
        conflictsResolved += report.conflictsResolved
        clockSkew = max(clockSkew, report.clockSkew)
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
