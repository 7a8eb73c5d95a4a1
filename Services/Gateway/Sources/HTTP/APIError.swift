import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// The public API's error: `{"error": {"code", "message", "details"}}` with its HTTP status.
struct APIError: HTTPResponseError, Sendable {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var details: [String: String] = [:]
    /// Seconds for `Retry-After` (429, 503).
    var retryAfter: Int?
    /// Other headers of the answer (`Allow` with a 405, `Connection: close`).
    var headers: HTTPFields = [:]

    /// What the answer's body says.
    var body: APIErrorBody { APIErrorBody(code: code, message: message, details: details) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try Response.json(body, status: status)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        response.headers.append(contentsOf: headers)
        return response
    }

    static func malformed(_ message: String) -> APIError { APIError(status: .badRequest, code: "malformed", message: message) }
    static let unauthorized = APIError(status: .unauthorized, code: "unauthorized", message: "missing, invalid or expired credentials")
    static let forbidden = APIError(status: .forbidden, code: "forbidden", message: "you are not allowed to do this")
    static let notFound = APIError(status: .notFound, code: "not_found", message: "no such thing here")
    static let tooLarge = APIError(status: .contentTooLarge, code: "too_large", message: "the body is over 1 MiB")
    static func invalid(field: String, _ message: String) -> APIError {
        APIError(status: .unprocessableContent, code: "invalid", message: message, details: ["field": field])
    }
    static func conflict(_ code: String, _ message: String, details: [String: String] = [:]) -> APIError {
        APIError(status: .conflict, code: code, message: message, details: details)
    }
    static let rateLimitedCode = "rate_limited"
    static func rateLimited(retryAfter: Int, _ message: String = "too many attempts; try again later") -> APIError {
        APIError(status: .tooManyRequests, code: rateLimitedCode, message: message, retryAfter: retryAfter)
    }
    static let unavailable = APIError(
        status: .serviceUnavailable, code: "unavailable", message: "a backend is unavailable; try again shortly", retryAfter: 2)
}
