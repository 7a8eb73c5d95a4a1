import Contracts
import Logging
import NIOCore

/// Serves one connection: each line becomes a task, replies go out as they finish, in any order.
///
/// The connection stays open after a bad line that is still a line (parse errors, unknown
/// methods); it is answered and closed for a stream it cannot frame (too long, not UTF-8).
/// Half-closed input and a quiesce request both close the connection once every reply is out.
final class RPCServerHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Past this many unanswered requests the connection stops reading until some finish:
    /// a peer that pipelines without limit slows down instead of growing our memory.
    static let maximumInFlight = 4096
    private var readPending = false
    private var nextKey: UInt64 = 0
    private var deadlines: [UInt64: Scheduled<Void>] = [:]
    /// Running subscriptions: cancelled when the connection closes or the server drains.
    private var streams: [UInt64: Task<Void, Never>] = [:]

    private let router: RPCRouter
    private let logger: Logger
    private let tracker: InFlightTracker
    private var inFlight = 0
    private var closeWhenIdle = false

    init(router: RPCRouter, logger: Logger, tracker: InFlightTracker) {
        self.router = router
        self.logger = logger
        self.tracker = tracker
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var request: RPCRouter.Dispatch
        switch router.prepare(unwrapInboundIn(data), logger: logger) {
        case .reply(let reply):
            context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
            return
        case .ignore:
            return
        case .dispatch(let dispatch):
            request = dispatch
        }
        if request.isStream {
            guard !closeWhenIdle else {
                let reply = RPCRouter.failureLine(id: request.head.id, error: .unavailable("draining"))
                context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
                return
            }
            request.context.push = RPCPush(channel: context.channel)
        }
        inFlight += 1
        tracker.begin()
        nextKey &+= 1
        let key = nextKey
        let router = router
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        let dispatched = request
        let task = Task {
            let reply = await router.run(dispatched)
            loop.execute {
                let (handler, context) = bound.value
                handler.finished(context: context, key: key, reply: reply)
            }
        }
        if request.isStream { streams[key] = task }
        // Nobody waits for the answer after the caller's deadline: stop the work then.
        if let deadline = request.deadline {
            deadlines[key] = loop.scheduleTask(in: .nanoseconds(Deadline.nanoseconds(deadline - .now))) { task.cancel() }
        }
    }

    func read(context: ChannelHandlerContext) {
        if inFlight >= Self.maximumInFlight {
            readPending = true
        } else {
            context.read()
        }
    }

    private func finished(context: ChannelHandlerContext, key: UInt64, reply: ByteBuffer?) {
        deadlines.removeValue(forKey: key)?.cancel()
        streams[key] = nil
        inFlight -= 1
        tracker.end()
        if readPending, inFlight < Self.maximumInFlight {
            readPending = false
            context.read()
        }
        if let reply, context.channel.isActive {
            context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
        }
        closeIfIdle(context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case ChannelEvent.inputClosed:
            // The peer sent all it will send (`echo … | socat`): reply to everything, then close.
            closeWhenIdle = true
            closeIfIdle(context: context)
        case is ChannelShouldQuiesceEvent:
            closeWhenIdle = true
            // A subscription never finishes by itself: end it so its reply goes out and we can close.
            for task in streams.values { task.cancel() }
            closeIfIdle(context: context)
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        for task in streams.values { task.cancel() }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let rpcError: RPCError
        switch error {
        case JSONLineDecoder.Failure.lineTooLong(let limit):
            rpcError = .invalidRequest("line longer than \(limit) bytes; closing the connection")
        case JSONLineDecoder.Failure.invalidUTF8:
            rpcError = .parseError("line is not valid UTF-8; closing the connection")
        default:
            logger.debug("connection error", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        logger.warning("refused a connection's input", metadata: ["error": "\(rpcError.message)"])
        let reply = RPCRouter.failureLine(id: nil, error: rpcError)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(reply)).whenComplete { _ in
            bound.value.close(promise: nil)
        }
    }

    private func closeIfIdle(context: ChannelHandlerContext) {
        if closeWhenIdle, inFlight == 0, context.channel.isActive {
            context.close(promise: nil)
        }
    }
}
