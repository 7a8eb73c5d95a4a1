import Contracts
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
            try await DatabaseDeadline.$current.withValue(context.deadline) {
                try await body(params, context)
            }
        }
    }
}
