import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The HTTP server's accepted connections: how many each peer address holds, the deadline for a
/// new connection's first request head, and the list a drain that runs out of time closes
/// (Hummingbird waits for each connection to finish, and one that was accepted but never sent
/// a request, as browsers pre-open them, has nothing to finish).
///
/// A peer past `perAddress` open connections is answered 503 and closed at once, before it
/// reads a byte; a trusted proxy (every client behind it shares its address) is exempt. The
/// total is capped apart, by not accepting (see `Gateway`).
final class OpenConnections: Sendable {
    struct Limits: Sendable {
        var perAddress: Int
        var headerTimeout: Duration
        /// Peers exempt from `perAddress`.
        var exempt: @Sendable (IPAddress) -> Bool
    }

    private struct State {
        var open: [ObjectIdentifier: any Channel] = [:]
        var perAddress: [IPAddress: Int] = [:]
        var refused = 0
    }

    private let state = Mutex(State())
    let limits: Limits

    init(limits: Limits = .init(perAddress: .max, headerTimeout: .seconds(10), exempt: { _ in false })) {
        self.limits = limits
    }

    /// Starts following `server`'s accepted connections (from `onServerRunning`).
    func follow(_ server: any Channel) async throws {
        try await server.eventLoop.submit {
            try server.pipeline.syncOperations.addHandler(Collector(connections: self), position: .first)
        }.get()
    }

    /// Closes every connection still open; returns how many there were.
    func closeAll() -> Int {
        let all = state.withLock { Array($0.open.values) }
        for channel in all { channel.close(promise: nil) }
        return all.count
    }

    /// Connections open now, and those refused for their address since the start.
    var counts: (open: Int, refused: Int) { state.withLock { ($0.open.count, $0.refused) } }

    /// Counts a new connection in; `false` when its address holds its share already.
    private func admit(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let address = channel.remoteAddress?.ipAddress.flatMap { IPAddress($0) }
        let admitted = state.withLock { state -> Bool in
            if let address, !limits.exempt(address) {
                guard state.perAddress[address, default: 0] < limits.perAddress else {
                    state.refused += 1
                    return false
                }
                state.perAddress[address, default: 0] += 1
            }
            state.open[id] = channel
            return true
        }
        guard admitted else { return false }
        channel.closeFuture.whenComplete { [self] _ in
            state.withLock { state in
                state.open[id] = nil
                if let address, !limits.exempt(address) {
                    let left = state.perAddress[address, default: 1] - 1
                    state.perAddress[address] = left > 0 ? left : nil
                }
            }
        }
        return true
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = any Channel
        let connections: OpenConnections

        init(connections: OpenConnections) { self.connections = connections }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let channel = unwrapInboundIn(data)
            let admitted = connections.admit(channel)
            let timeout = connections.limits.headerTimeout
            // Placed before the HTTP handlers the server adds once the channel registers.
            channel.eventLoop.execute {
                let guardian: any ChannelHandler = admitted ? FirstRequestGuard(timeout: timeout) : TooManyConnections()
                try? channel.pipeline.syncOperations.addHandler(guardian, position: .first)
            }
            context.fireChannelRead(data)
        }
    }
}

