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
        /// Changes acknowledged so far in the phase.
        var sent = 0
        /// The sizes of the batches sent and not yet acknowledged, oldest first.
        var inFlight: [Int] = []
    }

    /// How many batches a sender keeps unacknowledged: with two, it reads
    /// and sends the next batch while the receiver commits the last one.
    static let window = 2

    public let role: Role
    public internal(set) var store: Store?
    public internal(set) var report = SyncReport()
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
            state = .receiving(phase, Incoming())  // `incoming` is then the only reference, and mutates in place
            return try receive(message, phase, &incoming)
        case .sending(let phase, var outgoing):
            guard case .ack(let count) = message, let oldest = outgoing.inFlight.first else { throw unexpected(message, "ack") }
            guard count == outgoing.sent + oldest else {
                throw SyncError(SyncError.unexpected, "expected ack \(outgoing.sent + oldest), found ack \(count)")
            }
            outgoing.sent += oldest
            report.sent += oldest
            outgoing.inFlight.removeFirst()
            return try sendMore(phase, &outgoing)
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
    func wants(from theirs: Heads) -> [Message] {
        theirs.authors.sorted { $0.key < $1.key }.compactMap { author, head in
            let mine = ownHeads[author]?.seq ?? 0
            return head.seq > mine ? .want(author, after: mine) : nil
        }
    }

    // MARK: Helpers

    func storeHeads() throws(SyncError) -> Heads {
        guard let store else { return Heads() }
        return try storage { () throws(StoreError) in try store.heads() }
    }

    func storage<T>(_ body: () throws(StoreError) -> T) throws(SyncError) -> T {
        do { return try body() } catch { throw SyncError(SyncError.storage, "\(error)") }
    }

    func unexpected(_ message: Message, _ expected: String) -> SyncError {
        SyncError(SyncError.unexpected, "expected \(expected), found \(message.verb)")
    }
}
