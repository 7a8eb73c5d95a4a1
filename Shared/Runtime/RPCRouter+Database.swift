import Contracts
import Logging
import Storage
import Wire

extension RPCRouter {
    /// Registers `M` so that database calls made while serving it inherit the request's deadline:
    /// a caller that stops waiting also stops the query (`PQcancel`).
    public mutating func handle<M: RPCMethod>(
        _ method: M.Type,
        _ body: @escaping @Sendable (M.Params, RPCContext) async throws -> M.Result
    ) {
        register(method) { params, context in
            do {
                return try await DatabaseDeadline.$current.withValue(context.deadline) {
                    try await body(params, context)
                }
            } catch let error as DatabaseError {
                throw error.rpcError(logger: context.logger)
            }
        }
    }
}

extension DatabaseError {
    /// How a database failure looks to the caller: retryable when the database is away, a
    /// deadline error when it was cancelled, otherwise internal (and logged here, once).
    func rpcError(logger: Logger) -> RPCError {
        // The caller's own deadline first: it says more than "transient".
        if code == .deadline || code == .cancelled {
            return .deadlineExceeded("the database call did not finish before the deadline")
        }
        if isTransient {
            logger.warning("database unavailable", metadata: ["error": "\(self)"])
            return .unavailable("the database is unavailable")
        }
        logger.error("database error", metadata: ["error": "\(self)"])
        return .internalError()
    }
}
