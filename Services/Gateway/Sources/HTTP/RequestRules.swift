import Contracts
import Foundation
import HTTPTypes
import Hummingbird

/// What every request must be before a route sees it, and what a request no route takes is told:
/// - a body framed only by `Content-Length` or chunked coding; any other transfer coding is 501
///   and the connection closes (read as no body it would smuggle the next request in);
/// - query parameters without control characters (422 naming the parameter);
/// - a known path with another method is 405 with `Allow`, not 404.
struct RequestRules<Context: RequestContext>: RouterMiddleware {
    /// The API's routes: method and path segments (`{id}` matches any one segment).
    let routes: [(method: HTTPRequest.Method, segments: [Substring])]

    init(operations: [OpenAPI.Operation] = OpenAPI.operations) {
        routes = operations.map { ($0.method, $0.path.split(separator: "/")) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let codings = request.headers[values: .transferEncoding].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        if !codings.isEmpty, codings != ["chunked"] {
            throw APIError(
                status: .notImplemented, code: "unsupported_transfer_encoding",
                message: "only chunked transfer coding is understood; send Content-Length or chunked",
                headers: [.connection: "close"])
        }
        for (name, value) in request.uri.queryParameters where TextRules.hasRefused(String(value)) {
            throw APIError.invalid(field: String(name), "\(name) holds a control character")
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = methods(for: request.uri.path)
            guard !allowed.isEmpty else { throw error }
            throw APIError(
                status: .methodNotAllowed, code: "method_not_allowed",
                message: "\(request.method) is not served here; use \(allowed.joined(separator: ", "))",
                headers: [.allow: allowed.joined(separator: ", ")])
        }
    }

    /// The methods routed for `path`, in a stable order.
    func methods(for path: String) -> [String] {
        let segments = path.split(separator: "/")
        let matching = routes.filter { route in
            route.segments.count == segments.count
                && zip(route.segments, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
        let names = Set(matching.map(\.method.rawValue))
        return ["GET", "POST", "PUT", "PATCH", "DELETE"].filter(names.contains)
    }
}
