import GlossCore

/// Changes to apply together, in an order where parents come before
/// children and each author's changes follow its chain, with the statement
/// texts they name.
public struct ChangeBatch: Sendable {
    public var changes: [SignedChange]
    /// Statement texts, each checked against the revision hash that names it.
    public var texts: [String]

    public init(changes: [SignedChange], texts: [String] = []) {
        self.changes = changes
        self.texts = texts
    }
}

/// What applying a batch did.
public struct ApplyReport: Equatable, Sendable {
    /// Changes new to this store.
    public var received = 0
    /// Changes this store held already (applying them again is a no-op).
    public var alreadyHeld = 0
    /// Changes kept in the log but without effect: written by a device
    /// after its removal.
    public var ignored = 0
    /// Statements and annotations whose state changed.
    public var entitiesChanged = 0
    /// Fields that became conflicted, and conflicted fields that were resolved.
    public var conflictsCreated = 0
    public var conflictsResolved = 0
    /// The largest amount (ms) by which a change's clock was ahead of local
    /// wall time beyond the accepted drift; 0 when none was.
    public var clockSkew = 0

    public init() {}

    /// Adds up two reports, as a session does with each batch's.
    public mutating func add(_ other: ApplyReport) {
        received += other.received
        alreadyHeld += other.alreadyHeld
        ignored += other.ignored
        entitiesChanged += other.entitiesChanged
        conflictsCreated += other.conflictsCreated
        conflictsResolved += other.conflictsResolved
        clockSkew = max(clockSkew, other.clockSkew)
    }

    /// Adds the conflicts that deriving deferred batches found.
    public mutating func add(_ derivation: StaleDerivation) {
        conflictsCreated += derivation.conflictsCreated
        conflictsResolved += derivation.conflictsResolved
    }
}

/// What ``Store/deriveStale()`` did.
public struct StaleDerivation: Equatable, Sendable {
    /// Statements and annotations derived.
    public var derived = 0
    /// Among the entities that deferred batches touched: fields in conflict
    /// now that were not before the first of those batches, and the reverse.
    public var conflictsCreated = 0
    public var conflictsResolved = 0

    public init() {}
}
