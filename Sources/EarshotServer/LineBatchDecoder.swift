import NIOCore

/// Every complete line one read delivered, so a pipelining client's
/// requests cross from the event loop to the connection's task together
/// and their responses go back in one write.
struct LineBatch: Sendable {
    /// Lines without their `\n` or `\r\n`.
    var lines: [ByteBuffer] = []
    /// A line exceeded the limit after `lines`: the connection answers
    /// `line_too_long` and closes.
    var tooLong = false
}

/// Splits the byte stream at `\n`, bounded by `maxLineBytes`: a longer line
/// is reported once and everything after it is discarded unread, so a
/// client cannot make the daemon buffer without limit.
final class LineBatchDecoder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = LineBatch

    private let maxLineBytes: Int
    private var pending: ByteBuffer?
    /// Bytes of `pending` already searched for a newline, so each byte is scanned once.
    private var scanned = 0
    private var overflowed = false

    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !overflowed else { return }
        var incoming = unwrapInboundIn(data)
        if pending == nil {
            pending = incoming
        } else {
            pending!.discardReadBytes()
            pending!.writeBuffer(&incoming)
        }
        var batch = LineBatch()
        while let line = nextLine() { batch.lines.append(line) }
        if overflowed || (pending?.readableBytes ?? 0) > maxLineBytes + 1 {
            overflowed = true
            pending = nil
            batch.tooLong = true
        }
        if !batch.lines.isEmpty || batch.tooLong { context.fireChannelRead(wrapInboundOut(batch)) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // A last line without its newline, before the client closed its side, is still a request.
        if case .inputClosed? = event as? ChannelEvent, !overflowed, let rest = pending, rest.readableBytes > 0 {
            pending!.writeInteger(UInt8(ascii: "\n"))
            var batch = LineBatch()
            while let line = nextLine() { batch.lines.append(line) }
            if !batch.lines.isEmpty { context.fireChannelRead(wrapInboundOut(batch)) }
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The next complete line of `pending`, or nil; a line over the limit sets `overflowed`.
    private func nextLine() -> ByteBuffer? {
        guard !overflowed, var buffer = pending else { return nil }
        let view = buffer.readableBytesView
        guard let newline = view[(view.startIndex + scanned)...].firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = view.count
            return nil
        }
        var length = newline - view.startIndex
        scanned = 0
        guard length <= maxLineBytes + 1 else {
            overflowed = true
            pending = nil
            return nil
        }
        var line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        pending = buffer.readableBytes > 0 ? buffer : nil
        if length > 0, line.getInteger(at: line.readerIndex + length - 1, as: UInt8.self) == UInt8(ascii: "\r") {
            length -= 1
            line = line.getSlice(at: line.readerIndex, length: length)!
        }
        guard length <= maxLineBytes else {
            overflowed = true
            pending = nil
            return nil
        }
        return line
    }
}
