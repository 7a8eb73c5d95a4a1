import Hummingbird
import Logging
import Storage

/// What no route expected becomes the API's error body, and a log line an operator can act on:
/// a database that is away, overloaded or too slow is 503 (try again), anything else 500.
struct UnexpectedErrors<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            throw error
        } catch let error as DatabaseError where error.isTransient {
            context.logger.warning("database unavailable", metadata: metadata(request, error))
            throw APIError.unavailable
        } catch is CancellationError {
            throw APIError.unavailable
        } catch {
            context.logger.error("request failed", metadata: metadata(request, error))
            throw APIError(status: .internalServerError, code: "internal", message: "something went wrong on our side")
        }
    }

    private func metadata(_ request: Request, _ error: any Error) -> Logger.Metadata {
        ["http.method": "\(request.method)", "http.path": "\(request.uri.path)", "error": "\(error)"]
    }
}
