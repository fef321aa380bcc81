import GlossCore
import GlossStore

/// One side of a sync session: the state machine of `Protocol/sync.md`,
/// section 6, row by row.
///
/// It never sees a socket: the transport (or a test) feeds it each message
/// received and sends the messages it returns. It reads and writes the store
/// itself, one batch per transaction.
public final class SyncSession {
    public enum Role: Equatable, Sendable {
        case client(SyncMode)
        case server
    }

    /// Who sends in a phase: in `pull` the server, in `push` the client.
    enum Phase { case pull, push }

    enum State {
        case start
        /// Waiting for the peer's `hello`, `heads` and `head` lines.
        case greeting(Greeting)
        /// Waiting for the wants of the side that receives in `phase`.
        case wants(Phase, [DeviceID: Int])
        /// Receiving batches in `phase`.
        case receiving(Phase, Incoming)
        /// Sent a batch in `phase`, waiting for its `ack`.
        case sending(Phase, Outgoing)
        case digest
        case finished
    }

    struct Greeting {
        var hello: (workspace: WorkspaceID?, mode: SyncMode)?
        var expected: Int?
        var heads = Heads()
    }

    struct Incoming {
        var total = 0
        var batch: Batch?

        struct Batch {
            var expected: Int
            var texts: [RevisionHash: (total: Int, chunks: [String])] = [:]
            var changes: [SignedChange] = []
            var changeBytes = 0
            var textBytes = 0
        }
    }

    struct Outgoing {
        var page: ChangePage
        var sent = 0
        var inFlight = 0
    }

    public let role: Role
    public private(set) var store: Store?
    public private(set) var report = SyncReport()
    /// The peer's workspace, once its `hello` arrived.
    public private(set) var workspace: WorkspaceID?
    let limits: SyncLimits
    let now: () -> Int
    /// Makes the store from the first batch, for a clone.
    let makeStore: ((ChangeBatch) throws -> (Store, ApplyReport))?
    var state = State.start
    var mode = SyncMode.sync
    var ownHeads = Heads()
    var peerHeads = Heads()

    /// A session on an existing store.
    public init(role: Role, store: Store, limits: SyncLimits = SyncLimits(), now: @escaping () -> Int) {
        self.role = role
        self.store = store
        self.limits = limits
        self.now = now
        workspace = store.workspace
        makeStore = nil
        if case .client(let mode) = role { self.mode = mode }
    }

    /// A client session that clones: it makes its store from the first batch.
    public init(cloningWith makeStore: @escaping (ChangeBatch) throws -> (Store, ApplyReport), limits: SyncLimits = SyncLimits(),
                now: @escaping () -> Int) {
        role = .client(.pull)
        mode = .pull
        store = nil
        self.limits = limits
        self.now = now
        self.makeStore = makeStore
    }

    public var isFinished: Bool { if case .finished = state { true } else { false } }

    /// Whether any message has come from the peer yet.
    public private(set) var hasHeardFromPeer = false

    /// The client's opening lines.
    public func start() throws(SyncError) -> [Message] {
        guard case .client = role, case .start = state else { preconditionFailure("start() is for a new client session, in \(state)") }
        ownHeads = try storeHeads()
        state = .greeting(Greeting())
        return [.hello(version: 1, workspace: store?.workspace, mode: mode)] + headLines(ownHeads)
    }

    /// Takes one message from the peer; returns the messages to send.
    ///
    /// - Throws: ``SyncError``: send it as an `error` line (unless it came
    ///   from the peer) and close.
    public func received(_ message: Message) throws(SyncError) -> [Message] {
        hasHeardFromPeer = true
        if case .error(let code, let reason) = message { throw SyncError(code, reason, fromPeer: true) }
        if case .start = state, role == .server {
            state = .greeting(Greeting())
        }
        switch state {
        case .greeting(var greeting):
            return try greet(message, &greeting)
        case .wants(let phase, var wants):
            switch message {
            case .want(let author, let after):
                wants[author] = after
                state = .wants(phase, wants)
                return []
            case .wantsEnd:
                return try startSending(phase, wants)
            default:
                throw unexpected(message, "want or wants-end")
            }
        case .receiving(let phase, var incoming):
            return try receive(message, phase, &incoming)
        case .sending(let phase, var outgoing):
            guard case .ack(let count) = message else { throw unexpected(message, "ack") }
            guard count == outgoing.sent + outgoing.inFlight else {
                throw SyncError(SyncError.unexpected, "expected ack \(outgoing.sent + outgoing.inFlight), found ack \(count)")
            }
            outgoing.sent += outgoing.inFlight
            report.sent += outgoing.inFlight
            outgoing.inFlight = 0
            return try sendNext(phase, &outgoing)
        case .digest:
            guard case .digest(let theirs) = message else { throw unexpected(message, "digest") }
            let mine = try storeHeads().digest
            report.digestsMatch = theirs == mine
            state = .finished
            return role == .server ? [.digest(mine)] : []
        case .start, .finished:
            throw unexpected(message, "nothing more")
        }
    }

    // MARK: Greeting

