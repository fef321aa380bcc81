import GlossCore

/// Which way changes flow in a session.
public enum SyncMode: String, Sendable, CaseIterable {
    /// Both ways.
    case sync
    /// The client receives only.
    case pull
    /// The client sends only.
    case push
}

/// One line of the sync protocol (`Protocol/sync.md`, section 5).
public enum Message: Equatable, Sendable {
    case hello(version: Int, workspace: WorkspaceID?, mode: SyncMode)
    case heads(count: Int)
    case head(DeviceID, seq: Int, id: ChangeID)
    case want(DeviceID, after: Int)
    case wantsEnd
    case batch(count: Int)
    case text(revision: RevisionHash, index: Int, total: Int, chunk: String)
    case change(SignedChange)
    case batchEnd
    case ack(count: Int)
    case sent(count: Int)
    case digest(String)
    case error(code: Int, reason: String)

    /// The verb that starts the line.
    public var verb: String {
        switch self {
        case .hello: "hello"
        case .heads: "heads"
        case .head: "head"
        case .want: "want"
        case .wantsEnd: "wants-end"
        case .batch: "batch"
        case .text: "text"
        case .change: "change"
        case .batchEnd: "batch-end"
        case .ack: "ack"
        case .sent: "sent"
        case .digest: "digest"
        case .error: "error"
        }
    }
}

/// A protocol failure: the error code and reason sent in an `error` line
/// (`Protocol/sync.md`, section 7).
public struct SyncError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    /// Whether the peer sent this error (rather than this side finding it).
    public var fromPeer: Bool

    public init(_ code: Int, _ reason: String, fromPeer: Bool = false) {
        self.code = code
        self.reason = reason
        self.fromPeer = fromPeer
    }

    public static let malformed = 400
    public static let wrongWorkspace = 404
    public static let idle = 408
    public static let unexpected = 409
    public static let tooLarge = 413
    public static let refused = 422
    public static let badVersion = 426
    public static let storage = 500
    public static let busy = 503

    public var description: String { "\(fromPeer ? "the peer said: " : "")error \(code): \(reason)" }
}
