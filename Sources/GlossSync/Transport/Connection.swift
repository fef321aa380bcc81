import NIOCore
import NIOSSL
import GlossCore

/// Drives a session over one TLS connection: each line received goes to
/// the session, and what it returns is written in one flush.
enum Connection {
    static func drive(_ session: SyncSession, over channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, maximumLineLength: Int,
                      trace: Trace?, progress: ((SyncReport) -> Void)? = nil) async throws {
        try await channel.executeThenClose { inbound, outbound in
            func send(_ messages: [Message]) async throws {
                guard !messages.isEmpty else { return }
                var buffer = ByteBuffer()
                for message in messages {
                    let line = Wire.encode(message)
                    trace?.record(">", line)
                    buffer.writeBytes(line)
                }
                try await outbound.write(buffer)
            }
            do {
                if case .client = session.role { try await send(try session.start()) }
                for try await line in inbound {
                    trace?.record("<", Array(line.readableBytesView))
                    let before = session.report
                    try await send(try session.received(try Wire.decode(line.readableBytesView)))
                    if session.report != before { progress?(session.report) }
                    if session.isFinished { return }
                }
                throw TransportError.closedEarly
            } catch let error as SyncError {
                if !error.fromPeer { try? await send([.error(code: error.code, reason: error.reason)]) }
                throw error
            } catch is BoundedLineDecoder.LineTooLong {
                let error = SyncError(SyncError.tooLarge, "expected lines of at most \(maximumLineLength) bytes")
                try? await send([.error(code: error.code, reason: error.reason)])
                throw error
            }
        }
    }

    /// The handlers after TLS: the idle timeout and the line decoder.
    static func addLineHandlers(to channel: Channel, limits: SyncLimits, idleTimeout: TimeAmount) throws {
        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
        try channel.pipeline.syncOperations.addHandler(IdleCloser(seconds: idleTimeout.nanoseconds / 1_000_000_000))
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(BoundedLineDecoder(maximumLength: limits.maximumLineLength)))
    }
}

/// Closes a connection whose peer has said nothing for the idle timeout,
/// telling it why first.
final class IdleCloser: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let seconds: Int64

    init(seconds: Int64) { self.seconds = seconds }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read else {
            return context.fireUserInboundEventTriggered(event)
        }
        let line = Wire.encode(.error(code: SyncError.idle, reason: "heard nothing for \(seconds) s"))
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: line))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