/// The front of every accepted connection, on raw bytes, for its first request:
/// - closes it when that request's head has not fully arrived within `timeout` of the accept (a
///   slowloris sends a byte now and then and never finishes);
/// - when that request upgrades to a WebSocket, checks that every frame the client sends is
///   masked (RFC 6455, 5.1): an unmasked one closes the connection with 1002. (The frames are
///   parsed here because the WebSocket library passes frames on without their mask bit.)
/// It steps aside after a first request that is not an upgrade; later requests on a kept-alive
/// connection are timed by `RequestHeadDeadline`. (Browsers open each WebSocket on a connection
/// of its own, so an upgrade is the first request.)
final class FirstRequestGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private enum Phase {
        /// Reading the first head.
        case head
        /// An upgrade was asked for: what the client sends meanwhile waits for the answer.
        case answer(held: [ByteBuffer])
        /// Upgraded: client frames, parsed for their mask bit.
        case frames
        /// An unmasked frame came: closing, nothing more is read.
        case failed
    }

    let timeout: Duration
    private var timer: Scheduled<Void>?
    private var phase = Phase.head
    /// The head so far (bounded by the HTTP decoder's own limits behind us, and by 80 KiB here).
    private var head: [UInt8] = []
    private var frames = FrameMasks()

    init(timeout: Duration) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) { loopBound.value.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        switch phase {
        case .head:
            let start = head.count
            head += buffer.readableBytesView.prefix(80 * 1024 - head.count)
            guard let end = Self.headEnd(head, from: max(0, start - 3)) else {
                context.fireChannelRead(data)
                return
            }
            timer?.cancel()
            timer = nil
            let text = String(decoding: head[..<end], as: UTF8.self).lowercased()
            guard text.contains("\r\nupgrade: websocket") || text.contains("\r\nupgrade:websocket") else {
                context.fireChannelRead(data)
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                return
            }
            // The head goes on; bytes after it (a client that did not wait for the answer) wait here.
            let headBytes = end + 4 - start
            var rest = buffer
            let passed = rest.readSlice(length: min(headBytes, rest.readableBytes))!
            phase = .answer(held: rest.readableBytes > 0 ? [rest] : [])
            context.fireChannelRead(NIOAny(passed))
        case .answer(var held):
            held.append(buffer)
            phase = .answer(held: held)
        case .frames:
            pass(buffer, context: context)
        case .failed:
            break
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .answer(let held) = phase {
            var status = ""
            if case .byteBuffer(let buffer) = unwrapOutboundIn(data) {
                status = buffer.getString(at: buffer.readerIndex, length: min(12, buffer.readableBytes)) ?? ""
            }
            context.write(data, promise: promise)
            if status == "HTTP/1.1 101" {
                phase = .frames
                for buffer in held { pass(buffer, context: context) }
            } else {
                // Refused: plain HTTP from here on.
                for buffer in held { context.fireChannelRead(NIOAny(buffer)) }
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            }
            return
        }
        context.write(data, promise: promise)
    }

    /// Passes frame bytes on, or answers an unmasked frame with close 1002 and closes.
    private func pass(_ buffer: ByteBuffer, context: ChannelHandlerContext) {
        guard frames.accept(buffer.readableBytesView) else {
            var close = context.channel.allocator.buffer(capacity: 4)
            close.writeBytes([0x88, 0x02, 0x03, 0xEA])
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(NIOAny(IOData.byteBuffer(close))).whenComplete { _ in loopBound.value.close(promise: nil) }
            phase = .failed
            return
        }
        context.fireChannelRead(NIOAny(buffer))
    }

    /// Where `\r\n\r\n` starts in `bytes`, looking from `start`.
    static func headEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= 4 else { return nil }
        return (start...(bytes.count - 4)).first { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }
    }
}

/// Follows a client's WebSocket frames across reads, header by header, to see each one's mask
/// bit. Pure: fed bytes, it says whether every frame so far was masked.
struct FrameMasks: Sendable {
    /// The header of the frame being read (up to 14 bytes), or nothing while in a payload.
    private var header: [UInt8] = []
    /// Payload bytes of the current frame still to come.
    private var payload: UInt64 = 0

    /// Takes the next bytes; `false` at the first unmasked frame (or an impossible length).
    mutating func accept(_ bytes: some Collection<UInt8>) -> Bool {
        var index = bytes.startIndex
        while index != bytes.endIndex {
            if payload > 0 {
                let available = UInt64(bytes.distance(from: index, to: bytes.endIndex))
                let skipped = min(payload, available)
                payload -= skipped
                index = bytes.index(index, offsetBy: Int(skipped))
                continue
            }
            header.append(bytes[index])
            index = bytes.index(after: index)
            guard header.count >= 2 else { continue }
            guard header[1] & 0x80 != 0 else { return false }
            let lengthBytes =
                switch header[1] & 0x7F {
                case 126: 2
                case 127: 8
                default: 0
                }
            guard header.count == 2 + lengthBytes + 4 else { continue }
            var length = UInt64(header[1] & 0x7F)
            if lengthBytes > 0 { length = header[2..<(2 + lengthBytes)].reduce(0) { $0 << 8 | UInt64($1) } }
            guard length < 1 << 63 else { return false }
            payload = length
            header.removeAll(keepingCapacity: true)
        }
        return true
    }
}

/// Times the requests after the first on a kept-alive connection: once a response has ended, the
/// next request's head must arrive within `timeout` (an idle connection and one that drips a
/// head alike are closed then).
final class RequestHeadDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let timeout: Duration
    private var timer: Scheduled<Void>?

    init(timeout: Duration) { self.timeout = timeout }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            timer?.cancel()
            timer = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            timer?.cancel()
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            timer = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) { loopBound.value.close(promise: nil) }
        }
        context.write(data, promise: promise)
    }
}

/// Answers a connection over its address's share with 503 and closes it; nothing it sends is read.
final class TooManyConnections: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    static let answer: String = {
        let body = #"{"error":{"code":"too_many_connections","message":"this address holds too many open connections","details":{}}}"#
        return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 5\r\nConnection: close\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
    }()

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: Self.answer.utf8.count)
        buffer.writeString(Self.answer)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in loopBound.value.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
