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

    private var handlers: [String: Handler] = [:]

    public init() {}

    /// The registered method names, sorted.
    public var methods: [String] { handlers.keys.sorted() }

    /// Answers `M` with `body`. The handler runs with `RPCContext.current` set.
    public mutating func register<M: RPCMethod>(
        _ method: M.Type,
        _ body: @escaping @Sendable (M.Params, RPCContext) async throws -> M.Result
    ) {
        handlers[M.name] = { line, head, context in
            let params = try JSONDecoder().decode(RPCParamsBody<M.Params>.self, from: line).params
            let result = try await RPCContext.$current.withValue(context) {
                try await body(params, context)
            }
            return try Self.encodeLine(RPCSuccess(id: head.id, result: result))
        }
    }

    /// Turns one request line into its reply line; `nil` for a notification (a request without id).
    public func respond(to line: ByteBuffer, logger: Logger) async -> ByteBuffer? {
        let head: RPCRequestHead
        do {
            head = try JSONDecoder().decode(RPCRequestHead.self, from: line)
        } catch let error as DecodingError {
            return Self.failureLine(id: Self.bestEffortID(line), error: Self.requestError(error))
        } catch {
            return Self.failureLine(id: nil, error: .parseError("not JSON"))
        }
        guard head.jsonrpc == "2.0" else {
            return Self.failureLine(id: head.id, error: .invalidRequest("jsonrpc must be \"2.0\""))
        }
        var requestLogger = logger
        requestLogger[metadataKey: "rpc.method"] = "\(head.method)"
        if let id = head.id { requestLogger[metadataKey: "rpc.id"] = "\(id)" }
        if let trace = head.trace { requestLogger[metadataKey: "trace.parent"] = "\(trace)" }

        guard let handler = handlers[head.method] else {
            Counter(label: "rpc_server_requests_total", dimensions: [("method", "unknown"), ("outcome", "unknown_method")]).increment()
            return head.id == nil ? nil : Self.failureLine(id: head.id, error: .methodNotFound(head.method))
        }
        let context = RPCContext(
            trace: head.trace,
            deadline: head.deadlineMS.map { .now + .milliseconds(max(0, $0)) },
            idempotencyKey: head.idempotencyKey,
            logger: requestLogger
        )
        let started = ContinuousClock.now
        let reply: ByteBuffer
        let outcome: String
        do {
            reply = try await Self.withDeadline(context.deadline) { try await handler(line, head, context) }
            outcome = "ok"
        } catch is CancellationError {
            reply = Self.failureLine(id: head.id, error: .deadlineExceeded("the caller's deadline passed; the work was stopped"))
            outcome = "deadline_exceeded"
        } catch let error as RPCError {
            reply = Self.failureLine(id: head.id, error: error)
            outcome = error.reason ?? "error"
        } catch let error as DecodingError {
            reply = Self.failureLine(id: head.id, error: Self.paramsError(error))
            outcome = "invalid_params"
        } catch {
            requestLogger.error("handler failed", metadata: ["error": "\(String(reflecting: error))"])
            reply = Self.failureLine(id: head.id, error: .internalError())
            outcome = "internal"
        }
        requestLogger.debug("handled", metadata: ["rpc.outcome": "\(outcome)"])
        Counter(label: "rpc_server_requests_total", dimensions: [("method", head.method), ("outcome", outcome)]).increment()
        Timer(label: "rpc_server_duration_seconds", dimensions: [("method", head.method)])
            .record(duration: .now - started)
        return head.id == nil ? nil : reply
    }

    /// Runs `work`, cancelling it when `deadline` passes: nobody is waiting for its answer then,
    /// and a cancelled database call is also cancelled on the server.
    static func withDeadline(_ deadline: ContinuousClock.Instant?, _ work: @escaping @Sendable () async throws -> ByteBuffer) async throws -> ByteBuffer {
        guard let deadline else { return try await work() }
        return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(until: deadline, tolerance: .milliseconds(5), clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let reply = try await group.next() ?? nil else { throw CancellationError() }
            return reply
        }
    }

    /// One JSON object followed by `\n`.
    public static func encodeLine(_ value: some Encodable) throws -> ByteBuffer {
        var buffer = try JSONEncoder().encodeAsByteBuffer(value, allocator: ByteBufferAllocator())
        buffer.writeInteger(UInt8(ascii: "\n"))
        return buffer
    }

    public static func failureLine(id: RPCID?, error: RPCError) -> ByteBuffer {
        // Encoding an RPCFailure cannot fail: it holds only strings, numbers and JSONValue.
        (try? encodeLine(RPCFailure(id: id, error: error))) ?? ByteBuffer(string: "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32603,\"message\":\"internal error\"}}\n")
    }

    /// A line that is JSON but not a request: -32600; one that is not JSON at all: -32700.
    static func requestError(_ error: DecodingError) -> RPCError {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
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
