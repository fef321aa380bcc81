import GlossCore
import GlossMerge

/// What the batches of a clone, a long pull or a bundle carry from one to
/// the next, so that their annotations are derived in memory as their
/// changes arrive and written once, by ``Store/deriveStale()``, instead of
/// written again with every change and read back from the log.
///
/// An annotation whose changes arrive in a line, the first naming every
/// head the tables held (none, for a new one) and each after it the one
/// before, is brought forward by ``AnnotationState/extended(by:)`` from the
/// state the tables held. Anything else (concurrent branches, a change of
/// a removed device, a statement, annotations past ``capacity``) is left
/// to derive in full from the log. Every entity a batch touches is marked
/// stale by the first batch that touches it, in that batch's transaction,
/// so a clone or pull cut short is derived in full on the next open.
///
/// A clone that starts an empty log also leaves the log's indexes by
/// entity, clock and id (`Schema.deferredLogIndexes`) for
/// ``Store/deriveStale()`` to build. Its batches read nothing by entity or
/// clock: the workspace, derived after each batch that changes it, is read
/// by where its changes arrived. They find a change by id only for a parent
/// that is neither in the batch nor a head carried here (a statement's, a
/// branch's); the first such lookup builds that index.
struct DeferredDerivation {
    /// The most annotations whose state is held in memory (about 1 KB each).
    static let capacity = 10_000

    /// A change at the end of an annotation's line: its id, where it
    /// arrived and its entity's number.
    typealias Head = (id: ChangeID, arrival: Int64, entity: Int64)

    enum Entry {
        /// Derived from every change of the annotation held, which end at `head`.
        case extending(AnnotationState, head: Head)
        /// To derive in full from the log.
        case full
    }

    /// What the tables held of an entity when a batch first touched it.
    enum Start {
        /// Nothing: the log held no change of it.
        case new
        /// An annotation's state and heads, which no stale mark contradicts.
        case stored(AnnotationState, heads: [ChangeID])
        /// Its count of conflicted fields, the rest left to derive in full.
        case unknown(conflicts: Int)

        var conflicts: Int {
            switch self {
            case .new: 0
            case .stored(let state, _): state.conflictedFields
            case .unknown(let conflicts): conflicts
            }
        }

        /// The state `signed`, the entity's first change in the batches,
        /// brings this start to; nil if it does not extend it in a line.
        func extended(by signed: SignedChange) -> AnnotationState? {
            switch self {
            case .new: signed.change.parents.isEmpty ? AnnotationState(deriving: [signed]) : nil
            case .stored(let state, let heads):
                !heads.isEmpty && Set(heads) == Set(signed.change.parents) ? state.extended(by: signed) : nil
            case .unknown: nil
            }
        }
    }

    private(set) var entries: [EntityID: Entry] = [:]
    /// Each touched entity's count of conflicted fields before its first
    /// change in these batches, for ``Store/deriveStale()`` to report.
    private(set) var conflictsBefore: [EntityID: Int] = [:]
    private var extending = 0
    /// Entities whose stale mark an earlier batch committed (up to
    /// ``capacity``), and the writer's `PRAGMA data_version` then.
    private var marked: Set<EntityID> = []
    private var dataVersion: Int?
    /// Where every change of the workspace arrived, while the log has no
    /// index by entity; nil otherwise, or once another process has written
    /// (it built the indexes when it opened the store).
    private(set) var workspaceArrivals: [Int64]?

    /// Whether the log was empty before the first batch: then every
    /// entity a batch touches first is new.
    let startedEmpty: Bool

    /// With `indexingLater`, the log is empty, and the clone leaves
    /// `Schema.deferredLogIndexes` to build at its end.
    init(indexingLater: Bool = false) {
        workspaceArrivals = indexingLater ? [] : nil
        startedEmpty = indexingLater
    }

    /// Whether an earlier batch touched `entity`: if not, the next one to
    /// touch it says how it starts.
    func isCarrying(_ entity: EntityID) -> Bool {
        entries.index(forKey: entity) != nil  // without copying the entry's state
    }

    /// The change `id`, if it ends the line of an annotation held here.
    func head(_ id: ChangeID, of entity: EntityID) -> Head? {
        guard case .extending(_, let head)? = entries[entity], head.id == id else { return nil }
        return head
    }

    /// Called as a batch begins, with the writer connection's
    /// `PRAGMA data_version`: unless it is the one the last batch saw, some
    /// other process has written since. Opening the store derives and
    /// unmarks stale entities, so every entity is marked again; and it may
    /// have written changes after the heads held here, so every entity is
    /// derived in full.
    mutating func beginBatch(dataVersion: Int) {
        if dataVersion != self.dataVersion { marked.removeAll() }
        if let last = self.dataVersion, last != dataVersion {
            workspaceArrivals = nil
            deriveAllInFull()
        }
        self.dataVersion = dataVersion
    }

    /// Records where a change of the workspace arrived.
    mutating func carryWorkspaceChange(at arrival: Int64) {
        workspaceArrivals?.append(arrival)
    }

    /// Carries `signed`, just inserted at `head.arrival`, into its entity's
    /// entry, and marks the entity stale in the batch's transaction unless
    /// an earlier batch did (see ``beginBatch(dataVersion:)``). `start`, for
    /// an entity not carried yet, says what the tables held of it before;
    /// `isEffective`, that its author's changes take effect.
    mutating func carry(_ signed: SignedChange, at head: Head, from start: Start?, isEffective: Bool, writer: LogWriter) throws {
        let change = signed.change
        if !marked.contains(change.entity) {
            try writer.markStale(change.kind, change.entity)
            if marked.count < Self.capacity { marked.insert(change.entity) }
        }
        // Taken out, so that the state extended is the only copy.
        switch entries.removeValue(forKey: change.entity) {
        case .full?:
            entries[change.entity] = .full
        case .extending(let state, let last)?:
            if isEffective, change.parents == [last.id], let next = state.extended(by: signed) {
                entries[change.entity] = .extending(next, head: head)
            } else {
                entries[change.entity] = .full
                extending -= 1
            }
        case nil:
            let start = start ?? .unknown(conflicts: 0)  // only an entity carried already comes without one
            conflictsBefore[change.entity] = start.conflicts
            if change.kind == .annotation, isEffective, extending < Self.capacity, let state = start.extended(by: signed) {
                entries[change.entity] = .extending(state, head: head)
                extending += 1
            } else {
                entries[change.entity] = .full
            }
        }
    }

    /// Gives up every state held, for the log to derive in full: a device
    /// was removed, and changes already carried may not take effect.
    mutating func deriveAllInFull() {
        for entity in entries.keys { entries[entity] = .full }
        extending = 0
    }
}
