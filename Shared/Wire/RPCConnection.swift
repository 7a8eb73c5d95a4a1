import Contracts
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOPosix
import Synchronization

/// One connection to one instance's socket: what `RPCClient` keeps per instance, and what a test
/// or health check uses to reach one particular instance.
public struct RPCConnection: Sendable {
    let channel: any Channel

    /// Connects to `socketPath`.
    public static func connect(
        socketPath: String, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onNotification: (@Sendable (ByteBuffer) -> Void)? = nil
    ) async throws -> RPCConnection {
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ByteToMessageHandler(JSONLineDecoder()),
                        RPCClientHandler(label: socketPath, onNotification: onNotification)
                    )
                }
            }
            .connect(unixDomainSocketPath: socketPath)
            .get()
        return RPCConnection(channel: channel)
    }

    /// Calls `M` on this connection only: no retry, no other instance.
    public func call<M: RPCMethod>(_ method: M.Type, _ params: M.Params, timeout: Duration = .seconds(10)) async throws -> M.Result {
        try await call(
            M.self, params, id: .number(RPCConnection.ids.add(1, ordering: .relaxed).newValue), deadline: .now + timeout,
            trace: RPCContext.current?.trace, idempotencyKey: nil)
    }

    public func close() {
        channel.close(promise: nil)
    }

    static let ids = Atomic<Int64>(0)

    func call<M: RPCMethod>(
        _ method: M.Type, _ params: M.Params, id: RPCID,
        deadline: ContinuousClock.Instant, trace: String?, idempotencyKey: String?
    ) async throws -> M.Result {
        let remaining = deadline - .now
        guard remaining > .zero else { throw RPCError.deadlineExceeded() }
        let remainingMS = min(Deadline.nanoseconds(remaining) / 1_000_000, Deadline.maximumMilliseconds)
        let request = RPCRequest(
            id: id, method: M.name, params: params,
            trace: trace, deadlineMS: remainingMS, idempotencyKey: idempotencyKey
        )
        let line = try RPCRouter.encodeLine(request)
        let nioDeadline = NIODeadline.now() + .nanoseconds(remainingMS * 1_000_000 + 1_000_000)
        let channel = channel
        let reply = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ByteBuffer, any Error>) in
                channel.writeAndFlush(RPCClientHandler.Command.call(id: id, line: line, deadline: nioDeadline, continuation: continuation))
                    .whenFailure { _ in continuation.resume(throwing: RPCError.connectionLost(M.name)) }
            }
        } onCancel: {
            channel.writeAndFlush(RPCClientHandler.Command.cancel(id: id), promise: nil)
        }
        let decoded = try WireJSON.decoder().decode(RPCReply<M.Result>.self, from: reply)
        if let error = decoded.error { throw error }
        guard let result = decoded.result else {
            throw RPCError.internalError("a reply with neither result nor error")
        }
        return result
    }
}

extension RPCConnection {
    /// Calls the stream method `M` on a connection of its own to `socketPath` and hands the params
    /// of every line the server pushes to `receive`, in order, one at a time. Returns the stream's
    /// final result once every pushed line before it was received; throws `connection_lost` when
    /// the connection drops, also after every line that came before.
    public static func subscribe<M: RPCMethod, Pushed: Decodable & Sendable>(
        _ method: M.Type, _ params: M.Params, socketPath: String, pushed: Pushed.Type,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        receive: @escaping @Sendable (Pushed) async throws -> Void
    ) async throws -> M.Result {
        let (lines, pending) = AsyncStream.makeStream(of: ByteBuffer.self)
        let connection = try await connect(socketPath: socketPath, group: group) { pending.yield($0) }
        defer { connection.close() }
        let receiver = Task {
            do {
                for await line in lines {
                    try await receive(try WireJSON.decoder().decode(PushedLine<Pushed>.self, from: line).params)
                }
            } catch {
                connection.close()
                throw error
            }
        }
        let outcome: Result<M.Result, any Error>
        do {
            // A stream has no deadline; the far one only keeps the bookkeeping uniform.
            outcome = .success(
                try await withTaskCancellationHandler {
                    try await connection.call(
                        M.self, params, id: .number(ids.add(1, ordering: .relaxed).newValue),
                        deadline: .now + .seconds(10 * 365 * 86_400), trace: RPCContext.current?.trace, idempotencyKey: nil)
                } onCancel: {
                    connection.close()
                })
        } catch {
            outcome = .failure(error)
        }
        pending.finish()
        try await receiver.value
        return try outcome.get()
    }
}

/// The part of a pushed notification line a subscriber reads.
private struct PushedLine<Params: Decodable>: Decodable {
    var params: Params
}
