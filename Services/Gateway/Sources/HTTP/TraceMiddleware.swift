import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Wire

/// Carries the request's W3C `traceparent` (or a new one) into every RPC call it makes and
/// into its log lines.
struct TraceMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let incoming = request.headers[.traceparent]
        let trace = incoming.flatMap { Self.isValid($0) ? $0 : nil } ?? Self.newTraceparent()
        var logger = context.logger
        logger[metadataKey: "trace.parent"] = "\(trace)"
        let rpc = RPCContext(trace: trace, logger: logger)
        var response = try await RPCContext.$current.withValue(rpc) {
            try await next(request, context)
        }
        response.headers[.traceparent] = trace
        return response
    }

    /// `00-<32 hex>-<16 hex>-<2 hex>`, ids not all zero.
    static func isValid(_ value: String) -> Bool {
        let parts = value.split(separator: "-")
        guard parts.count == 4, parts[0].count == 2, parts[1].count == 32, parts[2].count == 16, parts[3].count == 2 else { return false }
        let hex = parts.allSatisfy { $0.allSatisfy(\.isHexDigit) && $0 == $0.lowercased() }
        return hex && parts[1].contains { $0 != "0" } && parts[2].contains { $0 != "0" }
    }

    static func newTraceparent() -> String {
        func hex(_ bytes: Int) -> String {
            (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        }
        return "00-\(hex(16))-\(hex(8))-01"
    }
}

extension HTTPField.Name {
    static let traceparent = HTTPField.Name("traceparent")!
}
