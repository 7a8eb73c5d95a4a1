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
                let guardian: any ChannelHandler = admitted ? FirstRequestDeadline(timeout: timeout) : TooManyConnections()
                try? channel.pipeline.syncOperations.addHandler(guardian, position: .first)
            }
            context.fireChannelRead(data)
        }
    }
}

/// Closes a connection whose first request head has not fully arrived within `timeout` of the
/// accept (a slowloris sends a byte now and then and never finishes). It watches raw bytes for
/// the blank line that ends a head, then steps aside; later requests on a kept-alive connection
/// are timed by `RequestHeadDeadline`.
final class FirstRequestDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let timeout: Duration
    private var timer: Scheduled<Void>?
    /// The last bytes seen, to find a `\r\n\r\n` split across reads.
    private var tail: [UInt8] = []

    init(timeout: Duration) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            loopBound.value.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        tail += buffer.readableBytesView
        let complete = tail.withUnsafeBufferPointer { bytes in
            bytes.count >= 4
                && (0...(bytes.count - 4)).contains { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }
        }
        if complete {
            timer?.cancel()
            timer = nil
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        if tail.count > 3 { tail.removeFirst(tail.count - 3) }
        context.fireChannelRead(data)
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
