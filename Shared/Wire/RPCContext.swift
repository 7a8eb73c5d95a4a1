import Logging

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
