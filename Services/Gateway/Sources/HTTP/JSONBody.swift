import Contracts
import Foundation
import Hummingbird
import NIOCore

/// Request bodies: at most 1 MiB (413 above), JSON (400 `malformed` if not), no control
/// characters in any text (422 naming the field), then the type's fields (422 naming the first
/// missing or wrong one).
enum JSONBody {
    static let limit = 1 << 20
    /// How much of an oversize body is read (and dropped) before answering 413 anyway.
    static let discardLimit = 16 << 20

    static func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        guard let data = try await collect(request, limit: limit) else { throw APIError.tooLarge }
        guard let parsed = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else {
            throw APIError.malformed("the body is not JSON")
        }
        if let field = TextRules.firstRefused(in: parsed) {
            throw APIError.invalid(field: field, "\(field) holds a control character (only tab and newline may appear in text)")
        }
        do {
            return try WireJSON.decoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw invalid(error)
        }
    }

    /// The body, or `nil` when it is over `limit` bytes. Past the limit the rest is read and
    /// dropped (up to `discardLimit`), so the client is done sending and reads our 413 instead of
    /// a reset connection.
    static func collect(_ request: Request, limit: Int) async throws -> Data? {
        var buffer = ByteBuffer()
        var received = 0
        for try await chunk in request.body {
            received += chunk.readableBytes
            if received <= limit {
                var chunk = chunk
                buffer.writeBuffer(&chunk)
            } else if received > discardLimit {
                break
            }
        }
        return received > limit ? nil : Data(buffer.readableBytesView)
    }

    /// 422 naming the member: `email`, `customer.name`.
    static func invalid(_ error: DecodingError) -> APIError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .invalid(field: field, "\(field) is required")
        case .typeMismatch(_, let context) where context.codingPath.isEmpty:
            return .invalid(field: "body", "the body must be a JSON object")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let field = path(context.codingPath)
            return .invalid(field: field, "\(field) has the wrong type")
        @unknown default:
            return .invalid(field: "body", "invalid body")
        }
    }
}
