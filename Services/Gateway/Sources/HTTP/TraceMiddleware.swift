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

    /// A new trace: three random words written as hex (a `String(format:)` and a `getrandom`
    /// per byte were 9 % of the gateway's CPU under load, measured).
    static func newTraceparent() -> String {
        var random = SystemRandomNumberGenerator()
        var (high, low, span): (UInt64, UInt64, UInt64) = (0, 0, 0)
        while high == 0 && low == 0 { (high, low) = (random.next(), random.next()) }
        while span == 0 { span = random.next() }
        return "00-\(hex(high))\(hex(low))-\(hex(span))-01"
    }

    /// 16 lowercase hex digits.
    static func hex(_ word: UInt64) -> String {
        let digits = String(word, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension HTTPField.Name {
    static let traceparent = HTTPField.Name("traceparent")!
}
