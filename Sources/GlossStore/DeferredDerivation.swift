import GlossCore
import GlossMerge

/// What a clone's batches carry from one to the next, so that its
/// annotations are derived in memory as their changes arrive and written
/// once, by ``Store/deriveStale()``, instead of read back from the log.
///
/// An annotation whose changes arrive in a line, each naming every head
/// before it, is brought forward by ``AnnotationState/extended(by:)``.
/// Anything else (concurrent branches, a change of a removed device, a
/// statement, annotations past ``capacity``) is left to derive in full from
/// the log. Every entity a batch touches is marked stale by the first batch
/// that touches it, in that batch's transaction, so a clone cut short is
/// derived in full on the next open.
///
/// A clone that starts an empty log also leaves the log's indexes by
/// entity and clock (`Schema.deferredLogIndexes`) for ``Store/deriveStale()``
/// to build. Its batches read nothing by them: the workspace, derived after
/// each batch that changes it, is read by where its changes arrived.
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

    private(set) var entries: [EntityID: Entry] = [:]
    private var extending = 0
    /// Entities whose stale mark an earlier batch committed (up to
    /// ``capacity``), and the writer's `PRAGMA data_version` then.
    private var marked: Set<EntityID> = []
    private var dataVersion: Int?
    /// Where every change of the workspace arrived, while the log has no
    /// index by entity; nil otherwise, or once another process has written
    /// (it built the indexes when it opened the store).
    private(set) var workspaceArrivals: [Int64]?

    /// With `indexingLater`, the log is empty, and the clone leaves
    /// `Schema.deferredLogIndexes` to build at its end.
    init(indexingLater: Bool = false) {
        workspaceArrivals = indexingLater ? [] : nil
    }

    /// The change `id`, if it ends the line of an annotation held here.
    func head(_ id: ChangeID, of entity: EntityID) -> Head? {
        guard case .extending(_, let head)? = entries[entity], head.id == id else { return nil }
        return head
    }

    /// Called as a batch begins, with the writer connection's
    /// `PRAGMA data_version`: unless it is the one the last batch saw, some
    /// other process has written since (opening the store derives and
    /// unmarks stale entities), and every entity is marked again.
    mutating func beginBatch(dataVersion: Int) {
        if dataVersion != self.dataVersion { marked.removeAll() }
        if let last = self.dataVersion, last != dataVersion { workspaceArrivals = nil }
        self.dataVersion = dataVersion
    }

    /// Records where a change of the workspace arrived.
    mutating func carryWorkspaceChange(at arrival: Int64) {
        workspaceArrivals?.append(arrival)
    }

    /// Carries `signed`, just inserted at `head.arrival`, into its entity's
    /// entry, and marks the entity stale in the batch's transaction unless
    /// an earlier batch did (see ``beginBatch(dataVersion:)``). `isNew`
    /// says the log held no change of the entity before; `isEffective`,
    /// that its author's changes take effect.
    mutating func carry(_ signed: SignedChange, at head: Head, isNew: Bool, isEffective: Bool, writer: LogWriter) throws {
        let change = signed.change
        if !marked.contains(change.entity) {
            try writer.markStale(change.kind, change.entity)
            if marked.count < Self.capacity { marked.insert(change.entity) }
        }
        switch entries[change.entity] {
        case .full?:
            return
        case .extending(let state, let last)?:
            if isEffective, change.parents == [last.id], let next = state.extended(by: signed) {
                entries[change.entity] = .extending(next, head: head)
            } else {
                entries[change.entity] = .full
                extending -= 1
            }
        case nil:
            if change.kind == .annotation, isNew, isEffective, change.parents.isEmpty, extending < Self.capacity,
               let state = AnnotationState(deriving: [signed]) {
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
