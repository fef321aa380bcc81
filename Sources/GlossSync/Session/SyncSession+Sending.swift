import GlossCore
import GlossStore

/// The sending side of a phase: batches of what the peer wants, at most
/// ``SyncSession/window`` of them unacknowledged at a time.
extension SyncSession {
    func sends(in phase: Phase) -> Bool { (phase == .pull) == (role == .server) }

    func startSending(_ phase: Phase, _ wants: [DeviceID: Int]) throws(SyncError) -> [Message] {
        if !wants.isEmpty && ((phase == .pull && mode == .push) || (phase == .push && mode == .pull)) {
            throw SyncError(SyncError.unexpected, "expected no wants in \(mode) mode")
        }
        var outgoing = Outgoing(page: ChangePage(after: wants, everyAuthor: false))
        return try sendMore(phase, &outgoing)
    }

    /// The next batches, up to the window; or, once every batch is
    /// acknowledged and none is left, the end of the phase.
    func sendMore(_ phase: Phase, _ outgoing: inout Outgoing) throws(SyncError) -> [Message] {
        guard let store else { preconditionFailure("a cloning client never sends") }
        var messages: [Message] = []
        while outgoing.inFlight.count < Self.window {
            let batch = try storage { () throws(StoreError) in
                try store.next(&outgoing.page, limit: limits.maximumBatchChanges, maximumBytes: limits.maximumBatchBytes,
                               maximumTextBytes: limits.preferredBatchTextBytes)
            }
            guard let batch else { break }
            let texts = try storage { () throws(StoreError) in try store.texts(for: batch) }
            outgoing.inFlight.append(batch.count)
            messages += [.batch(count: batch.count)] + texts.flatMap(chunks) + batch.map { .change($0) } + [.batchEnd]
        }
        guard !outgoing.inFlight.isEmpty else { return try endSending(phase, outgoing) }
        state = .sending(phase, outgoing)
        return messages
    }

    func endSending(_ phase: Phase, _ outgoing: Outgoing) throws(SyncError) -> [Message] {
        let sent = Message.sent(count: outgoing.sent)
        switch (role, phase) {
        case (.server, .pull):
            state = .receiving(.push, Incoming())
            return [sent] + (mode == .pull ? [] : wants(from: peerHeads)) + [.wantsEnd]
        case (.client, .push):
            state = .digest
            return [sent, .digest(try storeHeads().digest)]
        default:
            preconditionFailure("\(role) does not send in \(phase)")
        }
    }

    /// `text` in chunks small enough for a line even when escaped.
    func chunks(of text: String) -> [Message] {
        let revision = RevisionHash(text: text)
        var pieces: [String] = []
        var current = String.UnicodeScalarView()
        var size = 0
        for scalar in text.unicodeScalars {
            let width = UTF8.width(scalar)
            if size + width > limits.textChunkBytes {
                pieces.append(String(current))
                current = String.UnicodeScalarView()
                size = 0
            }
            current.append(scalar)
            size += width
        }
        pieces.append(String(current))
        return pieces.enumerated().map { .text(revision: revision, index: $0.offset, total: pieces.count, chunk: $0.element) }
    }
}
