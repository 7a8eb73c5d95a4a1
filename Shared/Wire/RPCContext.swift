import Contracts
import Logging
import NIOCore

/// What travels with one request through every hop: its trace and its deadline.
///
/// A server sets it for the handler's task; a client reads it when it calls onward, so the
/// trace id and the remaining time pass through without every signature carrying them.
public struct RPCContext: Sendable {
    /// W3C traceparent of the request being served.
    public var trace: String?
    /// When the original caller stops waiting.
    public var deadline: ContinuousClock.Instant?
    /// The key the caller sent for retries of this request.
    public var idempotencyKey: String?
    /// The caller's connection, for a stream method's notifications.
    public var push: RPCPush?
    /// A logger carrying `rpc.method`, `rpc.id` and `trace.parent`.
    public var logger: Logger

    public init(trace: String? = nil, deadline: ContinuousClock.Instant? = nil, idempotencyKey: String? = nil, logger: Logger) {
        self.trace = trace
        self.deadline = deadline
        self.idempotencyKey = idempotencyKey
        self.logger = logger
    }

    @TaskLocal public static var current: RPCContext?
}

/// The connection a stream method pushes its notifications on.
public struct RPCPush: Sendable {
    let channel: any Channel

    /// Sends one JSON-RPC notification; returns once it is handed to the socket, so a reader
    /// that does not keep up slows its own stream and nobody else's.
    public func send<Params: Codable & Sendable>(method: String, params: Params) async throws {
        let line = try RPCRouter.encodeLine(RPCNotification(method: method, params: params))
        try await channel.writeAndFlush(line).get()
    }
}
