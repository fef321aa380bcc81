import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import GlossCore
import GlossStore

/// `gloss serve`: accepts TLS connections from member devices and runs a
/// server session for each, a child task per connection.
public final class SyncServer: Sendable {
    public struct Options: Sendable {
        public var limits = SyncLimits()
        public var maximumConnections = 32
        public var idleTimeout = TimeAmount.seconds(30)

        public init() {}
    }

    let store: Store
    let options: Options
    let logger: Logger
    let now: @Sendable () -> Int
    private let active = Atomic<Int>(0)

    public init(store: Store, options: Options = Options(), logger: Logger, now: @escaping @Sendable () -> Int) {
        self.store = store
        self.options = options
        self.logger = logger
        self.now = now
    }

    /// Listens on `host:port` (port 0 picks a free one, passed to `bound`)
    /// and serves until the task is cancelled.
    public func run(host: String, port: Int, bound: @Sendable (Int) -> Void = { _ in }) async throws {
        let identity = try DeviceCertificate(store.key)
        let context = try NIOSSLContext(configuration: identity.configuration(server: true))
        let channel: NIOAsyncChannel<Accepted, Never>
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let peer = NIOLockedValueBox<DeviceID?>(nil)
                        let handler = NIOSSLServerHandler(context: context) { [self] certificates, promise in
                            promise.succeed(verify(certificates, remote: channel.remoteAddress, peer: peer))
                        }
                        try channel.pipeline.syncOperations.addHandler(handler)
                        try Connection.addLineHandlers(to: channel, limits: self.options.limits, idleTimeout: self.options.idleTimeout)
                        return Accepted(channel: try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: Connection.configuration), peer: peer)
                    }
                }
        } catch {
            throw TransportError.cannotConnect("\(host):\(port)", reason: "cannot listen: \(error)")
        }
        bound(channel.channel.localAddress?.port ?? port)
        logger.info("serving workspace \(store.workspace) as \(store.device) on \(host):\(channel.channel.localAddress?.port ?? port)")
        try await withTaskCancellationHandler {
            try await channel.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await accepted in inbound {
                        group.addTask { await self.serve(accepted) }
                    }
                }
            }
        } onCancel: {
            channel.channel.close(promise: nil)
        }
    }

    struct Accepted: Sendable {
        let channel: NIOAsyncChannel<[ReceivedLine], ByteBuffer>
        let peer: NIOLockedValueBox<DeviceID?>
    }

    /// Accepts only a current member's certificate, and logs any other.
    private func verify(_ certificates: [NIOSSLCertificate], remote: SocketAddress?, peer: NIOLockedValueBox<DeviceID?>) -> NIOSSLVerificationResult {
        guard let certificate = certificates.first, let device = DeviceCertificate.deviceID(of: certificate) else {
            logger.warning("refused a connection from \(remote?.description ?? "?"): no Ed25519 device certificate")
            return .failed
        }
        guard (try? store.members()[device]) != nil else {
            let removed = (try? store.removedDevices()[device]) != nil
            logger.warning("refused device \(device) from \(remote?.description ?? "?"): \(removed ? "removed from" : "not a member of") the workspace")
            return .failed
        }
        peer.withLockedValue { $0 = device }
        return .certificateVerified
    }

    private func serve(_ accepted: Accepted) async {
        let count = active.wrappingAdd(1, ordering: .relaxed).newValue
        defer { active.wrappingSubtract(1, ordering: .relaxed) }
        if count > options.maximumConnections {
            let line = Wire.encode(.error(code: SyncError.busy, reason: "the server is at its limit of \(options.maximumConnections) connections; try again later"))
            // Wait for the client's first line, so the handshake is done and the error reaches it.
            try? await accepted.channel.executeThenClose { inbound, outbound in
                for try await _ in inbound { break }
                try await outbound.write(ByteBuffer(bytes: line))
            }
            logger.warning("refused a connection: at the limit of \(options.maximumConnections)")
            return
        }
        let session = SyncSession(role: .server, store: store, limits: options.limits, now: now)
        let started = ContinuousClock.now
        do {
            try await Connection.drive(session, over: accepted.channel, maximumLineLength: options.limits.maximumLineLength, trace: nil)
            let report = session.report
            logger.info("synced with \(accepted.peer.withLockedValue { $0?.description } ?? "?"): received \(report.received), sent \(report.sent), conflicts created \(report.conflictsCreated), in \(ContinuousClock.now - started)")
        } catch {
            let peer = accepted.peer.withLockedValue { $0?.description }
            if peer == nil { return }  // the handshake failed; verify() logged why
            logger.warning("session with \(peer ?? "?") failed: \(error)")
        }
    }
}
