import Contracts
import Foundation
import NIOCore
import NIOFoundationCompat

/// One client connection's bookkeeping: calls waiting for their reply, matched by id.
///
/// Lives on the channel's event loop. A reply resolves its call; a deadline fails it; a
/// connection that drops fails every waiting call at once, so nothing hangs.
final class RPCClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = Command
    typealias OutboundOut = ByteBuffer

    /// What a caller on any thread writes into the channel.
    enum Command: Sendable {
        /// Send `line`; resolve `continuation` with the reply line.
        case call(id: RPCID, line: ByteBuffer, deadline: NIODeadline, continuation: CheckedContinuation<ByteBuffer, any Error>)
        /// The caller stopped waiting (its task was cancelled).
        case cancel(id: RPCID)
    }

    private struct Pending {
        var continuation: CheckedContinuation<ByteBuffer, any Error>
        var timeout: Scheduled<Void>?
    }

    private var pending: [RPCID: Pending] = [:]
    private let label: String
    /// Lines the server pushes without an id (subscriptions).
    private let onNotification: (@Sendable (ByteBuffer) -> Void)?

    init(label: String, onNotification: (@Sendable (ByteBuffer) -> Void)? = nil) {
        self.label = label
        self.onNotification = onNotification
    }

    /// The write's promise succeeds once the call is registered: from then on this handler
    /// resolves its continuation. A failed promise means the call never got here.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .call(let id, let line, let deadline, let continuation):
            guard context.channel.isActive else {
                promise?.fail(ChannelError.ioOnClosedChannel)
                return
            }
            promise?.succeed()
            send(context: context, id: id, line: line, deadline: deadline, continuation: continuation)
        case .cancel(let id):
            promise?.succeed()
            fail(id: id, with: CancellationError())
        }
    }

    private func send(
        context: ChannelHandlerContext, id: RPCID, line: ByteBuffer, deadline: NIODeadline,
        continuation: CheckedContinuation<ByteBuffer, any Error>
    ) {
        let label = label
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let timeout = context.eventLoop.scheduleTask(deadline: deadline) {
            bound.value.fail(id: id, with: RPCError.deadlineExceeded("no reply from \(label) before the deadline"))
        }
        pending[id] = Pending(continuation: continuation, timeout: timeout)
        context.writeAndFlush(wrapOutboundOut(line), promise: nil)
    }

    /// Fails one waiting call (deadline passed, caller cancelled).
    private func fail(id: RPCID, with error: any Error) {
        guard let entry = pending.removeValue(forKey: id) else { return }
        entry.timeout?.cancel()
        entry.continuation.resume(throwing: error)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = unwrapInboundIn(data)
        guard let head = try? JSONDecoder().decode(IDOnly.self, from: line) else {
            // A server that sends garbage cannot be trusted with the calls still waiting.
            context.close(promise: nil)
            return
        }
        guard let id = head.id else {
            onNotification?(line)
            return
        }
        guard let entry = pending.removeValue(forKey: id) else { return }
        entry.timeout?.cancel()
        entry.continuation.resume(returning: line)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let waiting = pending
        pending = [:]
        for entry in waiting.values {
            entry.timeout?.cancel()
            entry.continuation.resume(throwing: RPCError.connectionLost(label))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private struct IDOnly: Decodable { var id: RPCID? }
}

extension RPCError {
    /// The connection to an instance dropped before the reply came; the call may or may not have run.
    public static func connectionLost(_ instance: String) -> RPCError {
        .unavailable("connection to \(instance) lost", reason: .connectionLost)
    }

    /// No instance of the service is reachable.
    public static func noInstance(_ service: String) -> RPCError {
        .unavailable("no instance of \(service) is reachable", reason: .noInstance)
    }
}
