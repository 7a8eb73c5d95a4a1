import Contracts
import Foundation
import Logging
import Metrics
import NIOCore
import NIOFoundationCompat

/// The methods one server answers, and the path of one request line to its reply line.
///
/// Every failure becomes a JSON-RPC error reply: a line that is not JSON (-32700), not a
/// request (-32600), an unknown method (-32601), params of the wrong shape (-32602, naming the
/// field), a domain refusal (`RPCError` thrown by the handler). Nothing a peer sends can throw
/// out of here.
public struct RPCRouter: Sendable {
    typealias Handler = @Sendable (ByteBuffer, RPCRequestHead, RPCContext) async throws -> ByteBuffer

    /// A method's handler and its metrics, made once at registration rather than per request.
    struct Route: Sendable {
        let handler: Handler
        let succeeded: Counter
        let duration: Timer
        /// A subscription: it pushes notifications until it ends, has no deadline, and ends
        /// when its connection closes or the server drains.
        var isStream = false
    }

    private var handlers: [String: Route] = [:]

    public init() {}

    /// The registered method names, sorted.
    public var methods: [String] { handlers.keys.sorted() }

    /// Answers `M` with `body`. The handler runs with `RPCContext.current` set.
    public mutating func register<M: RPCMethod>(
        _ method: M.Type,
        _ body: @escaping @Sendable (M.Params, RPCContext) async throws -> M.Result
    ) {
        let handler: Handler = { line, head, context in
            let params = try WireJSON.decoder().decode(RPCParamsBody<M.Params>.self, from: line).params
            let result = try await RPCContext.$current.withValue(context) {
                try await body(params, context)
            }
            return try Self.encodeLine(RPCSuccess(id: head.id, result: result))
        }
        handlers[M.name] = Route(
            handler: handler,
            succeeded: Counter(label: "rpc_server_requests_total", dimensions: [("method", M.name), ("outcome", "ok")]),
            duration: Timer(label: "rpc_server_duration_seconds", dimensions: [("method", M.name)])
        )
    }

    /// Answers the stream method `M`: `body` pushes notifications through `push` for as long as
    /// the subscription lasts and returns its final result. It is cancelled when the caller's
    /// connection closes or the server drains.
    public mutating func registerStream<M: RPCMethod>(
        _ method: M.Type,
        _ body: @escaping @Sendable (M.Params, RPCPush, RPCContext) async throws -> M.Result
    ) {
        register(M.self) { params, context in
            guard let push = context.push else { throw RPCError.internalError("\(M.name) needs a connection to push on") }
            return try await body(params, push, context)
        }
        handlers[M.name]?.isStream = true
    }

    /// What to do with one request line, decided without running any handler.
    public enum Prepared: Sendable {
        /// Answer at once with this line (the request was refused before any handler ran).
        case reply(ByteBuffer)
        /// Nothing to answer (a notification that could not be served).
        case ignore
        /// Run a handler.
        case dispatch(Dispatch)
    }

    /// A request ready for its handler.
    public struct Dispatch: Sendable {
        let line: ByteBuffer
        let head: RPCRequestHead
        let route: Route
        public internal(set) var context: RPCContext
        /// When the caller stops waiting; the server cancels the handler then. Streams have none.
        public var deadline: ContinuousClock.Instant? { route.isStream ? nil : context.deadline }
        /// A subscription, which lasts until its connection closes.
        public var isStream: Bool { route.isStream }
    }

    /// Reads the request's head and finds its handler: cheap enough to do on the event loop,
    /// so refusals are answered without a task.
    public func prepare(_ line: ByteBuffer, logger: Logger) -> Prepared {
        let head: RPCRequestHead
        do {
            head = try JSONDecoder().decode(RPCRequestHead.self, from: line)
        } catch let error as DecodingError {
            return .reply(Self.failureLine(id: Self.bestEffortID(line), error: Self.requestError(error, line: line)))
        } catch {
            return .reply(Self.failureLine(id: nil, error: .parseError("not JSON")))
        }
        guard head.jsonrpc == "2.0" else {
            return .reply(Self.failureLine(id: head.id, error: .invalidRequest("jsonrpc must be \"2.0\"")))
        }
        guard let route = handlers[head.method] else {
            Counter(label: "rpc_server_requests_total", dimensions: [("method", "unknown"), ("outcome", "unknown_method")]).increment()
            return head.id == nil ? .ignore : .reply(Self.failureLine(id: head.id, error: .methodNotFound(head.method)))
        }
        if let milliseconds = head.deadlineMS, !Deadline.isValid(milliseconds: milliseconds) {
            return .reply(
                Self.failureLine(
                    id: head.id, error: .invalidRequest("deadline_ms must be 0 to \(Deadline.maximumMilliseconds)")))
        }
        var requestLogger = logger
        requestLogger[metadataKey: "rpc.method"] = "\(head.method)"
        if let id = head.id { requestLogger[metadataKey: "rpc.id"] = "\(id)" }
        if let trace = head.trace { requestLogger[metadataKey: "trace.parent"] = "\(trace)" }
        let context = RPCContext(
            trace: head.trace,
            deadline: head.deadlineMS.map { .now + .milliseconds($0) },
            idempotencyKey: head.idempotencyKey,
            logger: requestLogger
        )
        return .dispatch(Dispatch(line: line, head: head, route: route, context: context))
    }

