import GlossCore
import GlossStore

/// The receiving side of a phase: collect a batch, check and commit it in
/// one transaction, and only then acknowledge it.
extension SyncSession {
    func receive(_ message: Message, _ phase: Phase, _ incoming: inout Incoming) throws(SyncError) -> [Message] {
        defer { if case .receiving = state { state = .receiving(phase, incoming) } }
        // The hot path, a change of the batch: appended in place, so that a
        // batch of n changes costs O(n), not O(n^2) copies.
        if case .change(let change) = message, var batch = incoming.batch, batch.changes.count < batch.expected {
            incoming.batch = nil
            batch.changeBytes += change.bytes.count
            guard batch.changeBytes <= limits.maximumBatchBytes else {
                throw SyncError(SyncError.tooLarge, "expected at most \(limits.maximumBatchBytes) bytes of changes in a batch")
            }
            batch.changes.append(change)
            incoming.batch = batch
            return []
        }
        switch (message, incoming.batch) {
        case (.batch(let count), nil):
            guard count >= 1, count <= limits.maximumBatchChanges else {
                throw SyncError(SyncError.tooLarge, "expected a batch of 1 to \(limits.maximumBatchChanges) changes, found \(count)")
            }
            incoming.batch = Incoming.Batch(expected: count)
            return []
        case (.text(let revision, let index, let total, let chunk), var batch?) where batch.changes.isEmpty:
            var entry = batch.texts[revision] ?? (total, [])
            guard entry.chunks.count < entry.total else {
                throw SyncError(SyncError.malformed, "expected each text once in a batch, found text \(revision.hex.prefix(12)) again")
            }
            guard entry.total == total, entry.chunks.count == index else {
                throw SyncError(SyncError.malformed, "expected chunk \(entry.chunks.count) of \(entry.total) of text \(revision.hex.prefix(12)), found \(index) of \(total)")
            }
            batch.textBytes += chunk.utf8.count
            guard batch.textBytes <= limits.maximumBatchTextBytes else {
                throw SyncError(SyncError.tooLarge, "expected at most \(limits.maximumBatchTextBytes) bytes of text in a batch")
            }
            entry.chunks.append(chunk)
            batch.texts[revision] = entry
            incoming.batch = batch
            return []
        case (.batchEnd, let batch?) where batch.changes.count == batch.expected:
            incoming.batch = nil
            // A clone derives statements and annotations once, at its end;
            // so does a pull, from its second batch on.
            let defers = makeStore != nil || (phase == .pull && incoming.total > 0)
            incoming.total += batch.expected
            try commit(batch, deferringDerivation: defers)
            return [.ack(count: incoming.total)]
        case (.sent(let count), nil):
            guard count == incoming.total else {
                throw SyncError(SyncError.unexpected, "expected sent \(incoming.total), found sent \(count)")
            }
            return try endReceiving(phase)
        default:
            let expected = incoming.batch.map { $0.changes.count < $0.expected ? "text or change" : "batch-end" } ?? "batch or sent"
            throw unexpected(message, expected)
        }
    }

    func commit(_ batch: Incoming.Batch, deferringDerivation: Bool) throws(SyncError) {
        var texts: [String] = []
        for (revision, entry) in batch.texts {
            guard entry.chunks.count == entry.total else {
                throw SyncError(SyncError.malformed, "expected \(entry.total) chunks of text \(revision.hex.prefix(12)), found \(entry.chunks.count)")
            }
            let text = entry.chunks.joined()
            guard RevisionHash(text: text) == revision else {
                throw SyncError(SyncError.refused, "text \(revision.hex.prefix(12)) does not hash to its revision")
            }
            texts.append(text)
        }
        let changes = ChangeBatch(changes: batch.changes, texts: texts)
        do {
            if let store {
                report.applied.add(try store.apply(changes, now: now(), deferringDerivation: deferringDerivation))
            } else if let makeStore {
                let (made, applied) = try makeStore(changes)
                store = made
                report.applied.add(applied)
            }
        } catch let StoreError.refused(change, reason) {
            throw SyncError(SyncError.refused, "refused change \(change): \(reason)")
        } catch {
            throw SyncError(SyncError.storage, "could not store the batch: \(error)")
        }
    }

    func endReceiving(_ phase: Phase) throws(SyncError) -> [Message] {
        switch (role, phase) {
        case (.client, .pull):
            try deriveDeferred()
            state = .wants(.push, [:])
            return []
        case (.server, .push):
            state = .digest
            return []
        default:
            preconditionFailure("\(role) does not receive in \(phase)")
        }
    }

    /// Derives what the batches applied with deferred derivation left
    /// stale, and counts the conflicts they made; nothing if none were.
    func deriveDeferred() throws(SyncError) {
        guard let store, store.hasDeferredDerivation else { return }
        do {
            report.applied.add(try store.deriveStale())
        } catch {
            throw SyncError(SyncError.storage, "could not derive the changes received: \(error)")
        }
    }
}
