/// The `error` member of a JSON-RPC reply, and the error every RPC call throws.
///
/// Standard codes are the JSON-RPC 2.0 ones; domain errors use `domainError` with a stable
/// `data.reason` string (`already_taken`, `not_assignee`, `closed`, ...) that callers switch on.
public struct RPCError: Error, Sendable, Hashable, Codable {
    public var code: Int
    public var message: String
    public var data: Details?

    /// What `error.data` carries: a stable reason, the offending field, and open details.
    public struct Details: Sendable, Hashable, Codable {
        public var reason: String?
        public var field: String?
        public var details: [String: JSONValue]?

        public init(reason: String? = nil, field: String? = nil, details: [String: JSONValue]? = nil) {
            self.reason = reason
            self.field = field
            self.details = details
        }
    }

    public init(code: Int, message: String, data: Details? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// The stable reason string, when there is one.
    public var reason: String? { data?.reason }
}

extension RPCError {
    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602
    public static let internalErrorCode = -32603
    /// Domain errors: the request was understood and refused; `data.reason` says why.
    public static let domainErrorCode = -32000
    /// The server is shutting down or overloaded; the call may be retried elsewhere.
    public static let unavailableCode = -32001
    /// The call's deadline passed before it finished.
    public static let deadlineExceededCode = -32002

    public static func parseError(_ message: String) -> RPCError {
        RPCError(code: parseErrorCode, message: message, data: .init(reason: "parse_error"))
    }

    public static func invalidRequest(_ message: String) -> RPCError {
        RPCError(code: invalidRequestCode, message: message, data: .init(reason: "invalid_request"))
    }

    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(code: methodNotFoundCode, message: "unknown method \(method)", data: .init(reason: "unknown_method"))
    }

    /// Bad params; `field` is the dotted path of the offending member (`params.name`).
    public static func invalidParams(field: String, _ message: String) -> RPCError {
        RPCError(code: invalidParamsCode, message: message, data: .init(reason: "invalid_params", field: field))
    }

    public static func internalError(_ message: String = "internal error") -> RPCError {
        RPCError(code: internalErrorCode, message: message, data: .init(reason: "internal"))
    }

    public static func domain(_ reason: String, _ message: String, details: [String: JSONValue]? = nil) -> RPCError {
        RPCError(code: domainErrorCode, message: message, data: .init(reason: reason, details: details))
    }

    public static func unavailable(_ message: String) -> RPCError {
        RPCError(code: unavailableCode, message: message, data: .init(reason: "unavailable"))
    }

    public static func deadlineExceeded(_ message: String = "deadline exceeded") -> RPCError {
        RPCError(code: deadlineExceededCode, message: message, data: .init(reason: "deadline_exceeded"))
    }
}
