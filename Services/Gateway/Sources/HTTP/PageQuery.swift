import Contracts
import Foundation
import Hummingbird

extension PageRequest {
    /// `?limit=&cursor=` of a list's request: 422 naming the parameter for a limit out of range
    /// or a cursor no page of a list gave.
    init(query: Request) throws {
        let parameters = query.uri.queryParameters
        var limit = PageRequest.defaultLimit
        if let text = parameters.get("limit"), !text.isEmpty {
            guard let number = Int(text), PageRequest.limits.contains(number) else {
                throw APIError.invalid(
                    field: "limit", "limit must be a whole number from \(PageRequest.limits.lowerBound) to \(PageRequest.limits.upperBound)"
                )
            }
            limit = number
        }
        let cursor = parameters.get("cursor").flatMap { $0.isEmpty ? nil : String($0) }
        if let cursor, PageCursor(cursor) == nil { throw APIError.invalid(field: "cursor", "cursor is not one a page of this list gave") }
        self.init(limit: limit, cursor: cursor)
    }
}

extension ConversationMethods.Messages.Params {
    /// `?after_seq=`, `?before_seq=` (scrolling back) or a page's `?cursor=`, with `?limit=`: 422
    /// naming the parameter for a seq that is not a whole number in range.
    init(conversationID: UUID, query request: Request) throws {
        let parameters = request.uri.queryParameters
        let page = try PageRequest(query: request)
        func seq(_ name: String, from lowest: Int64) throws -> Int64? {
            guard let text = parameters.get(name), !text.isEmpty else { return nil }
            guard let value = Int64(text), value >= lowest else {
                throw APIError.invalid(field: name, "\(name) must be a whole number from \(lowest)")
            }
            return value
        }
        let after = try seq("after_seq", from: 0)
        let before = try seq("before_seq", from: 1)
        if after != nil, before != nil { throw APIError.invalid(field: "before_seq", "give after_seq or before_seq, not both") }
        if let position = page.position {
            self.init(conversationID: conversationID, continuing: position, limit: page.limit)
        } else {
            self.init(conversationID: conversationID, afterSeq: after ?? 0, beforeSeq: before, limit: page.limit)
        }
    }
}
