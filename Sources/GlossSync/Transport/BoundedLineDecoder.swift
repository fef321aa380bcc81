import NIOCore

/// Splits bytes into LF-terminated lines, refusing a line longer than
/// `maximumLength` as soon as that many bytes arrive without an LF, so a
/// hostile peer cannot make the receiver buffer an endless line.
/// (`LineBasedFrameDecoder` of swift-nio-extras has no such bound.)
struct BoundedLineDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    struct LineTooLong: Error {
        let maximumLength: Int
    }

    let maximumLength: Int
    private var scanned = 0

    init(maximumLength: Int) {
        self.maximumLength = maximumLength
    }

    mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        let view = buffer.readableBytesView
        guard let end = view.dropFirst(scanned).firstIndex(of: 0x0A) else {
            scanned = view.count
            if scanned > maximumLength { throw LineTooLong(maximumLength: maximumLength) }
            return nil
        }
        let length = end - view.startIndex
        guard length <= maximumLength else { throw LineTooLong(maximumLength: maximumLength) }
        scanned = 0
        let line = buffer.readSlice(length: length)
        buffer.moveReaderIndex(forwardBy: 1)
        return line
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try decode(buffer: &buffer)
    }
}