    /// Runs the handler and returns the reply line; `nil` for a notification. A handler cancelled
    /// (its deadline passed) answers `deadline_exceeded`.
    public func run(_ request: Dispatch) async -> ByteBuffer? {
        let head = request.head
        let started = ContinuousClock.now
        let reply: ByteBuffer
        let outcome: String
        do {
            reply = try await request.route.handler(request.line, head, request.context)
            outcome = "ok"
        } catch let error as RPCError {
            reply = Self.failureLine(id: head.id, error: error)
            outcome = error.reason?.rawValue ?? "error"
        } catch let error as any RPCErrorConvertible {
            let error = error.rpcError
            reply = Self.failureLine(id: head.id, error: error)
            outcome = error.reason?.rawValue ?? "error"
        } catch let error as DecodingError {
            reply = Self.failureLine(id: head.id, error: Self.paramsError(error))
            outcome = "invalid_params"
        } catch is CancellationError {
            reply = Self.failureLine(id: head.id, error: .deadlineExceeded("the caller's deadline passed; the work was stopped"))
            outcome = "deadline_exceeded"
        } catch {
            request.context.logger.error("handler failed", metadata: ["error": "\(String(reflecting: error))"])
            reply = Self.failureLine(id: head.id, error: .internalError())
            outcome = "internal"
        }
        request.context.logger.debug("handled", metadata: ["rpc.outcome": "\(outcome)"])
        if outcome == "ok" {
            request.route.succeeded.increment()
        } else {
            Counter(label: "rpc_server_requests_total", dimensions: [("method", head.method), ("outcome", outcome)]).increment()
        }
        request.route.duration.record(duration: .now - started)
        return head.id == nil ? nil : reply
    }

    /// One JSON object followed by `\n`.
    public static func encodeLine(_ value: some Encodable) throws -> ByteBuffer {
        var buffer = try WireJSON.encoder().encodeAsByteBuffer(value, allocator: ByteBufferAllocator())
        buffer.writeInteger(UInt8(ascii: "\n"))
        return buffer
    }

    public static func failureLine(id: RPCID?, error: RPCError) -> ByteBuffer {
        // Encoding an RPCFailure cannot fail: it holds only strings, numbers and JSONValue.
        (try? encodeLine(RPCFailure(id: id, error: error)))
            ?? ByteBuffer(string: "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,\"message\":\"internal error\"}}\n")
    }

    /// A line that is JSON but not a request: -32600; one that is not JSON at all: -32700.
    static func requestError(_ error: DecodingError, line: ByteBuffer) -> RPCError {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            // JSONDecoder says "not valid JSON" also for a number that does not fit its
            // member (`1e30` or `1.5` for an integer): tell the two apart by parsing alone.
            let bytes = Data(line.readableBytesView)
            if (try? JSONSerialization.jsonObject(with: bytes, options: [.fragmentsAllowed])) != nil {
                return .invalidRequest("a number does not fit its member")
            }
            return .parseError("not JSON: \(context.debugDescription)")
        case .keyNotFound(let key, _):
            return .invalidRequest("missing member \(key.stringValue)")
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return .invalidRequest("a request must be a JSON object")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return .invalidRequest("wrong type for \(fieldPath(context.codingPath))")
        default:
            return .invalidRequest("not a JSON-RPC request")
        }
    }

    /// -32602 naming the bad member as a dotted path (`params.customer.name`).
    static func paramsError(_ error: DecodingError) -> RPCError {
        switch error {
        case .keyNotFound(let key, let context):
            let field = fieldPath(context.codingPath + [key])
            return .invalidParams(field: field, "missing field \(field)")
        case .typeMismatch(_, let context):
            let field = fieldPath(context.codingPath)
            return .invalidParams(field: field, "wrong type for \(field)")
        case .valueNotFound(_, let context):
            let field = fieldPath(context.codingPath)
            return .invalidParams(field: field, "\(field) must not be null")
        case .dataCorrupted(let context):
            let field = fieldPath(context.codingPath)
            return .invalidParams(field: field, "invalid value for \(field): \(context.debugDescription)")
        @unknown default:
            return .invalidParams(field: "params", "invalid params")
        }
    }

    static func fieldPath(_ path: [any CodingKey]) -> String {
        var result = ""
        for key in path {
            if let index = key.intValue {
                result += "[\(index)]"
            } else {
                result += result.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return result.isEmpty ? "params" : result
    }

    /// The id of a request too broken to read as a whole, so its error reply can still be matched.
    private static func bestEffortID(_ line: ByteBuffer) -> RPCID? {
        struct IDOnly: Decodable { var id: RPCID? }
        return try? JSONDecoder().decode(IDOnly.self, from: line).id
    }
}
