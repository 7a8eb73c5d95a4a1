import NIOCore

/// Splits a byte stream into lines of at most `maximumLineLength` bytes, each valid UTF-8.
///
/// Empty (or whitespace-only) lines are skipped; a trailing `\r` is dropped; a last line without
/// its `\n` is still delivered at end of input, so `echo -n … | socat` works.
public struct JSONLineDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    /// Why a stream was refused. After either, the connection is answered once and closed.
    public enum Failure: Error, Equatable {
        case lineTooLong(limit: Int)
        case invalidUTF8
    }

    /// 1 MiB: the wire's limit for one JSON line.
    public static let defaultMaximumLineLength = 1 << 20

    public let maximumLineLength: Int
    /// Bytes already searched for a newline, so drip-fed input is not scanned again and again.
    private var scanned = 0

    public init(maximumLineLength: Int = JSONLineDecoder.defaultMaximumLineLength) {
        self.maximumLineLength = maximumLineLength
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let line = try nextLine(&buffer) else { return .needMoreData }
        if let line = line { context.fireChannelRead(wrapInboundOut(line)) }
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0 {
            var rest = buffer.readSlice(length: buffer.readableBytes)!
            scanned = 0
            if let line = try Self.validated(&rest) { context.fireChannelRead(wrapInboundOut(line)) }
        }
        return .needMoreData
    }

    /// `nil`: more bytes needed. `.some(nil)`: a blank line was consumed.
    mutating func nextLine(_ buffer: inout ByteBuffer) throws -> ByteBuffer?? {
        let view = buffer.readableBytesView
        guard let newline = view.dropFirst(scanned).firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = view.count
            if scanned > maximumLineLength { throw Failure.lineTooLong(limit: maximumLineLength) }
            return nil
        }
        let length = newline - view.startIndex
        scanned = 0
        if length > maximumLineLength { throw Failure.lineTooLong(limit: maximumLineLength) }
        var line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        return .some(try Self.validated(&line))
    }

    /// Drops a trailing `\r`, skips blank lines and refuses invalid UTF-8.
    static func validated(_ line: inout ByteBuffer) throws -> ByteBuffer? {
        if line.readableBytesView.last == UInt8(ascii: "\r") {
            line.moveWriterIndex(to: line.writerIndex - 1)
        }
        let view = line.readableBytesView
        if view.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
        if view.contains(where: { $0 >= 0x80 }), String(validating: view, as: UTF8.self) == nil {
            throw Failure.invalidUTF8
        }
        return line
    }
}
