/// The `error` member of a JSON-RPC reply, and the error every RPC call throws.
///
/// Standard codes are the JSON-RPC 2.0 ones. Every error carries a `Reason` in `data.reason`:
/// callers switch on it, never on the message. A domain refusal (`domainErrorCode`) has one of
/// the reasons its service declares beside its methods (`PoolMethods.swift`: `.alreadyTaken`, …).
public struct RPCError: Error, Sendable, Hashable, Codable {
    public var code: Int
    public var message: String
    public var data: Details?

    /// Why, as a stable word on the wire (`already_taken`). Constants name the known ones, in the
    /// style of postgres-nio's `PSQLError.Code`; a reason this build does not know (a newer peer's)
    /// still decodes and keeps its word.
    public struct Reason: WireWord {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
    }

    /// What `error.data` carries: the reason, the offending field, and details for people.
    public struct Details: Sendable, Hashable, Codable {
        public var reason: Reason?
        public var field: String?
        public var details: [String: JSONValue]?

        public init(reason: Reason? = nil, field: String? = nil, details: [String: JSONValue]? = nil) {
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

    /// A domain refusal: the request was understood and refused for `reason`.
    public init(_ reason: Reason, _ message: String, details: [String: JSONValue]? = nil) {
        self.init(code: Self.domainErrorCode, message: message, data: .init(reason: reason, details: details))
    }

    /// The reason, when there is one.
    public var reason: Reason? { data?.reason }
}

/// An error a handler may throw that the wire answers as the `RPCError` it stands for: a
/// service's own refusal type converts itself in one place.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}

extension RPCError.Reason {
    // The wire's own: the request could not be served as sent.
    public static let parseError = Self(rawValue: "parse_error")
    public static let invalidRequest = Self(rawValue: "invalid_request")
    public static let unknownMethod = Self(rawValue: "unknown_method")
    public static let invalidParams = Self(rawValue: "invalid_params")
    public static let `internal` = Self(rawValue: "internal")
    /// The callee is shutting down or overloaded: the call may go to another instance.
    public static let unavailable = Self(rawValue: "unavailable")
    public static let deadlineExceeded = Self(rawValue: "deadline_exceeded")
    /// The caller's side: the connection broke before the reply.
    public static let connectionLost = Self(rawValue: "connection_lost")
    /// The caller's side: no instance of the service is listening.
    public static let noInstance = Self(rawValue: "no_instance")

    // Refusals every service may give.
    /// No such thing, or not the caller's to see.
    public static let notFound = Self(rawValue: "not_found")
    /// The conversation is closed.
    public static let closed = Self(rawValue: "closed")
    /// Only the operator holding the conversation may do this.
    public static let notAssignee = Self(rawValue: "not_assignee")
    /// Over a limit; `details.retry_after` says in how many seconds to try again.
    public static let rateLimited = Self(rawValue: "rate_limited")

    /// Every domain refusal there is, of every service (each service declares its own beside
    /// its methods): the gateway must have an HTTP reading of each, and a test holds it to that.
    /// A new reason is added here.
    public static let refusals: [Self] = [
        .notFound, .closed, .notAssignee, .rateLimited, .alreadyTaken, .availabilityOff, .colleagueUnavailable, .notATicket,
        .notAChat, .blocked, .adminOnly, .shortcutTaken, .limitReached, .notClosed, .alreadyRated,
    ]
}

extension RPCError {
    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602
    public static let internalErrorCode = -32603
    /// Domain errors: the request was understood and refused; `data.reason` says why.
    public static let domainErrorCode = -32000
    /// The server is shutting down or overloaded, or none could be reached; the call may be
    /// retried elsewhere.
    public static let unavailableCode = -32001
    /// The call's deadline passed before it finished.
    public static let deadlineExceededCode = -32002

    public static func parseError(_ message: String) -> RPCError {
        RPCError(code: parseErrorCode, message: message, data: .init(reason: .parseError))
    }

    public static func invalidRequest(_ message: String) -> RPCError {
        RPCError(code: invalidRequestCode, message: message, data: .init(reason: .invalidRequest))
    }

    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(code: methodNotFoundCode, message: "unknown method \(method)", data: .init(reason: .unknownMethod))
    }

    /// Bad params; `field` is the dotted path of the offending member (`params.name`).
    public static func invalidParams(field: String, _ message: String) -> RPCError {
        RPCError(code: invalidParamsCode, message: message, data: .init(reason: .invalidParams, field: field))
    }

    public static func internalError(_ message: String = "internal error") -> RPCError {
        RPCError(code: internalErrorCode, message: message, data: .init(reason: .internal))
    }

    /// The callee cannot serve now (`reason` says why: draining, no instance, a lost connection).
    public static func unavailable(_ message: String, reason: Reason = .unavailable) -> RPCError {
        RPCError(code: unavailableCode, message: message, data: .init(reason: reason))
    }

    public static func deadlineExceeded(_ message: String = "deadline exceeded") -> RPCError {
        RPCError(code: deadlineExceededCode, message: message, data: .init(reason: .deadlineExceeded))
    }

    /// Over a limit: try again in `retryAfter` seconds.
    public static func rateLimited(_ message: String, retryAfter: Int) -> RPCError {
        RPCError(.rateLimited, message, details: ["retry_after": .string(String(retryAfter))])
    }
}