    private func greet(_ message: Message, _ greeting: inout Greeting) throws(SyncError) -> [Message] {
        switch (message, greeting.hello, greeting.expected) {
        case (.hello(let version, let workspace, let mode), nil, _):
            guard version == 1 else { throw SyncError(SyncError.badVersion, "expected protocol version 1, found \(version)") }
            if let mine = store?.workspace, let workspace, workspace != mine {
                throw SyncError(SyncError.wrongWorkspace, "expected workspace \(mine), found \(workspace)")
            }
            if role == .server {
                guard workspace != nil || mode == .pull else {
                    throw SyncError(SyncError.malformed, "expected a workspace id, or * only to clone in pull mode")
                }
                self.mode = mode
            } else if workspace == nil {
                throw SyncError(SyncError.malformed, "expected the server's workspace id, found *")
            }
            self.workspace = self.workspace ?? workspace
            greeting.hello = (workspace, mode)
        case (.heads(let count), _?, nil):
            greeting.expected = count
        case (.head(let author, let seq, let id), _?, let expected?) where greeting.heads.authors.count < expected:
            guard greeting.heads[author] == nil else { throw SyncError(SyncError.malformed, "expected one head per author, found \(author.short) twice") }
            greeting.heads[author] = Head(seq: seq, id: id)
        default:
            throw unexpected(message, greeting.hello == nil ? "hello" : greeting.expected == nil ? "heads" : "head")
        }
        guard let expected = greeting.expected, greeting.heads.authors.count == expected else {
            state = .greeting(greeting)
            return []
        }
        peerHeads = greeting.heads
        switch role {
        case .server:
            ownHeads = try storeHeads()
            state = .wants(.pull, [:])
            return [.hello(version: 1, workspace: store?.workspace, mode: mode)] + headLines(ownHeads)
        case .client:
            state = .receiving(.pull, Incoming())
            return (mode == .push ? [] : wants(from: peerHeads)) + [.wantsEnd]
        }
    }

    private func headLines(_ heads: Heads) -> [Message] {
        [.heads(count: heads.authors.count)] + heads.authors.sorted { $0.key < $1.key }.map { .head($0.key, seq: $0.value.seq, id: $0.value.id) }
    }

    /// A `want` for every author the peer holds more of than this side.
    private func wants(from theirs: Heads) -> [Message] {
        theirs.authors.sorted { $0.key < $1.key }.compactMap { author, head in
            let mine = ownHeads[author]?.seq ?? 0
            return head.seq > mine ? .want(author, after: mine) : nil
        }
    }

    // MARK: Sending

    private func sends(in phase: Phase) -> Bool { (phase == .pull) == (role == .server) }

    private func startSending(_ phase: Phase, _ wants: [DeviceID: Int]) throws(SyncError) -> [Message] {
        if !wants.isEmpty && ((phase == .pull && mode == .push) || (phase == .push && mode == .pull)) {
            throw SyncError(SyncError.unexpected, "expected no wants in \(mode) mode")
        }
        var outgoing = Outgoing(page: ChangePage(after: wants, everyAuthor: false))
        return try sendNext(phase, &outgoing)
    }

    /// The next batch, or the end of the phase.
    private func sendNext(_ phase: Phase, _ outgoing: inout Outgoing) throws(SyncError) -> [Message] {
        guard let store else { preconditionFailure("a cloning client never sends") }
        let batch = try storage { () throws(StoreError) in
            try store.next(&outgoing.page, limit: limits.maximumBatchChanges, maximumBytes: limits.maximumBatchBytes,
                           maximumTextBytes: limits.preferredBatchTextBytes)
        }
        guard let batch else { return try endSending(phase, outgoing) }
        let texts = try storage { () throws(StoreError) in try store.texts(for: batch) }
        outgoing.inFlight = batch.count
        state = .sending(phase, outgoing)
        return [.batch(count: batch.count)] + texts.flatMap(chunks) + batch.map { .change($0) } + [.batchEnd]
    }

    private func endSending(_ phase: Phase, _ outgoing: Outgoing) throws(SyncError) -> [Message] {
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
    private func chunks(of text: String) -> [Message] {
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

    // MARK: Receiving

    private func receive(_ message: Message, _ phase: Phase, _ incoming: inout Incoming) throws(SyncError) -> [Message] {
        defer { if case .receiving = state { state = .receiving(phase, incoming) } }
        switch (message, incoming.batch) {
        case (.batch(let count), nil):
            guard count >= 1, count <= limits.maximumBatchChanges else {
                throw SyncError(SyncError.tooLarge, "expected a batch of 1 to \(limits.maximumBatchChanges) changes, found \(count)")
            }
            incoming.batch = Incoming.Batch(expected: count)
            return []
        case (.text(let revision, let index, let total, let chunk), var batch?) where batch.changes.isEmpty:
            var entry = batch.texts[revision] ?? (total, [])
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
        case (.change(let change), var batch?) where batch.changes.count < batch.expected:
            batch.changeBytes += change.bytes.count
            guard batch.changeBytes <= limits.maximumBatchBytes else {
                throw SyncError(SyncError.tooLarge, "expected at most \(limits.maximumBatchBytes) bytes of changes in a batch")
            }
            batch.changes.append(change)
            incoming.batch = batch
            return []
        case (.batchEnd, let batch?) where batch.changes.count == batch.expected:
            incoming.batch = nil
            incoming.total += batch.expected
            try commit(batch)
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

    private func commit(_ batch: Incoming.Batch) throws(SyncError) {
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
                report.applied.add(try store.apply(changes, now: now()))
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

    private func endReceiving(_ phase: Phase) throws(SyncError) -> [Message] {
        switch (role, phase) {
        case (.client, .pull):
            state = .wants(.push, [:])
            return []
        case (.server, .push):
            state = .digest
            return []
        default:
            preconditionFailure("\(role) does not receive in \(phase)")
        }
    }

    // MARK: Helpers

    private func storeHeads() throws(SyncError) -> Heads {
        guard let store else { return Heads() }
        return try storage { () throws(StoreError) in try store.heads() }
    }

    private func storage<T>(_ body: () throws(StoreError) -> T) throws(SyncError) -> T {
        do { return try body() } catch { throw SyncError(SyncError.storage, "\(error)") }
    }

    private func unexpected(_ message: Message, _ expected: String) -> SyncError {
        SyncError(SyncError.unexpected, "expected \(expected), found \(message.verb)")
    }
}
