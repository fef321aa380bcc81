import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import GlossCore
import GlossStore

/// `gloss sync` and `gloss clone`: one client session over TLS.
public enum SyncClient {
    /// How long a client waits for the server to take its connection.
    public static let defaultConnectTimeout = TimeAmount.seconds(10)

    /// Syncs `store` with the server at `host:port`, which must be a
    /// current member of the workspace.
    /// `progress` hears the running totals after each batch.
    public static func sync(_ store: Store, host: String, port: Int, mode: SyncMode, limits: SyncLimits = SyncLimits(),
                            connectTimeout: TimeAmount = defaultConnectTimeout, trace: Trace? = nil, now: @escaping @Sendable () -> Int,
                            progress: ((SyncReport) -> Void)? = nil) async throws -> SyncReport {
        let session = SyncSession(role: .client(mode), store: store, limits: limits, now: now)
        do {
            try await run(session, key: store.key, host: host, port: port, limits: limits, connectTimeout: connectTimeout, trace: trace,
                          progress: progress) { device in
                (try? store.members()[device]) != nil
            }
        } catch {
            // The batches of a pull cut short are kept: derive them now, as
            // the caller may go on with the store. Should that fail, the
            // next open of the store derives them.
            try? session.deriveDeferred()
            throw error
        }
        return session.report
    }

    /// Makes a new replica from the server at `host:port`, trusting only
    /// the device `peer`. `makeStore` makes the store from the first batch.
    public static func clone(key: DeviceKey, host: String, port: Int, peer: DeviceID, limits: SyncLimits = SyncLimits(),
                             connectTimeout: TimeAmount = defaultConnectTimeout, trace: Trace? = nil, now: @escaping @Sendable () -> Int,
                             makeStore: @escaping (ChangeBatch) throws -> (Store, ApplyReport)) async throws -> (Store?, SyncReport) {
        let session = SyncSession(cloningWith: makeStore, limits: limits, now: now)
        try await run(session, key: key, host: host, port: port, limits: limits, connectTimeout: connectTimeout, trace: trace) { $0 == peer }
        return (session.store, session.report)
    }

    private static func run(_ session: SyncSession, key: DeviceKey, host: String, port: Int, limits: SyncLimits,
                            connectTimeout: TimeAmount, trace: Trace?,
                            progress: ((SyncReport) -> Void)? = nil, trusts: @escaping @Sendable (DeviceID) -> Bool) async throws {
        let identity = try DeviceCertificate(key)
        let context = try NIOSSLContext(configuration: identity.configuration(server: false))
        let untrusted = NIOLockedValueBox<DeviceID?>(nil)
        let address = "\(host):\(port)"
        let channel: NIOAsyncChannel<[ReceivedLine], ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(connectTimeout)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let handler = try NIOSSLClientHandler(context: context, serverHostname: nil) { certificates, promise in
                            guard let certificate = certificates.first, let device = DeviceCertificate.deviceID(of: certificate) else {
                                return promise.succeed(.failed)
                            }
                            guard trusts(device) else {
                                untrusted.withLockedValue { $0 = device }
                                return promise.succeed(.failed)
                            }
                            promise.succeed(.certificateVerified)
                        }
                        try channel.pipeline.syncOperations.addHandler(handler)
                        try Connection.addLineHandlers(to: channel, limits: limits, idleTimeout: .seconds(30))
                        return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: Connection.configuration)
                    }
                }
        } catch {
            throw TransportError.cannotConnect(address, reason: Self.reason(error))
        }
        do {
            try await Connection.drive(session, over: channel, maximumLineLength: limits.maximumLineLength, trace: trace,
                                       progress: progress)
        } catch let error as SyncError {
            throw error
        } catch {
            if let device = untrusted.withLockedValue({ $0 }) { throw TransportError.peerNotTrusted(device.rawValue) }
            // Nothing heard: the TLS handshake failed, whichever way NIO reports it.
            if !session.hasHeardFromPeer { throw TransportError.handshakeFailed(address, reason: Self.reason(error)) }
            throw error as? TransportError ?? .closedEarly
        }
    }

    /// Why a connection or its TLS handshake failed, as a person would say
    /// it: "Connection refused", not NIO's account of every address it
    /// tried; "sslv3 alert certificate unknown", not BoringSSL's error stack.
    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let dns = error.dnsAError ?? error.dnsAAAAError { return "cannot resolve \(error.host): \(reason(dns))" }
            return error.connectionErrors.first.map { reason($0.error) } ?? "no address to connect to"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode))
        case let error as SocketAddressError.UnknownHost:
            return error.errorDescription
        case ChannelError.connectTimeout(let timeout):
            let milliseconds = timeout.nanoseconds / 1_000_000
            guard milliseconds % 1000 == 0 else { return "no answer within \(milliseconds) ms" }
            return "no answer within \(milliseconds / 1000) second\(milliseconds == 1000 ? "" : "s")"
        default:
            // BoringSSL's errors read "…:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_UNKNOWN at FILE:LINE": keep the name.
            let text = "\(error)"
            guard let name = text.firstMatch(of: /:([A-Z0-9_]+)\sat\s/)?.1 else { return text }
            return name.lowercased().replacingOccurrences(of: "_", with: " ")
        }
    }
}
