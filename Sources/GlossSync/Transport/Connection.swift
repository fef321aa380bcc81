import NIOCore
import NIOSSL
import GlossCore

/// Drives a session over one TLS connection: each line received goes to
/// the session, and what it returns is written in one flush.
enum Connection {
    static func drive(_ session: SyncSession, over channel: NIOAsyncChannel<[ReceivedLine], ByteBuffer>, maximumLineLength: Int,
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
                for try await lines in inbound {
                    for received in lines {
                        trace?.record("<", Array(received.line.readableBytesView))
                        let before = session.report
                        try await send(try session.received(try received.message.get()))
                        if session.report != before { progress?(session.report) }
                        if session.isFinished { return }
                    }
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

    /// How many reads' worth of decoded lines may wait for the session
    /// before the connection stops reading: enough to decode the next
    /// batch while the session stores the last one. Counted in reads, not
    /// lines, so that what waits is bounded in bytes: a read is at most
    /// NIO's 4 socket reads of 64 KiB, plus a line begun before it (at
    /// most `maximumLineLength`).
    static let configuration = NIOAsyncChannel<[ReceivedLine], ByteBuffer>.Configuration(
        backPressureStrategy: .init(lowWatermark: 8, highWatermark: 32))

    /// The handlers after TLS: the idle timeout, the line decoder and the message decoder.
    static func addLineHandlers(to channel: Channel, limits: SyncLimits, idleTimeout: TimeAmount) throws {
        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
        try channel.pipeline.syncOperations.addHandler(IdleCloser(seconds: idleTimeout.nanoseconds / 1_000_000_000))
        try channel.pipeline.syncOperations.addHandler(
            ByteToMessageHandler(BoundedLineDecoder(maximumLength: limits.maximumLineLength)))
        try channel.pipeline.syncOperations.addHandler(MessageDecoder())
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

/// A line as received, and the message it decodes to or why it does not.
struct ReceivedLine: Sendable {
    let line: ByteBuffer
    let message: Result<Message, SyncError>
}

/// Decodes each line into its message on the event loop, and passes on a
/// read's lines together: while the session stores one batch, the next
/// is parsed on another thread.
final class MessageDecoder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = [ReceivedLine]
    private var lines: [ReceivedLine] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        lines.append(ReceivedLine(line: line, message: Result { () throws(SyncError) in try Wire.decode(line.readableBytesView) }))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        passOn(context)
        context.fireChannelReadComplete()
    }

    /// The lines before an error or the end still reach the session first.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        passOn(context)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        passOn(context)
        context.fireChannelInactive()
    }

    private func passOn(_ context: ChannelHandlerContext) {
        guard !lines.isEmpty else { return }
        context.fireChannelRead(wrapInboundOut(lines))
        lines = []
    }
}
